/**
 * The reader thread (a Worker): runs reads on their own connections, decodes the rows into column
 * buffers here, and posts each batch's buffers to the main thread, which only wraps them as Arrow
 * batches and writes Parquet, so decoding and encoding run on two cores. One thread serves all
 * the parallel ranges of a table. Per read at most {@linkcode BATCHES_IN_FLIGHT} batches are on
 * their way: its connection pauses until the main thread says it took one (back-pressure), so
 * memory stays bounded whatever the table size.
 *
 * @module
 */
import * as arrow from "apache-arrow";
import type { BatchTarget, Pausable } from "./batch_queue.ts";
import { planColumn } from "./column_types.ts";
import { MysqlClient } from "./mysql_client.ts";
import {
  BATCHES_IN_FLIGHT,
  errorToWire,
  type MainMessage,
  type ReaderMessage,
  type StartRead,
} from "./worker_messages.ts";
import { dataToWire } from "../../mod.ts";

const scope = self as unknown as {
  postMessage(message: ReaderMessage, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<MainMessage>) => void) | null;
};

/** Posts one read's batches to the main thread, pausing its connection while too many are unread. */
class PostingTarget implements BatchTarget {
  #credit = BATCHES_IN_FLIGHT;
  #paused?: Pausable;
  #failed = false;
  #done = false;
  client?: MysqlClient;
  constructor(private id: number, private copyColumns: boolean[]) {}

  push(batch: arrow.RecordBatch, from: Pausable): void {
    if (this.#done) return;
    const transfer = new Set<ArrayBuffer>();
    const columns = batch.data.children.map((child, i) =>
      dataToWire(child, this.copyColumns[i] ? undefined : transfer)
    );
    scope.postMessage({ type: "batch", id: this.id, length: batch.numRows, columns }, [
      ...transfer,
    ]);
    if (--this.#credit <= 0 && !this.#paused) {
      this.#paused = from;
      from.pause();
    }
  }
  taken(): void {
    this.#credit++;
    const paused = this.#paused;
    this.#paused = undefined;
    paused?.resume();
  }
  finish(): void {
    if (this.#done) return;
    this.#done = true;
    scope.postMessage({ type: "end", id: this.id });
  }
  fail(error: unknown): void {
    this.#failed = true;
    if (this.#done) return;
    this.#done = true;
    scope.postMessage({ type: "error", id: this.id, error: errorToWire(error) });
  }
  /** The main thread abandoned the read: nothing more is sent. */
  stop(): void {
    this.#failed = true;
    this.#done = true;
    this.client?.destroy();
  }
  get failed(): boolean {
    return this.#failed;
  }
}

const reads = new Map<number, PostingTarget>();

async function read(start: StartRead): Promise<void> {
  const plans = start.columns.map((info) => planColumn(arrow, info, start.settings.mapping));
  // Nested columns (SET lists) come from Arrow's builders, which may reuse memory: copied.
  const target = new PostingTarget(
    start.id,
    plans.map((plan) => plan.field.type.children?.length > 0),
  );
  reads.set(start.id, target);
  try {
    const client = await MysqlClient.connect(start.settings, start.table);
    target.client = client;
    if (target.failed) return client.destroy(); // stopped while connecting
    const schema = new arrow.Schema(plans.map((plan) => plan.field));
    await client.stream(arrow, start.sql, plans, schema, start.batchSize, target, start.table);
    client.destroy();
  } catch (error) {
    target.fail(error);
  } finally {
    reads.delete(start.id);
  }
}

scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === "start") read(message);
  else if (message.type === "taken") reads.get(message.id)?.taken();
  else reads.get(message.id)?.stop();
};

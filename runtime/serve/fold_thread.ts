/**
 * Folds run in a worker thread of their own: Parquet encoding, partition compaction and the
 * catalog's rebuild (DuckDB, whose close is synchronous and took ~100 ms per fold) used to hold
 * the thread that answers webhooks, so every fold showed up as a latency spike of the deliveries
 * waiting behind it. The thread that receives keeps only the connector's `receive()`; the rows
 * cross as their Arrow buffers (data_wire.ts; IPC for types it does not carry), the declared
 * schemas as IPC. One fold at a time per source (`ServedSource` never overlaps its folds), so one
 * worker per source.
 *
 * @module
 */
import * as arrow from "apache-arrow";
import { LockHeldError } from "../extract/run_lock.ts";
import type { TableInfo } from "../protocol.ts";
import { batchToWire, wireable, type WireData } from "../connector/data_wire.ts";
import type { FoldRequest, FoldResult } from "./fold_events.ts";

/** A table as it crosses: everything but the schema as is, the schema as empty Arrow IPC. */
export type WireTable = Omit<TableInfo, "schema"> & { schema: Uint8Array };

/** What the worker is asked to fold. */
export interface WireFoldRequest {
  outDir: string;
  connectorName: string;
  tables: WireTable[];
  /** Source table name -> its batches as buffers, or as one Arrow IPC stream. */
  rows: [string, WireData[] | Uint8Array][];
  seq: number;
  lockWaitMs?: number;
}

/** What the worker answers. */
export type WireFoldReply =
  | { kind: "folded"; rows: Record<string, number> }
  | { kind: "failed"; message: string; lockHeld: boolean };

const WORKER_URL = new URL("./fold_worker.ts", import.meta.url);

/** A worker that folds micro-batches; see the module documentation. */
export class FoldThread {
  #worker?: Worker;
  #waiting?: { resolve: (reply: WireFoldReply) => void; reject: (error: Error) => void };

  /** Folds as {@linkcode foldEvents} does, in the worker; resolves with the rows appended. */
  async fold(request: FoldRequest): Promise<Pick<FoldResult, "rows">> {
    if (this.#waiting) throw new Error("a fold is already running in this thread");
    const { wire, transfer } = toWire(request);
    const reply = await new Promise<WireFoldReply>((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.#started().postMessage(wire, transfer);
    });
    if (reply.kind === "folded") return { rows: reply.rows };
    if (reply.lockHeld) throw new LockHeldError(reply.message);
    throw new Error(reply.message);
  }

  /** Starts the worker now (its modules load in the background), not at the first fold. */
  start(): void {
    this.#started();
  }

  /** Stops the worker (after the last fold). */
  close(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
    this.#settle(undefined, new Error("the fold thread was stopped"));
  }

  #started(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WORKER_URL.href, { type: "module", name: "dvt-serve-fold" });
    worker.onmessage = (event: MessageEvent<WireFoldReply>) => this.#settle(event.data);
    worker.onerror = (event: ErrorEvent) => {
      // Handled here: an unhandled worker error would end the whole process. The next fold
      // starts a new worker; the deliveries stay logged.
      event.preventDefault();
      this.#worker?.terminate();
      this.#worker = undefined;
      this.#settle(undefined, new Error(`the fold worker failed: ${event.message}`));
    };
    return this.#worker = worker;
  }

  #settle(reply: WireFoldReply | undefined, error?: Error): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (!waiting) return;
    if (reply) waiting.resolve(reply);
    else waiting.reject(error!);
  }
}

function toWire(request: FoldRequest): { wire: WireFoldRequest; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const wire: WireFoldRequest = {
    outDir: request.layout.root,
    connectorName: request.connectorName,
    tables: request.tables.map((table) => ({ ...table, schema: schemaIpc(table.schema) })),
    rows: [...request.rows].map(([name, { info, batches }]) => {
      if (wireable(info.schema)) return [name, batches.map(batchToWire)];
      const ipc = arrow.tableToIPC(new arrow.Table(info.schema, batches), "stream");
      transfer.push(ipc.buffer as ArrayBuffer);
      return [name, ipc];
    }),
    seq: request.seq,
    lockWaitMs: request.lockWaitMs,
  };
  return { wire, transfer };
}

const schemaBytes = new WeakMap<arrow.Schema, Uint8Array>();

/** A schema as IPC bytes (serialised once per schema object). */
function schemaIpc(schema: arrow.Schema): Uint8Array {
  let bytes = schemaBytes.get(schema);
  if (!bytes) schemaBytes.set(schema, bytes = arrow.tableToIPC(new arrow.Table(schema), "stream"));
  return bytes;
}

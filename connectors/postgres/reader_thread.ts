/**
 * The reader thread (a Worker): runs COPY reads on connections of its own, with their TLS reads
 * and binary decoding, and posts each batch's column buffers to the main thread, which only wraps
 * them as Arrow batches and writes Parquet, so reading and encoding run on two cores. One thread
 * serves all the ranges of a parallel read. Per read at most {@linkcode BATCHES_IN_FLIGHT}
 * batches are on their way: the read is not pulled until the main thread took one, and its
 * socket pauses behind it (copy_out.ts), so memory stays bounded whatever the table size.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import * as arrow from "apache-arrow";
import { dataToWire } from "../../mod.ts";
import { openSession, type Session } from "./connection.ts";
import { explainReadError, readCopy } from "./copy_read.ts";
import {
  BATCHES_IN_FLIGHT,
  errorToWire,
  type MainMessage,
  type ReaderMessage,
  type StartRead,
} from "./worker_messages.ts";

function post(message: ReaderMessage, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

/** One running read: its connection and how many more batches it may send. */
class Read {
  credit = BATCHES_IN_FLIGHT;
  stopped = false;
  session?: Session;
  #wake?: () => void;

  /** Waits until the main thread took a batch (or stopped the read). */
  async waitForCredit(): Promise<void> {
    while (this.credit <= 0 && !this.stopped) {
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
  }

  taken(): void {
    this.credit++;
    this.#wakeUp();
  }

  /** The main thread abandoned the read: nothing more is sent and the connection closes. */
  stop(): void {
    this.stopped = true;
    this.#wakeUp();
    void this.session?.end();
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/**
 * Undecoded COPY bytes per read before its socket pauses. Larger than on the main thread: here
 * the socket is read as soon as data arrives and the reads of a 10M-row table paused and resumed
 * a few hundred times with 1 MiB (about 60 times per 2M rows, counted); with 8 MiB the thread's
 * CPU for 10M rows in 4 ranges fell from 11-13 s to 7-9 s (single runs under load; why each
 * pause/resume of node:tls costs that much was not found; BENCHMARKS.md).
 */
const THREAD_COPY_BUFFER_BYTES = 8 << 20;

const reads = new Map<number, Read>();

async function run({ id, settings, read: copy }: StartRead): Promise<void> {
  const read = new Read();
  reads.set(id, read);
  try {
    read.session = await openSession(settings, THREAD_COPY_BUFFER_BYTES);
    if (read.stopped) return;
    for await (const batch of readCopy(arrow, read.session, copy)) {
      if (read.stopped) return;
      // The decoders' buffers are fresh copies per batch (column_builders.ts): moved, not copied.
      const transfer = new Set<ArrayBuffer>();
      const columns = batch.data.children.map((child) => dataToWire(child, transfer));
      post({ type: "batch", id, length: batch.numRows, columns }, [...transfer]);
      read.credit--;
      await read.waitForCredit();
      if (read.stopped) return;
    }
    post({ type: "end", id });
  } catch (error) {
    if (!read.stopped) {
      post({
        type: "error",
        id,
        error: errorToWire(explainReadError(error, copy.table, settings)),
      });
    }
  } finally {
    reads.delete(id);
    await read.session?.end();
  }
}

self.onmessage = (event: MessageEvent<MainMessage>) => {
  const message = event.data;
  if (message.type === "start") void run(message);
  else if (message.type === "taken") reads.get(message.id)?.taken();
  else reads.get(message.id)?.stop();
};

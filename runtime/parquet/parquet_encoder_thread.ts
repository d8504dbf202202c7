/**
 * A Parquet file encoded in its own worker thread. The caller hands Arrow record batches in
 * order; each crosses as Arrow IPC in a transferred buffer, and at most
 * {@linkcode MAX_BATCHES_IN_FLIGHT} wait in the worker, so memory stays constant and a slow
 * encoder slows the reader down instead of queueing the table. Decoding source rows and
 * encoding Parquet then run on two cores; parallel parts each get their own encoder.
 *
 * The worker hands each buffer back once the encoder copied it into wasm memory, and the next
 * batch is written into it: buffers allocated on one thread and freed on another made the
 * allocator keep per-thread arenas of garbage (measured: peak RSS 800 MiB instead of 500 MiB
 * for 2M rows).
 *
 * @module
 */
import * as arrow from "apache-arrow";
import { packDataToWire, type WireData } from "../connector/data_wire.ts";
import { emptyBatch } from "./arrow_schema.ts";

/** Batches handed over but not yet taken by the encoder; bounds the memory between threads. */
export const MAX_BATCHES_IN_FLIGHT = 2;

const WORKER_URL = new URL("./parquet_encoder_worker.ts", import.meta.url);

function startWorker(): Worker {
  return new Worker(WORKER_URL.href, { type: "module", name: "dvt-parquet-encoder" });
}

/**
 * A worker started ahead of the first table ({@linkcode ParquetEncoderThread.prewarm}), with the
 * error it met while loading, if any (recorded here: an unhandled worker error ends the process).
 */
let warm: { worker: Worker; failed: boolean } | undefined;

function takeWarmWorker(): Worker | undefined {
  const taken = warm;
  warm = undefined;
  if (taken?.failed) taken.worker.terminate();
  return taken && !taken.failed ? taken.worker : undefined;
}

/**
 * Messages to the worker. With `schema` (the Arrow schema as IPC) the worker runs the direct
 * writer (direct_parquet_writer.ts) and batches come as `rows`: their column buffers copied into
 * one transferred buffer ({@linkcode packDataToWire}; no IPC encoding; the caller's batch stays
 * usable), handed back like the IPC buffers. Without it,
 * parquet-wasm encodes `batch`es of Arrow IPC.
 */
export type EncoderRequest =
  | { kind: "open"; path: string; schema?: Uint8Array }
  | { kind: "batch"; buffer: ArrayBuffer; length: number }
  | { kind: "rows"; wire: WireData }
  | { kind: "end" };

/** Messages from the worker. */
export type EncoderReply =
  | { kind: "taken"; buffer?: ArrayBuffer }
  | { kind: "done" }
  | { kind: "failed"; message: string };

/** The encoder failed (not the source): the caller reports it as a failed Parquet write. */
export class EncoderFailure extends Error {}

type Outcome = { ok: true } | { ok: false; error: EncoderFailure };

/** One Parquet file being written by a worker; see the module doc. */
export class ParquetEncoderThread {
  readonly #worker: Worker;
  #credits = MAX_BATCHES_IN_FLIGHT;
  #outcome?: Outcome;
  #wake?: () => void;
  #ended = false;
  /** Buffers the worker handed back, reused for the next batches. */
  readonly #spare: ArrayBuffer[] = [];

  /** Whether the worker runs the direct writer (batches cross as buffers, not IPC). */
  readonly #direct: boolean;

  private constructor(path: string, schema?: arrow.Schema) {
    this.#direct = schema !== undefined;
    this.#worker = takeWarmWorker() ?? startWorker();
    this.#worker.onmessage = (event: MessageEvent<EncoderReply>) => this.#receive(event.data);
    this.#worker.onerror = (event: ErrorEvent) => {
      // Handled here: an unhandled worker error would end the whole process.
      event.preventDefault();
      this.#settle({ ok: false, error: new EncoderFailure(event.message) });
    };
    const ipc = schema && arrow.tableToIPC(new arrow.Table([emptyBatch(schema)]), "stream");
    this.#worker.postMessage({ kind: "open", path, schema: ipc } satisfies EncoderRequest);
  }

  /**
   * Starts an encoder worker now, for the next {@linkcode open} to take: its isolate boots and
   * its modules load (apache-arrow, the writers) while the caller still starts up, instead of
   * when the first table's batches are waiting. Disposing it stops a worker nobody took.
   */
  static prewarm(): Disposable {
    if (!warm) {
      const slot = { worker: startWorker(), failed: false };
      slot.worker.onerror = (event: ErrorEvent) => {
        event.preventDefault();
        slot.failed = true;
      };
      warm = slot;
    }
    return {
      [Symbol.dispose]() {
        takeWarmWorker()?.terminate();
      },
    };
  }

  /** Whether a prewarmed worker is waiting to be taken. */
  static get prewarmed(): boolean {
    return warm !== undefined && !warm.failed;
  }

  /**
   * Starts a worker writing `path` (created or truncated): with the direct writer when `schema`
   * is given (it must be one the direct writer covers), else with parquet-wasm.
   */
  static open(path: string, schema?: arrow.Schema): ParquetEncoderThread {
    return new ParquetEncoderThread(path, schema);
  }

  /** Hands `batch` to the encoder, waiting while {@linkcode MAX_BATCHES_IN_FLIGHT} are queued. */
  async write(batch: arrow.RecordBatch): Promise<void> {
    while (this.#credits === 0 && !this.#outcome) await this.#waitForReply();
    this.#throwIfSettled();
    if (this.#direct) {
      this.#credits--;
      const { wire, buffer } = packDataToWire(batch.data, (bytes) => this.#bufferFor(bytes));
      this.#worker.postMessage({ kind: "rows", wire } satisfies EncoderRequest, [buffer]);
      return;
    }
    const ipc = arrow.tableToIPC(new arrow.Table(batch), "stream");
    const buffer = this.#bufferFor(ipc.length);
    new Uint8Array(buffer, 0, ipc.length).set(ipc);
    this.#credits--;
    const request: EncoderRequest = { kind: "batch", buffer, length: ipc.length };
    this.#worker.postMessage(request, [buffer]);
  }

  /** Ends the input and waits until the file is complete and synced; always stops the worker. */
  async finish(): Promise<void> {
    try {
      this.#throwIfSettled();
      this.#ended = true;
      this.#worker.postMessage({ kind: "end" } satisfies EncoderRequest);
      while (!this.#outcome) await this.#waitForReply();
      if (!this.#outcome.ok) throw this.#outcome.error;
    } finally {
      this.terminate();
    }
  }

  /** Stops the worker at once (the file is left as it is; the caller removes it). */
  terminate(): void {
    this.#worker.terminate();
    this.#settle({ ok: false, error: new EncoderFailure("the Parquet encoder was stopped") });
  }

  #receive(message: EncoderReply): void {
    if (message.kind === "taken") {
      this.#credits++;
      if (message.buffer) this.#spare.push(message.buffer);
    } else if (message.kind === "done") {
      this.#settle(
        this.#ended
          ? { ok: true }
          : { ok: false, error: new EncoderFailure("the encoder finished before the last batch") },
      );
    } else this.#settle({ ok: false, error: new EncoderFailure(message.message) });
    this.#wakeUp();
  }

  /** A spare buffer of at least `length` bytes, or a new one with room to grow. */
  #bufferFor(length: number): ArrayBuffer {
    const index = this.#spare.findIndex((buffer) => buffer.byteLength >= length);
    if (index >= 0) return this.#spare.splice(index, 1)[0];
    this.#spare.pop(); // too small: let it go rather than hold both
    return new ArrayBuffer(Math.ceil(length * 1.25));
  }

  #settle(outcome: Outcome): void {
    this.#outcome ??= outcome;
    this.#wakeUp();
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #waitForReply(): Promise<void> {
    return new Promise((resolve) => this.#wake = resolve);
  }

  #throwIfSettled(): void {
    if (!this.#outcome) return;
    if (!this.#outcome.ok) throw this.#outcome.error;
    throw new EncoderFailure("the encoder finished before the last batch");
  }
}

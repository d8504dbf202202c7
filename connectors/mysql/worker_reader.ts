/**
 * The main thread's side of the reader thread (reader_thread.ts): starts it, runs reads in it and
 * yields their batches here, where the thread's column buffers become Arrow batches of the table's
 * schema. A read whose thread fails, crashes or stops without saying "end" fails: never mistaken
 * for the end of the data. The thread is stopped once no read uses it.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import { ConnectorError, dataFromWire } from "../../mod.ts";
import {
  errorFromWire,
  type MainMessage,
  type ReaderMessage,
  type StartRead,
} from "./worker_messages.ts";

type ArrowModule = typeof Arrow;

const READER_URL = new URL("./reader_thread.ts", import.meta.url);

/**
 * Tables the server estimates at this many rows or more are decoded in the reader thread unless
 * `reader_thread` says otherwise: below, the thread's start (about 0.45 s of CPU) outweighs what
 * decoding on a second core saves.
 */
export const READER_THREAD_DEFAULT_ROWS = 1_000_000;

/**
 * ... and only on machines with this many CPUs: on two cores shared with the server the thread
 * measured 10-35% more dvt CPU (buffers moved between threads, a second isolate) for no
 * dependable gain in time (BENCHMARKS.md).
 */
export const READER_THREAD_MIN_CPUS = 4;

/** Whether rows are decoded in the reader thread when `reader_thread` is not set. */
export function defaultReaderThread(estimatedRows: number, cpus: number): boolean {
  return cpus >= READER_THREAD_MIN_CPUS && estimatedRows >= READER_THREAD_DEFAULT_ROWS;
}

/** One reader thread and the reads running in it. */
export class ReaderThread {
  #worker: Worker;
  #reads = new Map<number, (message: ReaderMessage) => void>();
  #nextId = 0;
  #stopped = false;

  private constructor(worker: Worker, private onStop: () => void) {
    this.#worker = worker;
    worker.onmessage = (event: MessageEvent<ReaderMessage>) =>
      this.#reads.get(event.data.id)?.(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.#failAll(`failed: ${event.message}`);
    };
    worker.onmessageerror = () => this.#failAll("sent a message that could not be read");
  }

  /** Starts a thread, or returns undefined where threads are not available (a sandbox). */
  static start(onStop: () => void): ReaderThread | undefined {
    try {
      const worker = new Worker(READER_URL.href, { type: "module", name: "dvt-mysql-reader" });
      return new ReaderThread(worker, onStop);
    } catch {
      return undefined;
    }
  }

  /** True while the thread can take reads. */
  get running(): boolean {
    return !this.#stopped;
  }

  #post(message: MainMessage) {
    if (!this.#stopped) this.#worker.postMessage(message);
  }

  #failAll(what: string) {
    for (const [id, deliver] of this.#reads) {
      deliver({
        type: "error",
        id,
        error: { kind: "connector", message: `reader thread ${what}` },
      });
    }
    this.#stop();
  }

  #stop() {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#worker.terminate();
    this.onStop();
  }

  /** Runs `start` in the thread and yields its batches with `schema`. */
  async *read(
    arrow: ArrowModule,
    start: Omit<StartRead, "type" | "id">,
    schema: Arrow.Schema,
  ): AsyncGenerator<Arrow.RecordBatch> {
    const id = this.#nextId++;
    const inbox: ReaderMessage[] = [];
    let wake: (() => void) | undefined;
    this.#reads.set(id, (message) => {
      inbox.push(message);
      wake?.();
    });
    const structType = new arrow.Struct(schema.fields);
    let ended = false;
    try {
      if (this.#stopped) throw new ConnectorError(`table "${start.table}": reader thread stopped`);
      this.#post({ type: "start", id, ...start });
      while (true) {
        const message = inbox.shift();
        if (!message) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        if (message.type === "error") {
          ended = true;
          const error = errorFromWire(message.error);
          throw error;
        }
        if (message.type === "end") {
          ended = true;
          return;
        }
        if (message.columns.length !== schema.fields.length) {
          throw new ConnectorError(`table "${start.table}": the reader thread sent other columns`);
        }
        const children = message.columns.map((column, i) =>
          dataFromWire(schema.fields[i].type, column)
        );
        this.#post({ type: "taken", id });
        const data = arrow.makeData({
          type: structType,
          length: message.length,
          nullCount: 0,
          children,
        });
        yield new arrow.RecordBatch(schema, data);
      }
    } finally {
      this.#reads.delete(id);
      if (!ended) this.#post({ type: "stop", id });
      if (this.#reads.size === 0) this.#stop();
    }
  }
}

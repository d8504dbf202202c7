/**
 * The main thread's side of the reader thread (reader_thread.ts): starts it, runs COPY reads in
 * it and yields their batches here, where the thread's column buffers become Arrow batches of the
 * read's schema. A read whose thread fails, crashes or stops without saying "end" fails: never
 * mistaken for the end of the data. The thread is stopped once no read uses it.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import { ConnectorError, dataFromWire } from "../../mod.ts";
import type { ArrowModule } from "./column_builders.ts";
import type { CopyRead } from "./copy_read.ts";
import type { ConnectionSettings } from "./settings.ts";
import { errorFromWire, type MainMessage, type ReaderMessage } from "./worker_messages.ts";

const READER_URL = new URL("./reader_thread.ts", import.meta.url);

/** One reader thread and the reads running in it. */
export class ReaderThread {
  readonly #worker: Worker;
  /** Each running read's table (for errors) and where its messages go. */
  readonly #reads = new Map<number, { table: string; deliver: (m: ReaderMessage) => void }>();
  #nextId = 0;
  #stopped = false;

  private constructor(worker: Worker, private onStop: () => void) {
    this.#worker = worker;
    worker.onmessage = (event: MessageEvent<ReaderMessage>) =>
      this.#reads.get(event.data.id)?.deliver(event.data);
    worker.onerror = (event) => {
      // Handled here: an unhandled worker error would end the whole process.
      event.preventDefault();
      this.#failAll(`failed: ${event.message}`);
    };
    worker.onmessageerror = () => this.#failAll("sent a message that could not be read");
  }

  /** Starts a thread, or returns undefined where threads are not available (a sandbox). */
  static start(onStop: () => void): ReaderThread | undefined {
    try {
      const worker = new Worker(READER_URL.href, { type: "module", name: "dvt-postgres-reader" });
      return new ReaderThread(worker, onStop);
    } catch {
      return undefined;
    }
  }

  /** True while the thread can take reads. */
  get running(): boolean {
    return !this.#stopped;
  }

  /** Stops the thread at once; its reads fail (their connections close with it). */
  stop(): void {
    this.#failAll("was stopped");
  }

  #post(message: MainMessage): void {
    if (!this.#stopped) this.#worker.postMessage(message);
  }

  #failAll(what: string): void {
    for (const [id, { table, deliver }] of this.#reads) {
      const message = `table "${table}": the reader thread ${what}`;
      deliver({ type: "error", id, error: { kind: "connector", message } });
    }
    this.#end();
  }

  #end(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#worker.terminate();
    this.onStop();
  }

  /** Runs `read` in the thread and yields its batches. */
  async *read(
    arrow: ArrowModule,
    settings: ConnectionSettings,
    read: CopyRead,
    schema: Arrow.Schema,
  ): AsyncGenerator<Arrow.RecordBatch> {
    const id = this.#nextId++;
    const inbox: ReaderMessage[] = [];
    let wake: (() => void) | undefined;
    this.#reads.set(id, {
      table: read.table,
      deliver: (message) => {
        inbox.push(message);
        wake?.();
      },
    });
    const structType = new arrow.Struct(schema.fields);
    let ended = false;
    try {
      if (this.#stopped) {
        throw new ConnectorError(`table "${read.table}": the reader thread stopped`);
      }
      this.#post({ type: "start", id, settings, read });
      while (true) {
        const message = inbox.shift();
        if (!message) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        if (message.type === "error") {
          ended = true;
          throw errorFromWire(message.error);
        }
        if (message.type === "end") {
          ended = true;
          return;
        }
        if (message.columns.length !== schema.fields.length) {
          throw new ConnectorError(`table "${read.table}": the reader thread sent other columns`);
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
      if (this.#reads.size === 0) this.#end();
    }
  }
}

/**
 * Everything a fold does runs in a worker thread of its own, off the thread that acknowledges
 * deliveries: reading the micro-batch's records back from the write-ahead log, the connector's
 * `receive()`/`receiveBatch()` (its own instance, loaded in the worker), setting refused
 * deliveries aside, Parquet encoding, partition compaction and the catalog's rebuild. On the
 * acknowledging thread each of these showed up as latency of the deliveries waiting behind it:
 * DuckDB's synchronous close (~100 ms per fold), receive() slices, and the garbage collections
 * of the bodies, parsed payloads and rows a fold keeps alive for its duration. That thread now
 * sends a fold only which log records to fold; nothing of a delivery's content crosses. One
 * fold at a time per source (`ServedSource` never overlaps its folds), so one worker per source.
 *
 * @module
 */
import { LockHeldError } from "../extract/run_lock.ts";
import type { LogLevel, OutputMode } from "../util/output.ts";
import type { LoggedSegment } from "./write_ahead_log.ts";

/** How the worker loads its own instance of the source's connector. */
export interface ReceiverSource {
  /** The connector as dvt.yaml names it (resolved as `dvt extract` resolves it). */
  ref: string;
  projectDir?: string;
  /** The connector's checked configuration. */
  config: Record<string, unknown>;
  /** The connector's name (for messages). */
  connectorName: string;
  /** The tables written (the source's `tables:`); rows of the others are dropped. */
  streamTables: readonly string[];
  /** Source table -> its configured `destination` (dvt.yaml), for the tables that have one. */
  destinations: Readonly<Record<string, string>>;
  /** How the connector's log lines are printed. */
  logging: { mode: OutputMode; level: LogLevel };
}

/** What the worker is told once, when it starts. */
export interface FoldWorkerOpen {
  kind: "open";
  source: ReceiverSource;
  outDir: string;
}

/** One fold: the log records to fold (by segment), and where refusals are set aside. */
export interface FoldWorkerFold {
  kind: "fold";
  segments: LoggedSegment[];
  /** Highest log position folded. */
  seq: number;
  refusedPath: string;
  lockWaitMs?: number;
}

/** A refusal as it crosses back: which delivery, and the connector's reason. */
export interface RefusalNote {
  seq: number;
  id?: string;
  message: string;
}

/** What the worker answers to a fold. */
export type FoldWorkerReply =
  | {
    kind: "folded";
    rows: Record<string, number>;
    refused: RefusalNote[];
    recorded: RefusalNote[];
  }
  | { kind: "failed"; message: string; lockHeld: boolean; recorded: RefusalNote[] }
  | { kind: "closed" };

/** What a fold did. */
export interface FoldOutcome {
  /** View name -> rows appended. */
  rows: Record<string, number>;
  /** Every delivery of the fold the connector refused. */
  refused: RefusalNote[];
}

/**
 * How much lower than the thread that answers deliveries the fold thread (and the threads it
 * starts) is scheduled. Folds are batch work that may run late; when both want a core, the
 * answering thread should get it (at nice 10 a fold gets about a tenth of a core it shares with a
 * thread at nice 0), or each fold shows as latency of the deliveries that arrive meanwhile.
 */
export const FOLD_NICENESS = 10;

const WORKER_URL = new URL("./fold_worker.ts", import.meta.url);
const CLOSE_WAIT_MS = 10_000;

/** A worker that receives and folds micro-batches; see the module documentation. */
export class FoldThread {
  readonly #open: FoldWorkerOpen;
  #worker?: Worker;
  #waiting?: { resolve: (reply: FoldWorkerReply) => void; reject: (error: Error) => void };
  /** Refusals set aside by this fold's tries, reported as soon as they are known. */
  onRecorded?: (recorded: RefusalNote[]) => void;

  constructor(source: ReceiverSource, outDir: string) {
    this.#open = { kind: "open", source, outDir };
  }

  /** Folds the records, in the worker (refusals set aside go to `onRecorded` first). */
  async fold(request: Omit<FoldWorkerFold, "kind">): Promise<FoldOutcome> {
    const reply = await this.#ask({ kind: "fold", ...request });
    if (reply.kind === "closed") throw new Error("the fold thread was stopped");
    if (reply.recorded.length) this.onRecorded?.(reply.recorded);
    if (reply.kind === "folded") return { rows: reply.rows, refused: reply.refused };
    if (reply.lockHeld) throw new LockHeldError(reply.message);
    throw new Error(reply.message);
  }

  /** Starts the worker now (its modules and connector load in the background). */
  start(): void {
    this.#started();
  }

  /** Closes the worker's connector, then stops the worker (after the last fold). */
  async close(): Promise<void> {
    if (this.#worker && !this.#waiting) {
      const closed = this.#ask({ kind: "close" }).catch(() => {});
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([closed, new Promise((done) => timer = setTimeout(done, CLOSE_WAIT_MS))]);
      clearTimeout(timer);
    }
    this.#worker?.terminate();
    this.#worker = undefined;
    this.#settle(undefined, new Error("the fold thread was stopped"));
  }

  #ask(message: FoldWorkerFold | { kind: "close" }): Promise<FoldWorkerReply> {
    if (this.#waiting) throw new Error("a fold is already running in this thread");
    return new Promise<FoldWorkerReply>((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.#started().postMessage(message);
    });
  }

  #started(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WORKER_URL.href, { type: "module", name: "dvt-serve-fold" });
    worker.onmessage = (event: MessageEvent<FoldWorkerReply>) => this.#settle(event.data);
    worker.onerror = (event: ErrorEvent) => {
      // Handled here: an unhandled worker error would end the whole process. The next fold
      // starts a new worker; the deliveries stay logged.
      event.preventDefault();
      this.#worker?.terminate();
      this.#worker = undefined;
      this.#settle(undefined, new Error(`the fold worker failed: ${event.message}`));
    };
    // Messages are handled in order: the worker loads the connector before the first fold.
    worker.postMessage(this.#open);
    return this.#worker = worker;
  }

  #settle(reply: FoldWorkerReply | undefined, error?: Error): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (!waiting) return;
    if (reply) waiting.resolve(reply);
    else waiting.reject(error!);
  }
}

/**
 * Parallel reads of one rowid table: reader threads (read_worker.ts) decode rows into column
 * buffers while the main thread writes Parquet. The rowids are cut into chunks of about one
 * batch, dealt round-robin to the readers a few ahead, and taken back in rowid order: one source
 * (the protocol's `readParts` with one part), so the table is one Parquet file with one encoder,
 * as from `read()`, and a reader never idles while the other reads a long range. The chunks
 * cover every possible rowid, so they return exactly the rows `read()` would, however the rows
 * are spread; the span of the existing rowids only sizes them. All readers see one snapshot
 * (snapshot_lock.ts). WAL databases, views and WITHOUT ROWID tables are read by `read()`.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import type { DatabaseSync } from "node:sqlite";
import { ConnectorError } from "../../mod.ts";
import type { ColumnPlan } from "./affinity.ts";
import { batchOf } from "./batch_of.ts";
import { BEFORE_FIRST_ROWID } from "./page_reader.ts";
import { dataOf } from "./plain_arrow.ts";
import { ROWID } from "./select_sql.ts";
import type { SnapshotLock } from "./snapshot_lock.ts";
import type { FromReader, OpenReader, ToReader } from "./worker_messages.ts";

/** Tables spanning fewer rowids than this are read by `read()` unless `parallel` says otherwise. */
export const PARALLEL_MIN_ROWS = 1_000_000n;

/** Reader threads per table when config `parallel` is not set. */
export const PARALLEL_DEFAULT_READERS = 2;

const LAST_ROWID = 2n ** 63n - 1n;

/** Chunks each reader is sent before the main thread took the first back. */
const CHUNKS_AHEAD = 2;

/** At most this many chunks per table (sparse rowids: wider chunks, not more statements). */
const MAX_CHUNKS = 4096n;

/** How long a reader asked to close may take before it is terminated. */
const CLOSE_WAIT_MS = 10_000;

/** Rows (after, upper] of one chunk. */
export interface RowidRange {
  after: bigint;
  upper: bigint;
}

/**
 * The smallest and largest rowid of `table`, or undefined when it is empty. Two queries: SQLite
 * answers `min()` or `max()` alone from the end of the b-tree, but both in one SELECT by a scan.
 */
export function rowidSpan(
  db: DatabaseSync,
  quotedTable: string,
): { lo: bigint; hi: bigint } | undefined {
  const end = (order: "ASC" | "DESC") => {
    const statement = db.prepare(
      `SELECT ${ROWID} AS r FROM ${quotedTable} ORDER BY ${ROWID} ${order} LIMIT 1`,
    );
    statement.setReadBigInts(true);
    return (statement.get() as { r: bigint } | undefined)?.r;
  };
  const lo = end("ASC");
  const hi = end("DESC");
  return lo === undefined || hi === undefined ? undefined : { lo, hi };
}

/**
 * Chunks of `width` rowids (at least; at most MAX_CHUNKS of them) over [lo, hi]; the first
 * starts before every rowid and the last ends after every rowid, so together they cover any row.
 */
export function rowidChunks(lo: bigint, hi: bigint, width: bigint): RowidRange[] {
  const span = hi - lo + 1n;
  const step = width * MAX_CHUNKS >= span ? width : (span + MAX_CHUNKS - 1n) / MAX_CHUNKS;
  const chunks: RowidRange[] = [];
  for (let after = lo - 1n; after < hi; after += step) {
    chunks.push({ after, upper: after + step });
  }
  chunks[0].after = BEFORE_FIRST_ROWID;
  chunks[chunks.length - 1].upper = LAST_ROWID;
  return chunks;
}

/** What the reader threads of one table share. */
export interface ParallelRead {
  arrow: typeof Arrow;
  path: string;
  table: string;
  schema: Arrow.Schema;
  /** The selected columns (after the leading rowid, if any). */
  plans: ColumnPlan[];
  /** Rowid-paged SELECT with an upper bound (select_sql.ts, `upper: true`). */
  sql: string;
  /** Where its rows hold the rowid, and its leading columns that are not data (rowidPosition). */
  key: number;
  skip: number;
  batchRows: number;
  readers: number;
  chunks: RowidRange[];
  snapshot: SnapshotLock;
}

/** One reader thread and its messages, in order; a crashed thread is a failure, never an end. */
class ReaderThread {
  readonly #worker: Worker;
  #queue: FromReader[] = [];
  #wake?: () => void;
  #closed = false;

  constructor(read: ParallelRead) {
    this.#worker = new Worker(new URL("./read_worker.ts", import.meta.url), {
      type: "module",
      name: `dvt-sqlite-reader-${read.table}`,
    });
    this.#worker.onmessage = (event: MessageEvent<FromReader>) => this.#push(event.data);
    this.#worker.onerror = (event: ErrorEvent) => {
      // Handled here: an unhandled worker error would end the whole process.
      event.preventDefault();
      this.#push({ kind: "error", message: `the reader thread failed: ${event.message}` });
    };
    this.#worker.onmessageerror = () => {
      this.#push({ kind: "error", message: "a reader thread's message could not be read" });
    };
    this.post(
      {
        kind: "open",
        path: read.path,
        table: read.table,
        sql: read.sql,
        key: read.key,
        skip: read.skip,
        columns: read.plans.map((plan) => ({
          name: plan.name,
          declared: plan.declared,
          rowid: plan.rowid,
        })),
        batchRows: read.batchRows,
      } satisfies OpenReader,
    );
  }

  post(message: ToReader): void {
    this.#worker.postMessage(message);
  }

  #push(message: FromReader) {
    if (message.kind === "closed" || message.kind === "error") this.#closed = true;
    this.#queue.push(message);
    this.#wake?.();
    this.#wake = undefined;
  }

  async next(): Promise<FromReader> {
    while (!this.#queue.length) await new Promise<void>((resolve) => this.#wake = resolve);
    return this.#queue.shift()!;
  }

  /** Asks the reader to close its file and waits until it did (or failed, or took too long). */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.post({ kind: "close" });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<void>((resolve) => timer = setTimeout(resolve, CLOSE_WAIT_MS));
      await Promise.race([this.#untilClosed(), late]);
      clearTimeout(timer);
    }
    this.#worker.terminate();
  }

  async #untilClosed(): Promise<void> {
    while (!this.#closed) await this.next();
    this.#queue = [];
  }
}

/** The table's rows in rowid order, read by `read.readers` threads; see the module doc. */
export async function* readInParallel(read: ParallelRead): AsyncGenerator<Arrow.RecordBatch> {
  const { chunks } = read;
  read.snapshot.enter();
  const readers: ReaderThread[] = [];
  try {
    for (let i = 0; i < read.readers; i++) readers.push(new ReaderThread(read));
    let sent = 0;
    const sendNext = () => {
      if (sent >= chunks.length) return;
      readers[sent % readers.length].post({ kind: "range", ...chunks[sent] });
      sent++;
    };
    while (sent < Math.min(chunks.length, readers.length * CHUNKS_AHEAD)) sendNext();
    const types = read.schema.fields.map((field) => field.type);
    for (let chunk = 0; chunk < chunks.length; chunk++) {
      const reader = readers[chunk % readers.length];
      for (
        let message = await reader.next();
        message.kind !== "range-end";
        message = await reader.next()
      ) {
        if (message.kind === "error") {
          throw new ConnectorError(message.message, { hint: message.hint });
        }
        if (message.kind !== "batch") {
          throw new ConnectorError(`table "${read.table}": a reader thread ended before its rows`);
        }
        const children = message.columns.map((column, i) => dataOf(read.arrow, types[i], column));
        yield batchOf(read.arrow, read.schema, message.rows, children);
      }
      sendNext();
    }
    await Promise.all(readers.map((reader) => reader.close()));
    // Still under the lock: the file must not have changed since the readers started.
    read.snapshot.verify();
  } finally {
    await Promise.all(readers.map((reader) => reader.close()));
    read.snapshot.leave();
  }
}

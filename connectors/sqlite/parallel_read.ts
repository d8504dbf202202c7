/**
 * Parallel reads of one rowid table: its rowids split into ranges, each read by a reader thread
 * (read_worker.ts) that decodes rows into column buffers while the main thread writes Parquet,
 * one part per range (the protocol's `readParts`). The ranges cover every possible rowid, so
 * they return exactly the rows one `read()` would, however the rows are spread; the span of the
 * existing rowids only balances them. All ranges see one snapshot (snapshot_lock.ts); WAL
 * databases, views and WITHOUT ROWID tables are read by one `read()` instead.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import type { DatabaseSync } from "node:sqlite";
import { type BatchSource, ConnectorError } from "../../mod.ts";
import type { ColumnPlan } from "./affinity.ts";
import { batchOf } from "./batch_of.ts";
import { BEFORE_FIRST_ROWID } from "./page_reader.ts";
import { dataOf } from "./plain_arrow.ts";
import { ROWID } from "./select_sql.ts";
import type { SnapshotLock } from "./snapshot_lock.ts";
import type { FromReader, StartRead, ToReader } from "./worker_messages.ts";

/** Tables whose rowids span fewer rows than this are read by one `read()` unless `parallel` says otherwise. */
export const PARALLEL_MIN_ROWS = 500_000n;

/** Reader threads per table when config `parallel` is not set. */
export const PARALLEL_DEFAULT_READERS = 2;

const LAST_ROWID = 2n ** 63n - 1n;

/** Batches a reader may have sent before the main thread took them. */
const CREDIT = 2;

/** How long a reader asked to stop may take to close its file before it is terminated. */
const STOP_WAIT_MS = 10_000;

/** Rows (after, upper] of one reader. */
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
 * `parts` ranges of equal width over [lo, hi]; the first starts before every rowid and the last
 * ends after every rowid, so together they cover any row.
 */
export function rowidRanges(lo: bigint, hi: bigint, parts: number): RowidRange[] {
  const width = (hi - lo + 1n) / BigInt(parts);
  const ranges: RowidRange[] = [];
  for (let i = 0; i < parts; i++) {
    ranges.push({
      after: i === 0 ? BEFORE_FIRST_ROWID : lo - 1n + width * BigInt(i),
      upper: i === parts - 1 ? LAST_ROWID : lo - 1n + width * BigInt(i + 1),
    });
  }
  return ranges;
}

/** What the reader threads of one table share. */
export interface ParallelRead {
  arrow: typeof Arrow;
  path: string;
  table: string;
  schema: Arrow.Schema;
  /** The selected columns (after the leading rowid). */
  plans: ColumnPlan[];
  /** Rowid-paged SELECT with an upper bound (select_sql.ts, `upper: true`). */
  sql: string;
  /** Where its rows hold the rowid, and its leading columns that are not data (rowidPosition). */
  key: number;
  skip: number;
  batchRows: number;
  snapshot: SnapshotLock;
}

/** Messages of one reader thread, in order; a crashed thread is a failure, never an end. */
class Inbox {
  #queue: FromReader[] = [];
  #wake?: () => void;

  constructor(worker: Worker) {
    worker.onmessage = (event: MessageEvent<FromReader>) => this.#push(event.data);
    worker.onerror = (event: ErrorEvent) => {
      // Handled here: an unhandled worker error would end the whole process.
      event.preventDefault();
      this.#push({ kind: "error", message: `the reader thread failed: ${event.message}` });
    };
    worker.onmessageerror = () => {
      this.#push({ kind: "error", message: "a reader thread's message could not be read" });
    };
  }

  #push(message: FromReader) {
    this.#queue.push(message);
    this.#wake?.();
    this.#wake = undefined;
  }

  async next(): Promise<FromReader> {
    while (!this.#queue.length) await new Promise<void>((resolve) => this.#wake = resolve);
    return this.#queue.shift()!;
  }
}

/** Asks a reader to close its file and waits until it did (or failed, or took too long). */
async function stopReader(worker: Worker, inbox: Inbox): Promise<void> {
  worker.postMessage({ kind: "stop" } satisfies ToReader);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => timer = setTimeout(resolve, STOP_WAIT_MS));
  const ended = (async () => {
    let message = await inbox.next();
    while (message.kind === "batch") message = await inbox.next();
  })();
  await Promise.race([ended, late]);
  clearTimeout(timer);
}

async function* readRange(
  read: ParallelRead,
  range: RowidRange,
): AsyncGenerator<Arrow.RecordBatch> {
  read.snapshot.enter();
  const worker = new Worker(new URL("./read_worker.ts", import.meta.url), {
    type: "module",
    name: `dvt-sqlite-reader-${read.table}`,
  });
  const inbox = new Inbox(worker);
  let ended = false;
  try {
    const start: StartRead = {
      kind: "start",
      path: read.path,
      table: read.table,
      sql: read.sql,
      columns: read.plans.map((plan) => ({
        name: plan.name,
        declared: plan.declared,
        rowid: plan.rowid,
      })),
      key: read.key,
      skip: read.skip,
      after: range.after,
      upper: range.upper,
      batchRows: read.batchRows,
      credit: CREDIT,
    };
    worker.postMessage(start);
    const types = read.schema.fields.map((field) => field.type);
    while (true) {
      const message = await inbox.next();
      if (message.kind === "done" || message.kind === "stopped") {
        ended = true;
        if (message.kind === "done") break;
        throw new ConnectorError(`table "${read.table}": a reader thread stopped unasked`);
      }
      if (message.kind === "error") {
        ended = true;
        throw new ConnectorError(message.message, { hint: message.hint });
      }
      worker.postMessage({ kind: "more" } satisfies ToReader);
      const children = message.columns.map((column, i) => dataOf(read.arrow, types[i], column));
      yield batchOf(read.arrow, read.schema, message.rows, children);
    }
    // Still under the lock: the file must not have changed since the first reader started.
    read.snapshot.verify();
  } finally {
    if (!ended) await stopReader(worker, inbox);
    worker.terminate();
    read.snapshot.leave();
  }
}

/** One source per range, each read by its own thread. */
export function rangeSources(read: ParallelRead, ranges: RowidRange[]): BatchSource[] {
  return ranges.map((range) => readRange(read, range));
}

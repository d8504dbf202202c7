/**
 * The messages between a parallel read (parallel_read.ts, main thread) and one reader thread
 * (read_worker.ts).
 *
 * @module
 */
import type { PlainData } from "./plain_arrow.ts";

/** Main -> reader: read one rowid range. */
export interface StartRead {
  kind: "start";
  path: string;
  table: string;
  /** A rowid-paged SELECT of select_sql.ts with an upper bound (binds: after, upper, limit). */
  sql: string;
  /** Where a row holds its rowid, and its leading columns that are not data (rowidPosition). */
  key: number;
  skip: number;
  /** The selected columns (after `skip`), as planColumn() takes them. */
  columns: { name: string; declared: string; rowid?: boolean }[];
  after: bigint;
  upper: bigint;
  batchRows: number;
  /** Batches the reader may send before it waits for `more`. */
  credit: number;
}

/** Main -> reader: the main thread took a batch; the reader may send one more. */
export interface MoreBatches {
  kind: "more";
}

/** Main -> reader: stop reading, close the file, answer `stopped`. */
export interface StopReading {
  kind: "stop";
}

/** Anything the main thread sends. */
export type ToReader = StartRead | MoreBatches | StopReading;

/** Reader -> main: one batch, its buffers transferred. */
export interface BatchRead {
  kind: "batch";
  rows: number;
  columns: PlainData[];
}

/** Reader -> main: the range is read completely. */
export interface RangeDone {
  kind: "done";
}

/** Reader -> main: stopped as asked, the file closed. */
export interface RangeStopped {
  kind: "stopped";
}

/** Reader -> main: the read failed; the table fails with this message. */
export interface ReadFailed {
  kind: "error";
  message: string;
  hint?: string;
}

/** Anything a reader sends. */
export type FromReader = BatchRead | RangeDone | RangeStopped | ReadFailed;

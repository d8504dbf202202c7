/**
 * The messages between a parallel read (parallel_read.ts, main thread) and one reader thread
 * (read_worker.ts). The main thread opens a reader, sends it rowid ranges (a few ahead), and
 * closes it; the reader answers each range with its batches and `range-end`, in order.
 *
 * @module
 */
import type { PlainData } from "./plain_arrow.ts";

/** Main -> reader: open the file and prepare the SELECT; ranges follow. */
export interface OpenReader {
  kind: "open";
  path: string;
  table: string;
  /** A rowid-paged SELECT of select_sql.ts with an upper bound (binds: after, upper, limit). */
  sql: string;
  /** Where a row holds its rowid, and its leading columns that are not data (rowidPosition). */
  key: number;
  skip: number;
  /** The selected columns (after `skip`), as planColumn() takes them. */
  columns: { name: string; declared: string; rowid?: boolean }[];
  batchRows: number;
}

/** Main -> reader: read the rows with rowids in (after, upper]. */
export interface ReadRange {
  kind: "range";
  after: bigint;
  upper: bigint;
}

/** Main -> reader: end the read transaction, close the file, answer `closed`. */
export interface CloseReader {
  kind: "close";
}

/** Anything the main thread sends. */
export type ToReader = OpenReader | ReadRange | CloseReader;

/** Reader -> main: one batch of the current range, its buffers transferred. */
export interface BatchRead {
  kind: "batch";
  rows: number;
  columns: PlainData[];
}

/** Reader -> main: the current range is read completely. */
export interface RangeEnd {
  kind: "range-end";
}

/** Reader -> main: the file is closed (after `close`). */
export interface ReaderClosed {
  kind: "closed";
}

/** Reader -> main: the read failed (the file is closed); the table fails with this message. */
export interface ReadFailed {
  kind: "error";
  message: string;
  hint?: string;
}

/** Anything a reader sends. */
export type FromReader = BatchRead | RangeEnd | ReaderClosed | ReadFailed;

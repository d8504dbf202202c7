/**
 * Parallel reads of one table: the rows split into contiguous ranges, one reader per range. Every
 * reader imports the snapshot a coordinating transaction exported (`pg_export_snapshot()` /
 * `SET TRANSACTION SNAPSHOT`), so together they see exactly the rows one reader would, even while
 * the table changes.
 *
 * A table whose primary key is one integer column is split by ranges of that key, each read by a
 * sequential scan that skips the other readers' rows; any other plain table by ranges of heap
 * pages (ctid), read by TID range scans. Measured on the 10M-row bench table (2 ranges, psql's
 * binary `\copy`, server CPU, BENCHMARKS.md): key ranges 5.6-6.4 CPU s, ctid ranges 6.7-8.3 s, the
 * whole table in one sequential scan 4.8-5.4 s. A TID range scan reads its pages without the
 * bulk-read buffer ring and synchronized scan a sequential scan uses; two sequential scans of the
 * same table share their reads, and skipping a row costs little next to sending it.
 *
 * @module
 */
import type { KeyRange, PageRange } from "./select_sql.ts";

/** Below a few pages per reader, the cost of another connection outweighs the split. */
const MIN_PAGES_PER_READER = 8;

/** How many readers a table of `pages` heap pages gets, at most `readers`. */
export function readerCount(pages: number, readers: number): number {
  return Math.max(1, Math.min(readers, Math.floor(pages / MIN_PAGES_PER_READER)));
}

/** Splits `pages` heap pages into at most `readers` ranges; the last is open-ended. */
export function splitPages(pages: number, readers: number): PageRange[] {
  const count = readerCount(pages, readers);
  const size = Math.ceil(pages / count);
  return Array.from({ length: count }, (_, i) => ({
    by: "pages" as const,
    fromPage: i * size,
    toPage: i === count - 1 ? undefined : (i + 1) * size,
  }));
}

/**
 * Splits the integer keys `[low, high]` into at most `count` ranges of equal width. The first has
 * no lower bound and the last no upper one, so together they cover every key whatever the bounds
 * (a NULL key cannot occur: it is the primary key).
 */
export function splitKeys(column: string, low: bigint, high: bigint, count: number): KeyRange[] {
  const span = high - low + 1n;
  const parts = span < BigInt(count) ? Number(span > 0n ? span : 1n) : count;
  const bounds = Array.from(
    { length: parts - 1 },
    (_, i) => low + (span * BigInt(i + 1)) / BigInt(parts),
  );
  return Array.from({ length: parts }, (_, i) => ({
    by: "key" as const,
    column,
    from: i === 0 ? undefined : String(bounds[i - 1]),
    to: i === parts - 1 ? undefined : String(bounds[i]),
  }));
}

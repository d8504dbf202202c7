/**
 * Parallel reads of one table: its heap pages split into contiguous ctid ranges, one reader per
 * range. Every reader imports the snapshot a coordinating transaction exported
 * (`pg_export_snapshot()` / `SET TRANSACTION SNAPSHOT`), so together they see exactly the rows
 * one reader would, even while the table changes.
 *
 * @module
 */
import type { PageRange } from "./select_sql.ts";

/** Splits `pages` heap pages into at most `readers` ranges; the last is open-ended. */
export function splitPages(pages: number, readers: number): PageRange[] {
  // Below a few pages per reader, the cost of another connection outweighs the split.
  const count = Math.max(1, Math.min(readers, Math.floor(pages / 8)));
  const size = Math.ceil(pages / count);
  return Array.from({ length: count }, (_, i) => ({
    fromPage: i * size,
    toPage: i === count - 1 ? undefined : (i + 1) * size,
  }));
}

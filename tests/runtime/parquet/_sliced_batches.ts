/** Test helper: a batch cut into consecutive slices, as a connector hands a table over. */
import assert from "node:assert/strict";
import type * as arrow from "apache-arrow";

/** `batch` as slices of the given sizes (0-row slices included), which must add up to it. */
export function sliced(batch: arrow.RecordBatch, sizes: number[]): arrow.RecordBatch[] {
  const out: arrow.RecordBatch[] = [];
  let at = 0;
  for (const size of sizes) {
    out.push(batch.slice(at, at + size));
    at += size;
  }
  assert.equal(at, batch.numRows);
  return out;
}

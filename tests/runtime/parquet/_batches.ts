/** Test helpers: record batches built from column data, and cut into slices. */
import assert from "node:assert/strict";
import * as arrow from "apache-arrow";

/** A batch of `schema` whose columns are `children` (all of one length). */
export function batchOf(schema: arrow.Schema, children: arrow.Data[]): arrow.RecordBatch {
  const length = children[0]?.length ?? 0;
  const data = arrow.makeData({ type: new arrow.Struct(schema.fields), length, children });
  return new arrow.RecordBatch(schema, data);
}

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

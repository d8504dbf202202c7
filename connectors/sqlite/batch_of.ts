/**
 * One RecordBatch from the columns a read filled (Arrow data made here or, from a parallel
 * reader's buffers, by {@linkcode dataOf}).
 *
 * @module
 */
import type * as Arrow from "apache-arrow";

/** A batch of `rows` rows of `schema` from one Arrow data per field. */
export function batchOf(
  arrow: typeof Arrow,
  schema: Arrow.Schema,
  rows: number,
  children: Arrow.Data[],
): Arrow.RecordBatch {
  const type = new arrow.Struct(schema.fields);
  const data = arrow.makeData({ type, length: rows, nullCount: 0, children });
  return new arrow.RecordBatch(schema, data);
}

/**
 * Result data -> Arrow batches of the declared schema: ARROW_STREAM chunks are decoded as IPC
 * streams and re-tagged where Databricks names a type differently (its session time zone on
 * TIMESTAMP columns); JSON_ARRAY rows are parsed per column type. Batches are cut to the
 * requested size.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import { batchFromValues, ConnectorError, ValueParseError } from "../../mod.ts";

/** Cuts a batch into batches of at most `size` rows. */
export function* cut(batch: Arrow.RecordBatch, size: number): Generator<Arrow.RecordBatch> {
  if (batch.numRows <= size) {
    if (batch.numRows) yield batch;
    return;
  }
  for (let start = 0; start < batch.numRows; start += size) yield batch.slice(start, start + size);
}

/** Puts a decoded batch under the declared schema, checking each column's type. */
export function conform(
  arrow: typeof Arrow,
  batch: Arrow.RecordBatch,
  schema: Arrow.Schema,
  label: string,
): Arrow.RecordBatch {
  if (batch.schema.fields.length !== schema.fields.length) {
    throw new ConnectorError(
      `${label}: the result has ${batch.schema.fields.length} columns, expected ${schema.fields.length}`,
    );
  }
  const children = schema.fields.map((field, i) => {
    const data = batch.data.children[i];
    const sent = String(data.type);
    if (sent === String(field.type)) return data;
    const retaggable = arrow.DataType.isTimestamp(data.type) &&
      arrow.DataType.isTimestamp(field.type) &&
      (data.type as Arrow.Timestamp).unit === (field.type as Arrow.Timestamp).unit &&
      !(data.type as Arrow.Timestamp).timezone === !(field.type as Arrow.Timestamp).timezone;
    if (!retaggable) {
      throw new ConnectorError(
        `${label}: column "${field.name}" came as ${sent}, expected ${field.type}`,
        {
          hint: "the table changed since discovery; run the extract again",
        },
      );
    }
    // The same instants: only the zone label differs (e.g. Etc/UTC vs UTC).
    return arrow.makeData({
      type: field.type as Arrow.Timestamp,
      offset: data.offset,
      length: data.length,
      nullCount: data.nullCount,
      nullBitmap: data.nullBitmap,
      data: data.values as BigInt64Array,
    });
  });
  const struct = arrow.makeData({
    type: new arrow.Struct(schema.fields),
    length: batch.numRows,
    nullCount: 0,
    children,
  });
  return new arrow.RecordBatch(schema, struct);
}

/** Builds a batch from JSON_ARRAY rows (strings or null). */
export function batchFromRows(
  arrow: typeof Arrow,
  schema: Arrow.Schema,
  rows: (string | null)[][],
  rowOffset: number,
  label: string,
): Arrow.RecordBatch {
  const columns = schema.fields.map((_, i) => rows.map((row) => row[i]));
  try {
    return batchFromValues(arrow, schema, columns, rowOffset);
  } catch (error) {
    if (error instanceof ValueParseError) {
      throw new ConnectorError(`${label}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

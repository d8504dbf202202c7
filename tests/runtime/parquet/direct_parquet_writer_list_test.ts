import assert from "node:assert/strict";
import { join } from "node:path";
import * as arrow from "apache-arrow";
import { queryDuckDB, tempDir } from "../../_helpers.ts";
import { batchOf, sliced } from "./_batches.ts";
import { ExtractError } from "../../../runtime/errors.ts";
import { writeParquetFile } from "../../../runtime/parquet/parquet_writer.ts";
import { DirectParquetWriter } from "../../../runtime/parquet/direct_parquet_writer.ts";
import { directlyWritable } from "../../../runtime/parquet/parquet_leaf.ts";
import { PAGE_BYTES } from "../../../runtime/parquet/parquet_column_chunk.ts";

const field = (name: string, type: arrow.DataType, nullable = true) =>
  new arrow.Field(name, type, nullable);
const listOf = (type: arrow.DataType, elementNullable = true) =>
  new arrow.List(field("item", type, elementNullable));

/** Row i of a nullable list<utf8>: null, empty, with a null element, or 1-4 strings. */
function labels(i: number): (string | null)[] | null {
  if (i % 13 === 5) return null;
  if (i % 7 === 2) return [];
  if (i % 11 === 4) return [`a${i}`, null, "Zürich 東京 🦆"];
  return Array.from({ length: 1 + (i % 4) }, (_, k) => `label-${i}-${k}`);
}

/** Row i of a NOT NULL list<int64> of NOT NULL elements (empty every 9th row). */
function counts(i: number): bigint[] {
  return i % 9 === 0
    ? []
    : Array.from({ length: 1 + (i % 3) }, (_, k) => BigInt(i) * 10n + BigInt(k) - 7n);
}

/** Row i of a nullable list<float64> (null elements every 5th row). */
function scores(i: number): (number | null)[] | null {
  if (i % 17 === 1) return null;
  return i % 5 === 0 ? [i / 4, null] : [i / 8];
}

function column<T extends arrow.DataType>(type: T, values: unknown[]): arrow.Data<T> {
  const builder = arrow.makeBuilder({ type, nullValues: [null, undefined] });
  for (const value of values) builder.append(value as never);
  return builder.finish().flush() as arrow.Data<T>;
}

const SCHEMA = new arrow.Schema([
  field("i", new arrow.Int32(), false),
  field("labels", listOf(new arrow.Utf8())),
  field("counts", listOf(new arrow.Int64(), false), false),
  field("scores", listOf(new arrow.Float64())),
  field("flags", listOf(new arrow.Bool())),
  field("seen", listOf(new arrow.TimestampMicrosecond("UTC"))),
]);

function listBatch(rows: number): arrow.RecordBatch {
  const ids = Array.from({ length: rows }, (_, i) => i);
  const children = [
    column(new arrow.Int32(), ids),
    column(SCHEMA.fields[1].type, ids.map(labels)),
    column(SCHEMA.fields[2].type, ids.map(counts)),
    column(SCHEMA.fields[3].type, ids.map(scores)),
    column(SCHEMA.fields[4].type, ids.map((i) => i % 6 === 0 ? null : [i % 2 === 0, null, true])),
    column(SCHEMA.fields[5].type, ids.map((i) => (i % 3 ? [Date.UTC(2026, 0, 1) + i * 1000] : []))),
  ];
  return batchOf(SCHEMA, children);
}

async function rowsOf(sql: string) {
  return await queryDuckDB(undefined, sql);
}

Deno.test("direct writer: lists (null, empty, null elements) read back value by value, across pages and row groups", async () => {
  await using dir = await tempDir();
  const rows = 260_003;
  const batch = listBatch(rows);
  assert.ok(directlyWritable(SCHEMA));
  const batches = sliced(batch, [0, 70_001, 123_456, 66_546]);
  const direct = join(dir.path, "direct.parquet");
  const wasm = join(dir.path, "wasm.parquet");
  await writeParquetFile(direct, batches, { table: "t", schema: SCHEMA });
  await writeParquetFile(wasm, batches, { table: "t", schema: SCHEMA, encoder: "parquet-wasm" });

  // The Parquet schema and DuckDB's types are parquet-wasm's.
  const schemaSql = (path: string) =>
    `SELECT name, type, repetition_type, num_children, converted_type, logical_type
     FROM parquet_schema('${path}')`;
  assert.deepEqual(await rowsOf(schemaSql(direct)), await rowsOf(schemaSql(wasm)));
  const describe = (path: string) => rowsOf(`DESCRIBE FROM '${path}'`);
  assert.deepEqual(await describe(direct), await describe(wasm));

  // More than one row group and more than one page per list column.
  const [layout] = await rowsOf(
    `SELECT count(DISTINCT row_group_id)::INT AS groups
     FROM parquet_metadata('${direct}') WHERE path_in_schema = 'labels, list, item'`,
  );
  assert.equal(layout.groups, 3);
  const [chunk] = await rowsOf(
    `SELECT max(total_uncompressed_size)::INT AS bytes FROM parquet_metadata('${direct}')
     WHERE path_in_schema = 'labels, list, item'`,
  );
  assert.ok(chunk.bytes as number > 2 * PAGE_BYTES, "a chunk of several pages");
  const [pages] = await rowsOf(
    `SELECT max(num_values)::INT AS entries FROM parquet_metadata('${direct}')
     WHERE path_in_schema = 'labels, list, item'`,
  );
  assert.ok(Number(pages.entries) > 122_880, "a row group's chunk counts level entries, not rows");

  // Every row as the other writer wrote it, and row by row as generated.
  const [difference] = await rowsOf(
    `SELECT (SELECT count(*) FROM (FROM '${direct}' EXCEPT ALL FROM '${wasm}')) +
            (SELECT count(*) FROM (FROM '${wasm}' EXCEPT ALL FROM '${direct}')) AS n`,
  );
  assert.equal(Number(difference.n), 0);
  const sample = await rowsOf(
    `SELECT i, labels, counts, scores FROM '${direct}' WHERE i % 997 = 0 OR i < 30 ORDER BY i`,
  );
  for (const row of sample) {
    const i = Number(row.i);
    assert.deepEqual(row.labels, labels(i), `labels of row ${i}`);
    assert.deepEqual(row.counts, counts(i), `counts of row ${i}`);
    assert.deepEqual(row.scores, scores(i), `scores of row ${i}`);
  }
  const ids = Array.from({ length: rows }, (_, i) => i);
  const [tally] = await rowsOf(
    `SELECT count(*) FILTER (labels IS NULL)::INT AS null_lists,
            count(*) FILTER (len(labels) = 0)::INT AS empty_lists,
            sum(len(list_filter(labels, x -> x IS NULL)))::INT AS null_elements,
            sum(len(labels))::INT AS elements,
            bool_and(i = file_row_number) AS in_order
     FROM read_parquet('${direct}', file_row_number = true)`,
  );
  assert.deepEqual(tally, {
    null_lists: ids.filter((i) => labels(i) === null).length,
    empty_lists: ids.filter((i) => labels(i)?.length === 0).length,
    null_elements: ids.filter((i) => labels(i)?.includes(null)).length,
    elements: ids.reduce((sum, i) => sum + (labels(i)?.length ?? 0), 0),
    in_order: true,
  });
});

Deno.test("direct writer: a null list spanning elements writes none of them", async () => {
  // Arrow allows a null list's offsets to span child values; they are not the list's elements.
  await using dir = await tempDir();
  const type = listOf(new arrow.Int32());
  const child = column(new arrow.Int32(), [1, 2, 3, 4, 5, 6]);
  const data = arrow.makeData({
    type,
    length: 3,
    nullCount: 1,
    nullBitmap: Uint8Array.of(0b101),
    valueOffsets: Int32Array.of(0, 2, 4, 6),
    child,
  });
  const schema = new arrow.Schema([field("l", type)]);
  const path = join(dir.path, "l.parquet");
  const writer = await DirectParquetWriter.open(path, schema);
  writer.write(batchOf(schema, [data]));
  await writer.finish();
  const rows = await rowsOf(`SELECT l FROM '${path}'`);
  assert.deepEqual(rows.map((row) => row.l), [
    [1, 2],
    null,
    [5, 6],
  ]);
});

Deno.test("direct writer: a null in a list declared without nulls fails the table", async () => {
  await using dir = await tempDir();
  const schema = new arrow.Schema([field("l", listOf(new arrow.Int64(), false), false)]);
  for (const values of [[[1n], null], [[1n, null]]] as unknown[][]) {
    // Arrow's builders do not enforce a field's nullability: the batch has nulls all the same.
    const data = column(schema.fields[0].type, values);
    assert.equal((values.includes(null) ? data : data.children[0]).nullCount, 1);
    const batch = batchOf(schema, [data]);
    const error = await writeParquetFile(join(dir.path, "n.parquet"), [batch], {
      table: "n",
      schema,
    }).catch((e) => e);
    assert.ok(error instanceof ExtractError, String(error));
    assert.match(error.message, /table "n".*column "l" is a list declared without nulls/);
  }
});

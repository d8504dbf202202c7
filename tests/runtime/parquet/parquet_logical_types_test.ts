import assert from "node:assert/strict";
import { join } from "node:path";
import * as arrow from "apache-arrow";
import { decodeStruct, encodeStruct } from "../../../runtime/parquet/thrift_compact.ts";
import { writeParquetFile } from "../../../runtime/parquet/parquet_writer.ts";
import { leafAnnotations } from "../../../runtime/parquet/parquet_logical_types.ts";
import { queryDuckDB, REPO_ROOT, tempDir } from "../../_helpers.ts";

async function footerOf(path: string): Promise<Uint8Array> {
  const bytes = await Deno.readFile(path);
  const length = new DataView(bytes.buffer).getUint32(bytes.length - 8, true);
  return bytes.subarray(bytes.length - 8 - length, bytes.length - 8);
}

Deno.test("thrift_compact: Parquet footers from DuckDB and parquet-wasm re-encode byte for byte", async () => {
  await using dir = await tempDir();
  const written = join(dir.path, "w.parquet");
  const table = arrow.tableFromArrays({ id: BigInt64Array.from([1n, -2n]), name: ["a", "b"] });
  await writeParquetFile(written, table.batches, { table: "t" });
  for (
    const path of [
      join(REPO_ROOT, "tests/fixtures/files/typed/special.parquet"),
      join(REPO_ROOT, "tests/fixtures/files/typed/nested.parquet"),
      written,
    ]
  ) {
    const footer = await footerOf(path);
    assert.deepEqual(encodeStruct(decodeStruct(footer)), footer, path);
  }
});

const extension = (name: string) =>
  new Map([["ARROW:extension:name", name], ["ARROW:extension:metadata", ""]]);

Deno.test("writeParquetFile() gives arrow.uuid, arrow.json and interval leaves DuckDB's types, nested too", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "t.parquet");
  const uuid = new arrow.Field("u", new arrow.FixedSizeBinary(16), true, extension("arrow.uuid"));
  const schema = new arrow.Schema([
    uuid,
    new arrow.Field("j", new arrow.Utf8(), true, extension("arrow.json")),
    new arrow.Field("span", new arrow.FixedSizeBinary(12), true, extension("dvt.parquet_interval")),
    new arrow.Field(
      "us",
      new arrow.List(new arrow.Field("element", uuid.type, true, uuid.metadata)),
      true,
    ),
  ]);
  assert.deepEqual(leafAnnotations(schema.fields), ["uuid", "json", "interval", "uuid"]);
  const bytes = Uint8Array.from({ length: 16 }, (_, i) => i);
  const interval = new Uint8Array(12);
  new DataView(interval.buffer).setUint32(0, 14, true); // months
  new DataView(interval.buffer).setUint32(4, 3, true); // days
  new DataView(interval.buffer).setUint32(8, 1500, true); // milliseconds
  const column = (field: arrow.Field, values: unknown[]) => {
    const builder = arrow.makeBuilder({ type: field.type, nullValues: [null] });
    for (const value of values) builder.append(value);
    return builder.finish().flush();
  };
  const data = arrow.makeData({
    type: new arrow.Struct(schema.fields),
    length: 2,
    nullCount: 0,
    children: [
      column(schema.fields[0], [bytes, null]),
      column(schema.fields[1], ['{"a": [1]}', null]),
      column(schema.fields[2], [interval, null]),
      column(schema.fields[3], [[bytes], null]),
    ],
  });
  await writeParquetFile(path, [new arrow.RecordBatch(schema, data)], { table: "t", schema });
  const types = await queryDuckDB(undefined, `DESCRIBE SELECT * FROM '${path}'`);
  assert.deepEqual(types.map((r) => r.column_type), ["UUID", "JSON", "INTERVAL", "UUID[]"]);
  const [row] = await queryDuckDB(
    undefined,
    `SELECT u::VARCHAR AS u, j::VARCHAR AS j, span::VARCHAR AS span, us[1]::VARCHAR AS first
     FROM '${path}' WHERE u IS NOT NULL`,
  );
  assert.deepEqual(row, {
    u: "00010203-0405-0607-0809-0a0b0c0d0e0f",
    j: '{"a": [1]}',
    span: "1 year 2 months 3 days 00:00:01.5",
    first: "00010203-0405-0607-0809-0a0b0c0d0e0f",
  });
});

import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { queryDuckDB, REPO_ROOT, tempDir } from "../../_helpers.ts";
import { ExtractError } from "../../../runtime/errors.ts";
import { writeParquetFile } from "../../../runtime/parquet/parquet_writer.ts";
import { batchOf, schemaOf } from "../../fixtures/runtime/connectors.ts";

const BENCH = fileURLToPath(new URL("../../../bench/arrow_batches.ts", import.meta.url));

const ids = (from: number, n: number) =>
  batchOf({
    id: { type: new arrow.Int64(), values: Array.from({ length: n }, (_, i) => BigInt(from + i)) },
  });

Deno.test("writeParquetFile() streams many batches into one zstd file read back row by row", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/t.parquet`;
  async function* batches() {
    for (let i = 0; i < 30; i++) yield ids(i * 10_000, 10_000);
  }
  const result = await writeParquetFile(path, batches(), { table: "t" });
  assert.equal(result.rows, 300_000);
  assert.equal(result.bytes, (await Deno.stat(path)).size);
  const rows = await queryDuckDB(
    undefined,
    `SELECT count(*)::INT AS n, sum(id)::BIGINT AS s, count(DISTINCT id)::INT AS d FROM '${path}'`,
  );
  assert.deepEqual(rows, [{ n: 300_000, s: 44_999_850_000n, d: 300_000 }]);
  const meta = await queryDuckDB(
    undefined,
    `SELECT DISTINCT compression FROM parquet_metadata('${path}')`,
  );
  assert.deepEqual(meta, [{ compression: "ZSTD" }]);
  const groups = await queryDuckDB(
    undefined,
    `SELECT max(row_group_num_rows)::INT AS m FROM parquet_metadata('${path}')`,
  );
  assert.ok(Number(groups[0].m) <= 122_880);
});

Deno.test("writeParquetFile() writes an empty table with its declared columns", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/e.parquet`;
  const schema = schemaOf({ id: new arrow.Int64(), name: new arrow.Utf8() });
  const result = await writeParquetFile(path, [], { table: "e", schema });
  assert.equal(result.rows, 0);
  const columns = await queryDuckDB(undefined, `DESCRIBE SELECT * FROM '${path}'`);
  assert.deepEqual(columns.map((c) => [c.column_name, c.column_type]), [
    ["id", "BIGINT"],
    ["name", "VARCHAR"],
  ]);
});

Deno.test("writeParquetFile() fails instead of truncating when the source throws", async () => {
  await using dir = await tempDir();
  function* failing() {
    yield ids(0, 10);
    throw new Error("connection reset");
  }
  await assert.rejects(
    () => writeParquetFile(`${dir.path}/f.parquet`, failing(), { table: "f" }),
    /connection reset/,
  );
});

Deno.test("writeParquetFile() rejects a batch that does not match the declared schema", async () => {
  await using dir = await tempDir();
  const schema = schemaOf({ id: new arrow.Int64() });
  const wrong = batchOf({ other: { type: new arrow.Int64(), values: [1n] } });
  await assert.rejects(
    () => writeParquetFile(`${dir.path}/w.parquet`, [ids(0, 1), wrong], { table: "w", schema }),
    (error: unknown) => {
      assert.ok(error instanceof ExtractError);
      assert.match(
        error.message,
        /batch 2 does not match the declared schema: missing column\(s\) id; unexpected column\(s\) other/,
      );
      return true;
    },
  );
});

async function peakRss(rows: number): Promise<number> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", `${REPO_ROOT}deno.json`, BENCH, "--rows", String(rows)],
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const result = JSON.parse(new TextDecoder().decode(output.stdout));
  assert.equal(result.rows, rows);
  return result.peakRssBytes;
}

Deno.test("ConnectorRuntime memory stays flat from 500k to 5M rows", async () => {
  const small = await peakRss(500_000);
  const large = await peakRss(5_000_000);
  // The extra 4.5M rows are ~130 MB of raw Arrow data; holding them (or the Parquet output)
  // would exceed the slack, which only covers allocator and GC growth (measured ~30 MB).
  assert.ok(large < small + 80 * 1024 * 1024, `peak RSS ${small} -> ${large} bytes`);
});

Deno.test("writeParquetFile() round-trips decimals and dictionary-encoded strings", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/d.parquet`;
  const words = new Uint32Array([12345, 0, 0, 0, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff]);
  const amount = arrow.makeVector(
    arrow.makeData({ type: new arrow.Decimal(2, 10, 128), length: 2, data: words }),
  );
  const status = arrow.vectorFromArray(
    ["paid", "open"],
    new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()),
  );
  await writeParquetFile(path, new arrow.Table({ amount, status }).batches, { table: "d" });
  const rows = await queryDuckDB(
    undefined,
    `SELECT amount::VARCHAR AS amount, typeof(amount) AS type, status FROM '${path}'`,
  );
  assert.deepEqual(rows, [
    { amount: "123.45", type: "DECIMAL(10,2)", status: "paid" },
    { amount: "-0.01", type: "DECIMAL(10,2)", status: "open" },
  ]);
});

Deno.test("writeParquetFile() fails, not hangs, on a column type the encoder cannot store", async () => {
  await using dir = await tempDir();
  const type = new arrow.IntervalMonthDayNano();
  const schema = new arrow.Schema([
    new arrow.Field("id", new arrow.Int32(), true),
    new arrow.Field("span", type, true),
  ]);
  const column = (field: arrow.Field) => {
    const builder = arrow.makeBuilder({ type: field.type, nullValues: [null] });
    builder.append(null);
    return builder.finish().flush();
  };
  const data = arrow.makeData({
    type: new arrow.Struct(schema.fields),
    length: 1,
    nullCount: 0,
    children: schema.fields.map(column),
  });
  const batch = new arrow.RecordBatch(schema, data);
  for (const declared of [schema, undefined]) {
    await assert.rejects(
      () =>
        writeParquetFile(join(dir.path, "t.parquet"), [batch], {
          table: "spans",
          schema: declared,
        }),
      (error: Error) =>
        error instanceof ExtractError &&
        /table "spans" has column types Parquet cannot store: .*MonthDayNano/.test(error.message),
    );
  }
});

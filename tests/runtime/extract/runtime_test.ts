import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { queryDuckDB, tempDir } from "../../_helpers.ts";
import { ExtractError, InputError } from "../../../runtime/errors.ts";
import { Cap, type Connector } from "../../../runtime/protocol.ts";
import { ConnectorRuntime } from "../../../runtime/extract/runtime.ts";
import { batchOf, memoryConnector, schemaOf } from "../../fixtures/runtime/connectors.ts";

const mixedSchema = schemaOf({
  i32: new arrow.Int32(),
  i64: new arrow.Int64(),
  f64: new arrow.Float64(),
  s: new arrow.Utf8(),
  b: new arrow.Bool(),
  d: new arrow.DateDay(),
  ts: new arrow.TimestampMillisecond(),
});

function mixedBatch(offset: number, n: number) {
  const idx = Array.from({ length: n }, (_, i) => offset + i);
  return batchOf({
    i32: { type: new arrow.Int32(), values: idx.map((i) => (i % 5 === 0 ? null : i)) },
    i64: { type: new arrow.Int64(), values: idx.map((i) => BigInt(i) * 10_000_000_000n) },
    f64: { type: new arrow.Float64(), values: idx.map((i) => i / 4) },
    s: { type: new arrow.Utf8(), values: idx.map((i) => (i % 7 === 0 ? null : `name ${i} ü`)) },
    b: { type: new arrow.Bool(), values: idx.map((i) => i % 2 === 0) },
    d: { type: new arrow.DateDay(), values: idx.map((i) => new Date(Date.UTC(2026, 0, 1 + i))) },
    ts: {
      type: new arrow.TimestampMillisecond(),
      values: idx.map((i) => new Date(Date.UTC(2026, 0, 1, 0, 0, i))),
    },
  });
}

function shop() {
  return memoryConnector([
    {
      info: { name: "mixed", schema: mixedSchema, description: "all types" },
      *batches() {
        yield mixedBatch(0, 100);
        yield mixedBatch(100, 50);
      },
    },
    {
      info: { name: "Order Items", schema: schemaOf({ id: new arrow.Int32() }) },
      *batches() {
        yield batchOf({ id: { type: new arrow.Int32(), values: [1, 2, 3] } });
      },
    },
    {
      info: { name: "empty", schema: schemaOf({ id: new arrow.Int64(), note: new arrow.Utf8() }) },
      *batches() {},
    },
  ]);
}

Deno.test("run() extracts every discovered table and round-trips mixed types", async () => {
  await using dir = await tempDir();
  const { connector } = shop();
  const result = await new ConnectorRuntime(dir.path).run(connector);
  assert.equal(result.tablesExtracted, 3);
  assert.equal(result.tablesFailed, 0);
  assert.equal(result.totalRows, 153);
  const db = `${dir.path}/extract.duckdb`;
  const rows = await queryDuckDB(db, "SELECT * FROM mixed ORDER BY f64");
  assert.equal(rows.length, 150);
  const expected = [...mixedBatch(0, 100).toArray(), ...mixedBatch(100, 50).toArray()];
  rows.forEach((row, i) => {
    const want = expected[i].toJSON();
    assert.equal(row.i32, want.i32);
    assert.equal(row.i64, want.i64);
    assert.equal(row.f64, want.f64);
    assert.equal(row.s, want.s);
    assert.equal(row.b, want.b);
    assert.equal((row.d as Date).getTime(), want.d);
    assert.equal((row.ts as Date).getTime(), want.ts);
  });
  const meta = await queryDuckDB(
    db,
    "SELECT table_name, source_name, rows, size_bytes, query_mode, description, schema_json FROM _meta ORDER BY 1",
  );
  assert.deepEqual(meta.map((m) => [m.table_name, m.source_name, Number(m.rows), m.query_mode]), [
    ["empty", "empty", 0, "local"],
    ["mixed", "mixed", 150, "local"],
    ["order_items", "Order Items", 3, "local"],
  ]);
  assert.equal(meta[1].description, "all types");
  assert.ok(Number(meta[1].size_bytes) > 0);
  assert.deepEqual(
    JSON.parse(String(meta[1].schema_json)).fields.map((f: { type: string }) => f.type),
    ["Int32", "Int64", "Float64", "Utf8", "Bool", "Date32<DAY>", "Timestamp<MILLISECOND>"],
  );
  const empty = await queryDuckDB(db, "SELECT count(*)::INT AS n FROM empty");
  assert.equal(empty[0].n, 0);
  const columns = await queryDuckDB(db, "DESCRIBE empty");
  assert.deepEqual(columns.map((c) => c.column_name), ["id", "note"]);
});

Deno.test("run() extracts only the selected tables and keeps the others from earlier runs", async () => {
  await using dir = await tempDir();
  const runtime = new ConnectorRuntime(dir.path);
  await runtime.run(shop().connector, { tables: ["mixed"] });
  let meta = await queryDuckDB(`${dir.path}/extract.duckdb`, "SELECT table_name FROM _meta");
  assert.deepEqual(meta.map((m) => m.table_name), ["mixed"]);
  await runtime.run(shop().connector, { tables: ["Order Items"] });
  meta = await queryDuckDB(`${dir.path}/extract.duckdb`, "SELECT table_name FROM _meta ORDER BY 1");
  assert.deepEqual(meta.map((m) => m.table_name), ["mixed", "order_items"]);
  const n = await queryDuckDB(`${dir.path}/extract.duckdb`, "SELECT count(*)::INT AS n FROM mixed");
  assert.equal(n[0].n, 150);
});

Deno.test("run() rejects unknown tables with a suggestion before writing anything", async () => {
  await using dir = await tempDir();
  await assert.rejects(
    () => new ConnectorRuntime(`${dir.path}/out`).run(shop().connector, { tables: ["mixd"] }),
    (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.match(error.message, /unknown table "mixd".*did you mean "mixed"/);
      assert.match(error.hint ?? "", /available tables: mixed, Order Items, empty/);
      return true;
    },
  );
  await assert.rejects(() => Deno.stat(`${dir.path}/out`), Deno.errors.NotFound);
});

Deno.test("run() isolates a failing table and lands the others", async () => {
  await using dir = await tempDir();
  const schema = schemaOf({ id: new arrow.Int32() });
  const { connector } = memoryConnector([
    {
      info: { name: "good", schema },
      *batches() {
        yield batchOf({ id: { type: new arrow.Int32(), values: [1] } });
      },
    },
    {
      info: { name: "bad", schema },
      *batches() {
        yield batchOf({ id: { type: new arrow.Int32(), values: [1] } });
        throw new Error("source went away");
      },
    },
    {
      info: { name: "wrong_types", schema },
      *batches() {
        yield batchOf({ id: { type: new arrow.Utf8(), values: ["x"] } });
      },
    },
  ]);
  const result = await new ConnectorRuntime(dir.path).run(connector);
  assert.equal(result.tablesExtracted, 1);
  assert.equal(result.tablesFailed, 2);
  assert.deepEqual(result.errors.map((e) => e.table).sort(), ["bad", "wrong_types"]);
  assert.match(result.errors.find((e) => e.table === "bad")!.message, /source went away/);
  assert.match(
    result.errors.find((e) => e.table === "wrong_types")!.message,
    /column "id" has type Utf8, expected Int32/,
  );
  const meta = await queryDuckDB(`${dir.path}/extract.duckdb`, "SELECT table_name FROM _meta");
  assert.deepEqual(meta.map((m) => m.table_name), ["good"]);
  const files = await Array.fromAsync(Deno.readDir(`${dir.path}/data`));
  assert.equal(files.length, 1, "failed tables leave no files behind");
});

Deno.test("run() reads a connector without discover when tables are named", async () => {
  await using dir = await tempDir();
  const connector: Connector = {
    capabilities: Cap.READ,
    *read(table) {
      yield batchOf({ name: { type: new arrow.Utf8(), values: [table, table] } });
    },
  };
  await assert.rejects(() => new ConnectorRuntime(dir.path).run(connector), InputError);
  const result = await new ConnectorRuntime(dir.path).run(connector, { tables: ["a/b", "c"] });
  assert.equal(result.tablesExtracted, 2);
  const rows = await queryDuckDB(`${dir.path}/extract.duckdb`, "SELECT * FROM a_b");
  assert.deepEqual(rows, [{ name: "a/b" }, { name: "a/b" }]);
});

Deno.test("run() reports an unreadable published catalog as an ExtractError", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/extract.duckdb`, "garbage, not a database");
  await assert.rejects(
    () => new ConnectorRuntime(dir.path).run(shop().connector),
    (error: unknown) => {
      assert.ok(error instanceof ExtractError);
      assert.match(error.message, /cannot read the published catalog: Failed to open/);
      return true;
    },
  );
  assert.equal(await Deno.readTextFile(`${dir.path}/extract.duckdb`), "garbage, not a database");
});

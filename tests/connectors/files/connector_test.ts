import assert from "node:assert/strict";
import { join } from "node:path";
import * as arrow from "apache-arrow";
import factory, { type FilesConfig } from "../../../connectors/files/connector.ts";
import { createConnectorContext } from "../../../runtime/connector/context.ts";
import { createLogger } from "../../../runtime/util/output.ts";
import type { Connector, ReadOptions } from "../../../runtime/protocol.ts";
import { InputError } from "../../../runtime/errors.ts";
import { queryDuckDB, REPO_ROOT, tempDir } from "../../_helpers.ts";

const FIXTURES = join(REPO_ROOT, "tests/fixtures/files");

async function open(config: FilesConfig): Promise<Connector & AsyncDisposable> {
  const ctx = createConnectorContext({ connector: "files", logger: createLogger("plain") });
  const connector = await factory(ctx, { base_dir: FIXTURES, ...config });
  return Object.assign(connector, {
    async [Symbol.asyncDispose]() {
      await connector.close?.();
    },
  });
}

async function readAll(
  connector: Connector,
  table: string,
  options: Partial<ReadOptions> = {},
): Promise<{ rows: Record<string, unknown>[]; schema?: arrow.Schema; batches: number }> {
  const rows: Record<string, unknown>[] = [];
  let schema: arrow.Schema | undefined;
  let batches = 0;
  for await (const batch of connector.read!(table, { batchSize: 1000, ...options })) {
    schema = batch.schema;
    batches++;
    for (const row of batch) rows.push(row!.toJSON());
  }
  return { rows, schema, batches };
}

function typesOf(schema: arrow.Schema): Record<string, string> {
  return Object.fromEntries(schema.fields.map((f) => [f.name, String(f.type)]));
}

Deno.test("discover() maps sniffed CSV columns to Arrow types", async () => {
  await using connector = await open({ paths: ["orders.csv"] });
  const [table] = await connector.discover!();
  assert.equal(table.name, "orders");
  assert.equal(table.cursorField, "updated_at");
  assert.deepEqual(typesOf(table.schema), {
    id: "Int64",
    customer: "Utf8",
    amount: "Int64",
    price: "Float64",
    paid: "Bool",
    ordered_on: "Date32<DAY>",
    updated_at: "Timestamp<MICROSECOND>",
    note: "Utf8",
  });
});

Deno.test("read() yields every CSV value exactly, nulls included", async () => {
  await using connector = await open({ paths: ["orders.csv"] });
  const { rows } = await readAll(connector, "orders");
  assert.equal(rows.length, 4);
  assert.deepEqual(rows[0].id, 1n);
  assert.equal(rows[0].note, "first, with comma");
  assert.equal(rows[2].note, 'quote " inside');
  assert.equal(rows[3].note, "ünïcödé");
  assert.equal(rows[1].note, null);
  assert.equal(rows[3].amount, null);
  assert.equal(rows[3].paid, null);
  assert.equal(rows[2].amount, -2n);
  assert.equal(rows[2].price, 1234567.25);
  assert.equal(rows[0].paid, true);
  assert.equal(rows[1].paid, false);
  assert.equal(rows[0].ordered_on, Date.UTC(2026, 0, 1));
  // Microseconds survive: the raw timestamp value, not a millisecond Date.
  const table = new arrow.Table(await collect(connector, "orders"));
  const raw = table.getChild("updated_at")!.data[0].values as BigInt64Array;
  assert.equal(raw[0], BigInt(Date.UTC(2026, 0, 1, 10)) * 1000n + 123456n);
});

async function collect(connector: Connector, table: string): Promise<arrow.RecordBatch[]> {
  const batches: arrow.RecordBatch[] = [];
  for await (const batch of connector.read!(table, { batchSize: 1000 })) batches.push(batch);
  return batches;
}

Deno.test("read() applies projection, filter and incremental cursor", async () => {
  await using connector = await open({ paths: ["orders.csv"] });
  const projected = await readAll(connector, "orders", { columns: ["customer", "id"] });
  assert.deepEqual(projected.schema!.fields.map((f) => f.name), ["customer", "id"]);
  assert.deepEqual(projected.rows.map((r) => r.customer), ["alice", "bob", "carol", "dave"]);
  const filtered = await readAll(connector, "orders", {
    filter: { price: { ">=": 1 }, customer: { in: ["alice", "carol", "dave"] } },
  });
  assert.deepEqual(filtered.rows.map((r) => r.customer), ["alice", "carol"]);
  const nulls = await readAll(connector, "orders", { filter: { note: { "=": null } } });
  assert.deepEqual(nulls.rows.map((r) => r.customer), ["bob"]);
  const newer = await readAll(connector, "orders", {
    incrementalKey: "updated_at",
    incrementalValue: "2026-01-02T11:30:00.000Z",
  });
  assert.deepEqual(newer.rows.map((r) => r.customer), ["carol", "dave"]);
});

Deno.test("read() splits rows into batches of batchSize", async () => {
  await using connector = await open({ paths: ["orders.csv"] });
  const { rows, batches } = await readAll(connector, "orders", { batchSize: 1 });
  assert.equal(rows.length, 4);
  assert.equal(batches, 4);
});

Deno.test("read() handles TSV, JSON arrays with nested values, NDJSON and globs", async () => {
  await using connector = await open({
    paths: ["items.tsv", "products.json", "events.ndjson"],
    tables: { parts: "parts/*.csv" },
  });
  const names = (await connector.discover!()).map((t) => t.name).sort();
  assert.deepEqual(names, ["events", "items", "parts", "products"]);
  const items = await readAll(connector, "items");
  assert.deepEqual(items.rows, [
    { sku: "A-1", name: "Widget", weight: 1.25 },
    { sku: "B-2", name: "Gadget", weight: null },
  ]);
  const products = await readAll(connector, "products");
  assert.equal(typesOf(products.schema!).tags, "List<Utf8>");
  assert.equal(typesOf(products.schema!).dims, "Struct<{w:Int64, h:Int64}>");
  assert.deepEqual([...(products.rows[0].tags as arrow.Vector)], ["x", "y"]);
  assert.deepEqual({ ...(products.rows[1].dims as arrow.StructRow).toJSON() }, { w: 3n, h: 4n });
  assert.equal(products.rows[1].stock, null);
  const events = await readAll(connector, "events");
  assert.equal(typesOf(events.schema!).at, "Timestamp<MICROSECOND>");
  assert.deepEqual(events.rows.map((r) => r.event_id), [1n, 2n, 3n]);
  const parts = await readAll(connector, "parts");
  assert.deepEqual(parts.rows.map((r) => r.name), ["a", "b", "c"]);
});

Deno.test("read() keeps Parquet types: decimals, small ints, timestamps with units", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "typed.parquet");
  await queryDuckDB(
    undefined,
    `COPY (SELECT 12345.678::DECIMAL(10,3) AS d, (-5)::TINYINT AS t, 7::USMALLINT AS u,
      1.5::FLOAT AS f, TIMESTAMP '2026-03-01 12:00:00.000001' AS ts,
      TIMESTAMPTZ '2026-03-01 12:00:00+00' AS tz, 'x'::BLOB AS b, TIME '10:11:12' AS tm,
      NULL::DECIMAL(10,3) AS dn) TO '${file}' (FORMAT parquet)`,
  );
  await using connector = await open({ paths: [file] });
  const [info] = await connector.discover!();
  assert.deepEqual(typesOf(info.schema), {
    d: "Decimal[10e+3]",
    t: "Int8",
    u: "Uint16",
    f: "Float32",
    ts: "Timestamp<MICROSECOND>",
    tz: "Timestamp<MICROSECOND, UTC>",
    b: "Binary",
    tm: "Time64<MICROSECOND>",
    dn: "Decimal[10e+3]",
  });
  const [batch] = await collect(connector, "typed");
  const decimal = batch.getChild("d")!.data[0].values as Uint32Array;
  assert.equal(decimal[0], 12345678);
  assert.equal(batch.getChild("t")!.get(0), -5);
  assert.equal(batch.getChild("u")!.get(0), 7);
  assert.equal(batch.getChild("f")!.get(0), 1.5);
  assert.equal(
    (batch.getChild("ts")!.data[0].values as BigInt64Array)[0],
    BigInt(Date.UTC(2026, 2, 1, 12)) * 1000n + 1n,
  );
  assert.deepEqual([...(batch.getChild("b")!.get(0) as Uint8Array)], [120]);
  assert.equal(batch.getChild("dn")!.get(0), null);
});

Deno.test("scanSql() selects the same columns and types DuckDB writes natively", async () => {
  await using connector = await open({ paths: ["orders.csv"] });
  const sql = await connector.scanSql!("orders", {
    batchSize: 1000,
    columns: ["id", "updated_at"],
    incrementalKey: "updated_at",
    incrementalValue: "2026-01-02T11:30:00Z",
  });
  const rows = await queryDuckDB(undefined, `SELECT id FROM (${sql}) ORDER BY id`);
  assert.deepEqual(rows.map((r) => r.id), [3n, 4n]);
});

Deno.test("factory rejects missing files, empty globs and unknown file types", async () => {
  for (
    const [config, pattern] of [
      [{ paths: ["nope.csv"] }, /paths\[0\]: file not found: nope\.csv/],
      [{ tables: { x: "zzz/*.csv" } }, /tables\.x: no file matches zzz\/\*\.csv/],
      [{ paths: ["notes.xlsx"] }, /unsupported file type: .*notes\.xlsx/],
      [{}, /needs `paths` or `tables`/],
    ] as const
  ) {
    await using connector = await open(config as FilesConfig);
    await assert.rejects(() => Promise.resolve(connector.discover!()), (error: Error) => {
      assert.ok(error instanceof InputError, String(error));
      assert.match(error.message, pattern);
      return true;
    });
  }
});

Deno.test("read() names the file and line of a malformed CSV row", async () => {
  await using dir = await tempDir();
  const lines = ["id,name", ...Array.from({ length: 25_000 }, (_, i) => `${i},n${i}`)];
  lines.push("25000,x,extra");
  await Deno.writeTextFile(join(dir.path, "bad.csv"), lines.join("\n") + "\n");
  await using connector = await open({ paths: ["bad.csv"], base_dir: dir.path });
  await assert.rejects(() => readAll(connector, "bad"), (error: Error) => {
    assert.ok(error instanceof InputError, String(error));
    assert.match(error.message, /malformed CSV row in .*bad\.csv at line 25002/);
    return true;
  });
});

Deno.test("explainScanError() blames the input file only for errors about it", async () => {
  await using connector = await open({ paths: ["orders.csv"] });
  await connector.discover!();
  const file = join(FIXTURES, "orders.csv");
  const output = new Error(
    'IO Error: Could not write file "/out/data/.tmp-orders.parquet": No space',
  );
  assert.equal(connector.explainScanError!("orders", output), output);
  const input = new Error(`IO Error: Could not read from file "${file}": Input/output error`);
  assert.ok(connector.explainScanError!("orders", input) instanceof InputError);
  const csv = new Error(
    `Invalid Input Error: CSV Error on Line: 7\nOriginal Line: 7,x\nExpected Number of Columns: 8 Found: 2\n  file = ${file}`,
  );
  const explained = connector.explainScanError!("orders", csv) as InputError;
  assert.ok(explained instanceof InputError);
  assert.equal(explained.location?.line, 7);
});

import assert from "node:assert/strict";
import { join } from "node:path";
import { queryDuckDB, REPO_ROOT, runCli, tempDir } from "../_helpers.ts";

const FIXTURES = join(REPO_ROOT, "tests/fixtures/files");

const PROJECT = `sources:
  shop:
    connector: files
    config:
      tables: { orders: data/orders.csv }
    incremental: { orders: updated_at }
  catalog:
    connector: files
    config:
      paths: [data/products.json, data/events.ndjson]
`;

async function project(dir: string, yaml = PROJECT): Promise<void> {
  await Deno.mkdir(join(dir, "data"));
  for (const name of ["orders.csv", "products.json", "events.ndjson"]) {
    await Deno.copyFile(join(FIXTURES, name), join(dir, "data", name));
  }
  await Deno.writeTextFile(join(dir, "dvt.yaml"), yaml);
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test("dvt extract runs every source of dvt.yaml and re-runs incrementally", async () => {
  await using dir = await tempDir();
  await project(dir.path);
  const first = await runCli(["extract", "--json"], { cwd: dir.path });
  assert.equal(first.code, 0, first.stderr);
  const results = JSON.parse(first.stdout);
  assert.deepEqual(results.map((r: { source: string }) => r.source), ["shop", "catalog"]);
  const [shop, catalog] = results;
  assert.equal(shop.tablesExtracted, 1);
  assert.equal(shop.totalRows, 4);
  assert.equal(shop.databasePath, join(dir.path, "extracts/shop/extract.duckdb"));
  assert.deepEqual(
    catalog.tables.map((t: { table: string; rows: number }) => [t.table, t.rows]),
    [["events", 3], ["products", 2]],
  );
  assert.equal(shop.tables[0].cursor, "2026-01-04T23:59:59.000Z");

  const db = join(dir.path, "extracts/shop/extract.duckdb");
  const rows = await queryDuckDB(db, "SELECT id, customer, price, note FROM orders ORDER BY id");
  assert.deepEqual(rows, [
    { id: 1n, customer: "alice", price: 19.99, note: "first, with comma" },
    { id: 2n, customer: "bob", price: 5.5, note: null },
    { id: 3n, customer: "carol", price: 1234567.25, note: 'quote " inside' },
    { id: 4n, customer: "dave", price: 0.1, note: "ünïcödé" },
  ]);

  await Deno.writeTextFile(
    join(dir.path, "data/orders.csv"),
    "5,erin,1,2.5,true,2026-01-05,2026-01-05 08:00:00,new\n",
    { append: true },
  );
  const second = await runCli(["extract", "shop", "--json"], { cwd: dir.path });
  assert.equal(second.code, 0, second.stderr);
  const rerun = JSON.parse(second.stdout);
  assert.equal(rerun.totalRows, 1, "only the new row is read");
  const after = await queryDuckDB(db, "SELECT id FROM orders ORDER BY id");
  assert.deepEqual(after.map((r) => r.id), [1n, 2n, 3n, 4n, 5n]);

  const refreshed = await runCli(["extract", "shop", "--full-refresh", "--json"], {
    cwd: dir.path,
  });
  assert.equal(JSON.parse(refreshed.stdout).totalRows, 5);
});

Deno.test("dvt extract prints a readable summary with the query hint", async () => {
  await using dir = await tempDir();
  await project(dir.path);
  const result = await runCli(["extract", "catalog", "--tables", "products"], { cwd: dir.path });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /catalog: 1 table extracted, 0 failed, 2 rows/);
  assert.match(result.stdout, /products\s+extracted\s+2/);
  assert.match(result.stdout, /^query it: dvt query catalog "SELECT \* FROM products LIMIT 10"$/m);
});

Deno.test("dvt extract --connector files runs ad hoc without dvt.yaml", async () => {
  await using dir = await tempDir();
  await project(dir.path);
  await Deno.remove(join(dir.path, "dvt.yaml"));
  const result = await runCli(
    ["extract", "--connector", "files", "--set", "paths=data/*.csv", "--out", "x", "--json"],
    { cwd: dir.path },
  );
  assert.equal(result.code, 0, result.stderr);
  assert.equal(JSON.parse(result.stdout).totalRows, 4);
  const rows = await queryDuckDB(
    join(dir.path, "x/extract.duckdb"),
    "SELECT count(*) n FROM orders",
  );
  assert.equal(rows[0].n, 4n);
});

Deno.test("dvt extract exits 2 and writes nothing on bad input", async () => {
  await using dir = await tempDir();
  await project(dir.path);
  const cases: [string[], RegExp][] = [
    [["extract", "nope"], /unknown source "nope".*\n.*valid: shop, catalog/],
    [["extract", "shop", "--tables", "ordrs"], /ordrs/],
    [
      ["extract", "--connector", "files", "--set", "paths=data/missing.csv", "--out", "x"],
      /paths\[0\]: file not found: data\/missing\.csv/,
    ],
    [
      ["extract", "--connector", "files", "--set", "paths=data/*.xlsx", "--out", "x"],
      /no file matches data\/\*\.xlsx/,
    ],
  ];
  for (const [args, pattern] of cases) {
    const result = await runCli(args, { cwd: dir.path });
    assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, pattern);
    assert.equal(result.stdout, "");
    assert.ok(!await exists(join(dir.path, "extracts")), "no extract written");
    assert.ok(!await exists(join(dir.path, "x")), "no extract written");
  }
  await Deno.writeTextFile(join(dir.path, "dvt.yaml"), "sources:\n  shop:\n    conector: files\n");
  const invalid = await runCli(["extract"], { cwd: dir.path });
  assert.equal(invalid.code, 2);
  assert.match(invalid.stderr, /dvt\.yaml:3:5: .*unknown key "conector"/);
  assert.match(invalid.stderr, /did you mean "connector"/);
});

Deno.test("dvt extract names file and line of a malformed CSV row, keeping the last extract", async () => {
  await using dir = await tempDir();
  const lines = ["id,name", ...Array.from({ length: 25_000 }, (_, i) => `${i},n${i}`)];
  await Deno.writeTextFile(join(dir.path, "big.csv"), lines.join("\n") + "\n");
  const args = ["extract", "--connector", "files", "--set", "paths=big.csv", "--out", "x"];
  assert.equal((await runCli(args, { cwd: dir.path })).code, 0);
  await Deno.writeTextFile(join(dir.path, "big.csv"), "25000,x,extra\n", { append: true });
  const result = await runCli(args, { cwd: dir.path });
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /malformed CSV row in .*big\.csv at line 25002/);
  const rows = await queryDuckDB(join(dir.path, "x/extract.duckdb"), "SELECT count(*) n FROM big");
  assert.equal(rows[0].n, 25_000n, "the previous extract is intact");
});

Deno.test("dvt extract lands the same rows and types through DuckDB's COPY and the Arrow path", async () => {
  await using dir = await tempDir();
  await project(dir.path);
  const views: Record<string, unknown>[][] = [];
  for (const native of ["1", "0"]) {
    const out = `out${native}`;
    const result = await runCli(
      ["extract", "--connector", "files", "--set", "paths=data/*.csv,data/*.ndjson", "--out", out],
      { cwd: dir.path, env: { DVT_NATIVE_SCAN: native } },
    );
    assert.equal(result.code, 0, result.stderr);
    const db = join(dir.path, out, "extract.duckdb");
    views.push([
      ...await queryDuckDB(db, "SELECT * FROM orders ORDER BY id"),
      ...await queryDuckDB(db, "SELECT * FROM events ORDER BY event_id"),
      ...await queryDuckDB(
        db,
        "SELECT column_name, data_type FROM information_schema.columns ORDER BY table_name, ordinal_position",
      ),
    ]);
  }
  assert.ok(views[0].length > 7 + 12, "rows and columns of both tables were compared");
  assert.deepEqual(views[0], views[1]);
});

/**
 * `destination` renames a table's view and files (normalised, never outside `<out>`), and a
 * table removed from `tables:` is dropped from the extract by the next run of the whole source
 * (`--keep-removed` keeps it), crash-safely.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { CLI_PATH, queryDuckDB, runCli, tempDir } from "../_helpers.ts";
import { writeDemoProject } from "./_demo_project.ts";

/** A project with `tables:` given as `tables` (YAML flow or block text after `tables:`). */
function project(tables: string): string {
  return `sources:
  shop:
    connector: files
    config:
      paths: [data/orders.csv, data/customers.csv, data/products.ndjson]
    tables: ${tables}
`;
}

async function views(database: string): Promise<string[]> {
  const rows = await queryDuckDB(
    database,
    "SELECT table_name || '<-' || source_name AS v FROM _meta ORDER BY 1",
  );
  return rows.map((row) => String(row.v));
}

async function dataFiles(out: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(join(out, "data")))).map((e) => e.name).sort();
}

Deno.test("destination names the view and files; the source name stays in _meta", async () => {
  await using dir = await tempDir();
  await writeDemoProject(
    dir.path,
    project(
      `{ orders: { destination: "Sales Orders" }, customers: { destination: ../../etc/passwd } }`,
    ),
  );
  const result = await runCli(["extract", "shop"], { cwd: dir.path });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^ {2}sales_orders {2}extracted {4}60 /m);
  const out = join(dir.path, "extracts/shop");
  assert.deepEqual(await views(join(out, "extract.duckdb")), [
    "etc_passwd<-customers",
    "sales_orders<-orders",
  ]);
  const files = await dataFiles(out);
  assert.equal(files.length, 2);
  assert.match(files[0], /^etc_passwd\.r[0-9a-z-]+\.parquet$/);
  assert.match(files[1], /^sales_orders\.r[0-9a-z-]+\.parquet$/);
  const [count] = await queryDuckDB(
    join(out, "extract.duckdb"),
    "SELECT count(*)::INT AS n FROM sales_orders",
  );
  assert.equal(count.n, 60);
});

Deno.test("renaming a published incremental table keeps its rows and cursor", async () => {
  await using dir = await tempDir();
  await writeDemoProject(dir.path, project("{ orders: { cursor: updated_at } }"));
  assert.equal((await runCli(["extract", "shop"], { cwd: dir.path })).code, 0);
  await Deno.writeTextFile(
    join(dir.path, "dvt.yaml"),
    project("{ orders: { cursor: updated_at, destination: sales_orders } }"),
  );
  await Deno.writeTextFile(
    join(dir.path, "data/orders.csv"),
    "2001,3,SKU-001,1,paid,2026-02-02 10:00:00\n",
    { append: true },
  );
  const result = await runCli(["extract", "shop", "--json"], { cwd: dir.path });
  assert.equal(result.code, 0, result.stderr);
  const [orders] = JSON.parse(result.stdout).tables;
  assert.deepEqual([orders.name, orders.rows, orders.totalRows], ["sales_orders", 1, 61]);
  const out = join(dir.path, "extracts/shop");
  assert.deepEqual(await views(join(out, "extract.duckdb")), ["sales_orders<-orders"]);
  assert.ok((await dataFiles(out)).every((file) => file.startsWith("sales_orders.")));
});

Deno.test("two tables with one destination, or a destination another table is named, exit 2", async () => {
  await using dir = await tempDir();
  await writeDemoProject(
    dir.path,
    project("\n      orders: { destination: facts }\n      customers: { destination: Facts }"),
  );
  const both = await runCli(["extract", "shop"], { cwd: dir.path });
  assert.equal(both.code, 2, both.stderr);
  assert.equal(
    both.stderr,
    'error: source "shop" (dvt.yaml:2) failed: dvt.yaml:8:33: sources.shop.tables.customers.destination: tables "orders" and "customers" both have the destination "facts"\n' +
      "  hint: give each table its own destination\n",
  );
  await writeDemoProject(
    dir.path,
    project("{ orders: { destination: customers }, customers: {} }"),
  );
  const taken = await runCli(["extract", "shop"], { cwd: dir.path });
  assert.equal(taken.code, 2, taken.stderr);
  assert.match(
    taken.stderr,
    /dvt\.yaml:6:38: sources\.shop\.tables\.orders\.destination: the destination "customers" of table "orders" is the name of table "customers"\n {2}hint: choose another destination, or give "customers" a destination too\n$/,
  );
  assert.ok(!await Deno.stat(join(dir.path, "extracts/shop/extract.duckdb")).catch(() => false));
});

Deno.test("a table removed from tables: is dropped by the next run, with a summary line", async () => {
  await using dir = await tempDir();
  await writeDemoProject(dir.path, project("[orders, customers, products]"));
  assert.equal((await runCli(["extract", "shop"], { cwd: dir.path })).code, 0);
  const out = join(dir.path, "extracts/shop");
  const database = join(out, "extract.duckdb");
  await Deno.writeTextFile(join(dir.path, "dvt.yaml"), project("[orders, products]"));
  // A run of some tables only does not know what the configuration dropped.
  const some = await runCli(["extract", "shop", "--tables", "orders"], { cwd: dir.path });
  assert.equal(some.code, 0, some.stderr);
  assert.doesNotMatch(some.stdout, /removed/);
  const kept = await runCli(["extract", "shop", "--keep-removed"], { cwd: dir.path });
  assert.equal(kept.code, 0, kept.stderr);
  assert.doesNotMatch(kept.stdout, /removed/);
  assert.equal((await views(database)).length, 3);
  const result = await runCli(["extract", "shop"], { cwd: dir.path });
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    /^removed: customers \(no longer among the configured tables; --keep-removed keeps it\)$/m,
  );
  assert.deepEqual(await views(database), ["orders<-orders", "products<-products"]);
  assert.ok((await dataFiles(out)).every((file) => !file.startsWith("customers")));
  const state = JSON.parse(await Deno.readTextFile(join(out, ".dvt/state.json")));
  assert.ok(!JSON.stringify(state).includes('"customers"'), JSON.stringify(state));
  await assert.rejects(Deno.stat(join(out, ".dvt/schemas/customers.json")));
  const json = await runCli(["extract", "shop", "--json"], { cwd: dir.path });
  assert.deepEqual(JSON.parse(json.stdout).removedTables, []);
});

Deno.test("a removing run killed with SIGKILL leaves the previous extract whole", async () => {
  await using dir = await tempDir();
  await writeDemoProject(dir.path, project("[orders, customers, products]"));
  assert.equal((await runCli(["extract", "shop"], { cwd: dir.path })).code, 0);
  await Deno.writeTextFile(join(dir.path, "dvt.yaml"), project("[orders, products]"));
  const database = join(dir.path, "extracts/shop/extract.duckdb");
  const before = ["customers<-customers", "orders<-orders", "products<-products"];
  const after = ["orders<-orders", "products<-products"];
  let sawBefore = false;
  for (const delayMs of [150, 600, 1000, 1400, 1800, 2200, 2600, 3000]) {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--unstable-worker-options", CLI_PATH, "extract", "shop"],
      cwd: dir.path,
      env: { NO_COLOR: "1" },
      stdout: "null",
      stderr: "null",
    }).spawn();
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    try {
      child.kill("SIGKILL");
    } catch { /* it had already finished */ }
    await child.status;
    const published = await views(database);
    // Either the old extract or the new one, whole: every file a view reads exists.
    assert.ok(
      JSON.stringify(published) === JSON.stringify(before) ||
        JSON.stringify(published) === JSON.stringify(after),
      published.join(", "),
    );
    sawBefore ||= published.length === 3;
    for (const { data_files } of await queryDuckDB(database, "SELECT data_files FROM _meta")) {
      for (const file of JSON.parse(String(data_files))) {
        await Deno.stat(join(dir.path, "extracts/shop", file));
      }
    }
    if (published.length === 2) break;
  }
  assert.ok(sawBefore, "no kill landed before the run published");
  const final = await runCli(["extract", "shop"], { cwd: dir.path });
  assert.equal(final.code, 0, final.stderr);
  assert.deepEqual(await views(database), after);
});

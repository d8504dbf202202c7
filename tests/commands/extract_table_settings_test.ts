/**
 * Per-table settings of dvt.yaml (`tables:` as a map) reach the run: a configured primary key
 * lets a table without a declared key merge, a configured cursor reads incrementally, and a
 * misspelled column is exit 2 pointing at the setting.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { queryDuckDB, runCli, tempDir } from "../_helpers.ts";
import { writeDemoProject } from "./_demo_project.ts";

const MERGED_ORDERS = `sources:
  shop:
    connector: files
    config:
      tables: { orders: data/orders.csv }
    tables:
      orders: { primary_key: [order_id], cursor: updated_at, scd_type: SCD_TYPE_1 }
`;

/** Changes order 1001 (a later updated_at) and adds order 2001 to the demo's orders.csv. */
async function changeOrders(dir: string): Promise<void> {
  const path = join(dir, "data/orders.csv");
  const text = await Deno.readTextFile(path);
  await Deno.writeTextFile(
    path,
    text.replace(
      "1001,10,SKU-004,1,paid,2026-01-05 16:36:00",
      "1001,10,SKU-004,1,shipped,2026-02-01 09:00:00",
    ) +
      "2001,3,SKU-001,1,paid,2026-02-02 10:00:00\n",
  );
}

Deno.test("a primary_key and cursor set under tables: merge incremental rows by that key", async () => {
  await using dir = await tempDir();
  await writeDemoProject(dir.path, MERGED_ORDERS);
  const first = await runCli(["extract", "shop", "--json"], { cwd: dir.path });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(JSON.parse(first.stdout).tables[0].rows, 60);
  await changeOrders(dir.path);
  const second = await runCli(["extract", "shop", "--json"], { cwd: dir.path });
  assert.equal(second.code, 0, second.stderr);
  const [orders] = JSON.parse(second.stdout).tables;
  // The cursor read only the two changed rows; the key merged them into the 60 kept ones.
  assert.equal(orders.rows, 2);
  assert.equal(orders.totalRows, 61);
  const database = join(dir.path, "extracts/shop/extract.duckdb");
  const rows = await queryDuckDB(
    database,
    "SELECT order_id::INT AS id, status FROM orders WHERE order_id IN (1001, 2001) ORDER BY 1",
  );
  assert.deepEqual(rows, [{ id: 1001, status: "shipped" }, { id: 2001, status: "paid" }]);
  const [meta] = await queryDuckDB(database, "SELECT primary_key, disposition FROM _meta");
  assert.deepEqual(meta, { primary_key: '["order_id"]', disposition: "merge" });
});

Deno.test("merge without a configured or declared primary key fails the table, data kept", async () => {
  await using dir = await tempDir();
  await writeDemoProject(dir.path, MERGED_ORDERS);
  const first = await runCli(["extract", "shop"], { cwd: dir.path });
  assert.equal(first.code, 0, first.stderr);
  // The files connector declares no key: without the configured one, merge has nothing to go by.
  await Deno.writeTextFile(
    join(dir.path, "dvt.yaml"),
    MERGED_ORDERS.replace("primary_key: [order_id], ", ""),
  );
  await changeOrders(dir.path);
  const second = await runCli(["extract", "shop"], { cwd: dir.path });
  assert.equal(second.code, 1, second.stderr);
  assert.match(
    second.stderr,
    /orders: error: table "orders" cannot be merged: it has no primary key/,
  );
  assert.match(second.stderr, /hint: set primary_key for it under tables: in dvt\.yaml/);
  const [count] = await queryDuckDB(
    join(dir.path, "extracts/shop/extract.duckdb"),
    "SELECT count(*)::INT AS n, max(status) FILTER (WHERE order_id = 1001) AS status FROM orders",
  );
  assert.deepEqual(count, { n: 60, status: "paid" });
});

Deno.test("a misspelled primary_key column is exit 2 at its line in dvt.yaml", async () => {
  await using dir = await tempDir();
  await writeDemoProject(dir.path, MERGED_ORDERS.replace("[order_id]", "[orderid]"));
  const result = await runCli(["extract", "shop"], { cwd: dir.path });
  assert.equal(result.code, 2, result.stderr);
  assert.equal(
    result.stderr,
    'error: source "shop" (dvt.yaml:2) failed: dvt.yaml:7:30: sources.shop.tables.orders.primary_key: table "orders" has no column "orderid" for its primary key\n' +
      '  hint: did you mean "order_id"? valid: order_id, customer_id, sku, quantity, status, updated_at\n',
  );
});

Deno.test("a table map selects exactly its tables; an empty entry takes the defaults", async () => {
  await using dir = await tempDir();
  await writeDemoProject(
    dir.path,
    `sources:
  crm:
    connector: files
    config:
      paths: [data/customers.csv, data/products.ndjson, data/orders.csv]
    tables:
      customers: {}
      orders:
`,
  );
  const result = await runCli(["extract", "crm", "--json"], { cwd: dir.path });
  assert.equal(result.code, 0, result.stderr);
  const tables = JSON.parse(result.stdout).tables.map((t: { table: string }) => t.table).sort();
  assert.deepEqual(tables, ["customers", "orders"]);
});

Deno.test("deletes: detect on a table not kept by key is exit 2, never silently ignored", async () => {
  await using dir = await tempDir();
  await writeDemoProject(
    dir.path,
    MERGED_ORDERS.replace("scd_type: SCD_TYPE_1", "scd_type: append_only, deletes: detect"),
  );
  const result = await runCli(["extract", "shop"], { cwd: dir.path });
  assert.equal(result.code, 2, result.stderr);
  assert.match(
    result.stderr,
    /^error: source "shop" \(dvt\.yaml:2\) failed: dvt\.yaml:7:\d+: sources\.shop\.tables\.orders\./,
  );
  assert.ok(
    result.stderr.includes('table "orders": deletes: detect needs scd_type 1 (merge) or 2'),
    result.stderr,
  );
});

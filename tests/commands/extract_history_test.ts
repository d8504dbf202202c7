/**
 * `scd_type: 2` (history) and deletes through `dvt extract`, four runs each with inserts,
 * updates, no-op updates and deletes: the exact versions and validity intervals, the
 * `_current` view equal to the source's state, and merged tables (`scd_type: 1`) that lose the
 * keys the source deleted. A files source (full reads, `deletes: detect`) and a connector
 * scaffolded by `dvt connector new` (incremental, a declared deleted flag).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { queryDuckDB, runCli, tempDir } from "../_helpers.ts";
import { type OrderRow, RunClock, scaffoldShop, versions } from "./_history_sources.ts";

/** customers.csv as each of the four runs finds it. */
const CUSTOMERS = [
  ["1,Ada,NL", "2,Grace,DE", "3,Alan,UK"],
  // 1 and 3 unchanged, 2 updated, 4 inserted.
  ["1,Ada,NL", "2,Grace,FR", "3,Alan,UK", "4,Edsger,NL"],
  // 3 deleted, 4 updated, 1 and 2 unchanged.
  ["1,Ada,NL", "2,Grace,FR", "4,Edsger,NO"],
  // 1 updated, 3 back, 2 and 4 unchanged.
  ["1,Ada,BE", "2,Grace,FR", "3,Alan,UK", "4,Edsger,NO"],
];

const FILES_PROJECT = `sources:
  crm:
    connector: files
    config:
      tables: { customers: data/customers.csv, customers_merged: data/customers.csv }
    tables:
      customers: { primary_key: [id], scd_type: 2, deletes: detect }
      customers_merged: { primary_key: [id], scd_type: 1, deletes: detect }
`;

Deno.test("history of a files source over four runs and a full refresh: exact versions", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(join(dir.path, "data"));
  await Deno.writeTextFile(join(dir.path, "dvt.yaml"), FILES_PROJECT);
  const clock = new RunClock();
  for (const rows of CUSTOMERS) {
    await Deno.writeTextFile(
      join(dir.path, "data/customers.csv"),
      ["id,name,country", ...rows].join("\n") + "\n",
    );
    const result = await clock.time(() => runCli(["extract", "crm", "--json"], { cwd: dir.path }));
    assert.equal(result.code, 0, result.stderr);
  }
  // A full refresh re-reads the same rows: it keeps the history and adds no version.
  const refresh = await clock.time(() =>
    runCli(["extract", "crm", "--full-refresh"], { cwd: dir.path })
  );
  assert.equal(refresh.code, 0, refresh.stderr);
  const database = join(dir.path, "extracts/crm/extract.duckdb");
  assert.deepEqual(await versions(database, "customers", ["id", "name", "country"], clock), [
    [1, "Ada", "NL", 1, 4, false],
    [1, "Ada", "BE", 4, null, true],
    [2, "Grace", "DE", 1, 2, false],
    [2, "Grace", "FR", 2, null, true],
    [3, "Alan", "UK", 1, 3, false],
    [3, "Alan", "UK", 4, null, true],
    [4, "Edsger", "NL", 2, 3, false],
    [4, "Edsger", "NO", 3, null, true],
  ]);
  const source = CUSTOMERS[3].map((line) => line.split(","));
  for (const view of ["customers_current", "customers_merged"]) {
    const rows = await queryDuckDB(
      database,
      `SELECT id::VARCHAR AS id, name, country FROM ${view} ORDER BY id`,
    );
    assert.deepEqual(rows.map((r) => [r.id, r.name, r.country]), source, view);
  }
  const [meta] = await queryDuckDB(
    database,
    "SELECT disposition, rows FROM _meta WHERE table_name = 'customers'",
  );
  assert.deepEqual(meta, { disposition: "history", rows: 8n });
});

Deno.test("merge with deletes: detect drops a key a full read no longer has", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(join(dir.path, "data"));
  await Deno.writeTextFile(join(dir.path, "dvt.yaml"), FILES_PROJECT);
  const database = join(dir.path, "extracts/crm/extract.duckdb");
  for (const rows of CUSTOMERS.slice(1, 3)) {
    await Deno.writeTextFile(
      join(dir.path, "data/customers.csv"),
      ["id,name,country", ...rows].join("\n") + "\n",
    );
    const result = await runCli(["extract", "crm", "--tables", "customers_merged"], {
      cwd: dir.path,
    });
    assert.equal(result.code, 0, result.stderr);
  }
  const ids = await queryDuckDB(database, "SELECT id::INT AS id FROM customers_merged ORDER BY 1");
  assert.deepEqual(ids.map((r) => r.id), [1, 2, 4]);
});

/** The scaffolded connector's rows as each run finds them (its cursor is inclusive). */
const ORDERS: OrderRow[][] = (() => {
  const row = (id: number, customer: string, amount: number, day: number, deleted = false) => ({
    id,
    customer,
    amount,
    updated_at: `2026-01-0${day}T00:00:00Z`,
    deleted,
  });
  const first = [row(1, "ada", 12.5, 1), row(2, "grace", 40, 1), row(3, "linus", 7.25, 1)];
  // Read from day 1: 1 and 3 again unchanged, 2 updated, 4 inserted.
  const second = [first[0], row(2, "grace", 41, 2), first[2], row(4, "barbara", 99.9, 2)];
  // Read from day 2: 2 and 4 again unchanged, 3 deleted.
  const third = [first[0], second[1], row(3, "linus", 7.25, 3, true), second[3]];
  // Read from day 3: the delete of 3 again, 1 updated, 5 inserted.
  const fourth = [row(1, "ada", 15, 4), second[1], third[2], second[3], row(5, "ken", 3, 4)];
  return [first, second, third, fourth];
})();

function shopProject(connector: string, rows: OrderRow[]): string {
  const config = JSON.stringify({ rows: JSON.stringify(rows) });
  return `sources:
  shop:
    connector: ${connector}
    config: ${config}
    tables:
      orders: { cursor: updated_at, scd_type: 2 }
  shop_merged:
    connector: ${connector}
    config: ${config}
    tables:
      orders: { cursor: updated_at, scd_type: 1 }
`;
}

Deno.test("history of a scaffolded incremental connector with a deleted flag, four runs", async () => {
  await using dir = await tempDir();
  const connector = await scaffoldShop(dir.path);
  const clock = new RunClock();
  for (const rows of ORDERS) {
    await Deno.writeTextFile(join(dir.path, "dvt.yaml"), shopProject(connector, rows));
    const result = await clock.time(() => runCli(["extract", "--json"], { cwd: dir.path }));
    assert.equal(result.code, 0, result.stderr);
  }
  const database = join(dir.path, "extracts/shop/extract.duckdb");
  const columns = ["id", "customer", "amount"];
  assert.deepEqual(await versions(database, "orders", columns, clock), [
    [1, "ada", 12.5, 1, 4, false],
    [1, "ada", 15, 4, null, true],
    [2, "grace", 40, 1, 2, false],
    [2, "grace", 41, 2, null, true],
    [3, "linus", 7.25, 1, 3, false],
    [4, "barbara", 99.9, 2, null, true],
    [5, "ken", 3, 4, null, true],
  ]);
  const live = ORDERS[3].filter((row) => !row.deleted)
    .map((row) => [row.id, row.customer, row.amount, row.updated_at, false]);
  const read = (path: string, view: string) =>
    queryDuckDB(
      path,
      `SELECT id, customer, amount, updated_at, deleted FROM ${view} ORDER BY id`,
    ).then((rows) => rows.map((r) => Object.values(r)));
  assert.deepEqual(await read(database, "orders_current"), live);
  const merged = join(dir.path, "extracts/shop_merged/extract.duckdb");
  assert.deepEqual(await read(merged, "orders"), live);
});

import assert from "node:assert/strict";
import { join } from "node:path";
import { DuckDB } from "../../runtime/parquet/duckdb.ts";
import { runCli, tempDir } from "../_helpers.ts";
import { writeDemoProject } from "./_demo_project.ts";

async function extracted(dir: string): Promise<void> {
  await writeDemoProject(dir);
  const result = await runCli(["extract"], { cwd: dir });
  assert.equal(result.code, 0, result.stderr);
}

Deno.test("dvt query <source> prints an aligned table, --csv and --json", async () => {
  await using dir = await tempDir();
  await extracted(dir.path);
  const sql = "SELECT customer_id, name, vip FROM customers ORDER BY customer_id LIMIT 2";
  const table = await runCli(["query", "crm", sql], { cwd: dir.path });
  assert.equal(table.code, 0, table.stderr);
  assert.equal(
    table.stdout,
    [
      "customer_id  name          vip",
      "-----------  ------------  -----",
      "          1  Ada Lovelace  false",
      "          2  Grace Hopper  false",
      "(2 rows)",
      "",
    ].join("\n"),
  );
  const csv = await runCli(["query", "crm", sql, "--csv"], { cwd: dir.path });
  assert.equal(csv.stdout, "customer_id,name,vip\n1,Ada Lovelace,false\n2,Grace Hopper,false\n");
  const json = await runCli(["query", "crm", sql, "--json"], { cwd: dir.path });
  assert.deepEqual(JSON.parse(json.stdout), [
    { customer_id: "1", name: "Ada Lovelace", vip: false },
    { customer_id: "2", name: "Grace Hopper", vip: false },
  ]);
  // The same extract by its directory and by its file.
  for (const target of ["extracts/crm", "extracts/crm/extract.duckdb"]) {
    const byPath = await runCli(["query", target, sql, "--csv"], { cwd: dir.path });
    assert.equal(byPath.stdout, csv.stdout, target);
  }
});

Deno.test("dvt query without a source joins tables across every source's extract", async () => {
  await using dir = await tempDir();
  await extracted(dir.path);
  const sql = `SELECT c.name, count(*) AS orders
    FROM shop.orders o JOIN crm.customers c USING (customer_id)
    GROUP BY c.name ORDER BY orders DESC, c.name LIMIT 1`;
  const result = await runCli(["query", sql, "--json"], { cwd: dir.path });
  assert.equal(result.code, 0, result.stderr);
  const expected = await (async () => {
    await using db = await DuckDB.create(":memory:");
    return await db.all(`SELECT c.name, count(*)::VARCHAR AS orders
      FROM read_csv('${dir.path}/data/orders.csv') o
      JOIN read_csv('${dir.path}/data/customers.csv') c USING (customer_id)
      GROUP BY c.name ORDER BY count(*) DESC, c.name LIMIT 1`);
  })();
  assert.deepEqual(JSON.parse(result.stdout), expected);
});

Deno.test("dvt query opens read-only: a held reader does not block dvt extract, writes fail", async () => {
  await using dir = await tempDir();
  await extracted(dir.path);
  const database = join(dir.path, "extracts/shop/extract.duckdb");
  {
    // What dvt query holds while it runs: the file opened read-only.
    await using reader = await DuckDB.create(database, { readOnly: true });
    await reader.all("SELECT count(*) FROM orders");
    const again = await runCli(["extract", "shop"], { cwd: dir.path });
    assert.equal(again.code, 0, again.stderr);
  }
  const write = await runCli(["query", "shop", "CREATE TABLE x AS SELECT 1"], { cwd: dir.path });
  assert.equal(write.code, 2);
  assert.match(write.stderr, /error: query failed: .*read-only/);
});

Deno.test("dvt query: each mistake exits 2 with what is wrong and how to fix it", async () => {
  await using dir = await tempDir();
  await writeDemoProject(dir.path);
  const cases: { args: string[]; message: RegExp; hint: RegExp }[] = [
    {
      args: ["query", "shop", "SELECT 1"],
      message:
        /error: source "shop" has no extract yet \(looked for .*extracts\/shop\/extract\.duckdb\)/,
      hint: /hint: run: dvt extract shop/,
    },
    {
      args: ["query", "SELECT 1"],
      message: /error: no source of dvt\.yaml has been extracted yet/,
      hint: /hint: run: dvt extract/,
    },
    {
      args: ["query", "shpo", "SELECT 1"],
      message: /error: dvt\.yaml:1:1: unknown source "shpo"/,
      hint: /hint: did you mean "shop"\?/,
    },
    {
      args: ["query", "nowhere/extract.duckdb", "SELECT 1"],
      message: /error: file not found: .*nowhere\/extract\.duckdb/,
      hint: /hint: give an extract\.duckdb, an output directory, or a source name of dvt\.yaml/,
    },
    {
      args: ["query"],
      message: /error: missing the SQL to run/,
      hint: /hint: e\.g\. dvt query shop "SELECT \* FROM _meta"/,
    },
    {
      args: ["query", "shop", "SELECT 1", "--csv", "--json"],
      message: /error: give --csv or --json, not both/,
      hint: /hint: drop one of them/,
    },
  ];
  for (const { args, message, hint } of cases) {
    const result = await runCli(args, { cwd: dir.path });
    assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, message, args.join(" "));
    assert.match(result.stderr, hint, args.join(" "));
    // --json asks for the error as JSON on stdout; otherwise stdout stays empty.
    if (args.includes("--json")) assert.equal(JSON.parse(result.stdout).error.exitCode, 2);
    else assert.equal(result.stdout, "", args.join(" "));
  }
  const extract = await runCli(["extract", "shop"], { cwd: dir.path });
  assert.equal(extract.code, 0, extract.stderr);
  const bad = await runCli(["query", "shop", "SELECT * FROM ordres"], { cwd: dir.path });
  assert.equal(bad.code, 2);
  assert.match(
    bad.stderr,
    /error: query failed: Catalog Error: Table with name ordres does not exist!/,
  );
  assert.match(bad.stderr, /Did you mean "orders"/);
  assert.match(bad.stderr, /hint: see the tables with: dvt query shop "SELECT \* FROM _meta"/);

  await using empty = await tempDir();
  const none = await runCli(["query", "SELECT 1"], { cwd: empty.path });
  assert.equal(none.code, 2);
  assert.match(
    none.stderr,
    new RegExp(`error: no dvt\\.yaml in ${empty.path} to find extracts in`),
  );
});

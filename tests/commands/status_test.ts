import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli, tempDir } from "../_helpers.ts";
import { writeDemoProject } from "./_demo_project.ts";

// A sandboxed connector whose second table fails when the config says so.
const MANIFEST = `name: flaky
version: 0.1.0
description: one good table, one that fails on demand
entrypoint: ./connector.ts
capabilities: [discover, read]
config:
  fail: { type: boolean, default: false, description: reading "flaky" throws }
`;
const CONNECTOR = `
export default (ctx, config) => {
  const { arrow } = ctx;
  const batch = (n) => new arrow.Table({
    id: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => i + 1), new arrow.Int32()),
  }).batches[0];
  const schema = batch(1).schema;
  return {
    capabilities: 1 | 2,
    discover: () => [{ name: "good", schema, capabilities: 2 }, { name: "flaky", schema, capabilities: 2 }],
    *read(table) {
      if (table === "flaky" && config.fail) throw new Error("the API answered 503");
      yield batch(table === "good" ? 3 : 5);
    },
  };
};
`;

Deno.test("dvt status: not extracted yet, then per table mode, rows, size, cursor and last run", async () => {
  await using dir = await tempDir();
  await writeDemoProject(dir.path);
  const before = await runCli(["status"], { cwd: dir.path });
  assert.equal(before.code, 0, before.stderr);
  assert.equal(
    before.stdout,
    "shop: not extracted yet (run: dvt extract shop)\ncrm: not extracted yet (run: dvt extract crm)\n",
  );

  assert.equal((await runCli(["extract", "shop"], { cwd: dir.path })).code, 0);
  await Deno.writeTextFile(
    join(dir.path, "data/orders.csv"),
    "2001,3,SKU-001,2,paid,2026-02-01 09:30:00\n",
    { append: true },
  );
  const second = await runCli(["extract", "shop"], { cwd: dir.path });
  assert.equal(second.code, 0, second.stderr);
  // The summary shows this run's rows next to the table's total, and the cursor.
  assert.match(
    second.stdout,
    /^ {2}orders\s+extracted\s+1\s+61\s+\S+ KiB\s+\d+\.\ds\s+updated_at = 2026-02-01T09:30:00\.000Z$/m,
  );
  assert.match(second.stdout, /^query it: dvt query shop "SELECT \* FROM orders LIMIT 10"$/m);

  const json = await runCli(["status", "shop", "--json"], { cwd: dir.path });
  assert.equal(json.code, 0, json.stderr);
  const status = JSON.parse(json.stdout);
  assert.equal(status.source, "shop");
  assert.equal(status.extracted, true);
  assert.equal(status.lastRun.status, "ok");
  assert.equal(status.lastRun.exitCode, 0);
  assert.equal(typeof status.lastRun.seconds, "number");
  assert.ok(Date.parse(status.lastRun.startedAt) > Date.now() - 600_000);
  assert.equal(status.tables.length, 1);
  const [orders] = status.tables;
  assert.equal(orders.table, "orders");
  assert.equal(orders.mode, "append");
  assert.equal(orders.rows, 61);
  assert.ok(orders.sizeBytes > 1000);
  assert.equal(orders.cursorColumn, "updated_at");
  assert.equal(orders.cursorValue, "2026-02-01T09:30:00.000Z");
  assert.equal(orders.lastRun.status, "extracted");
  assert.equal(orders.lastRun.rows, 1);
  assert.equal(typeof orders.lastRun.seconds, "number");

  const text = await runCli(["status"], { cwd: dir.path });
  assert.equal(text.code, 0);
  assert.match(text.stdout, /^shop: last run \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, \d+\.\ds, ok — /m);
  assert.match(
    text.stdout,
    /^ {2}table\s+mode\s+rows\s+size\s+extracted at\s+last run\s+time\s+cursor$/m,
  );
  assert.match(
    text.stdout,
    /^ {2}orders\s+append\s+61\s+\S+ KiB\s+\S+ \S+ UTC\s+extracted 1\s+\d+\.\ds\s+updated_at = 2026-02-01T09:30:00\.000Z$/m,
  );
  assert.match(text.stdout, /^crm: not extracted yet \(run: dvt extract crm\)$/m);
});

Deno.test("dvt status shows the last run's schema changes and failures; exit 1 when it failed", async () => {
  await using dir = await tempDir();
  await writeDemoProject(dir.path);
  assert.equal((await runCli(["extract", "crm"], { cwd: dir.path })).code, 0);
  const customers = join(dir.path, "data/customers.csv");
  const lines = (await Deno.readTextFile(customers)).trimEnd().split("\n");
  await Deno.writeTextFile(
    customers,
    [`${lines[0]},email`, ...lines.slice(1).map((line) => `${line},x@example.com`)].join("\n"),
  );
  assert.equal((await runCli(["extract", "crm"], { cwd: dir.path })).code, 0);
  const changed = await runCli(["status", "crm"], { cwd: dir.path });
  assert.equal(changed.code, 0, changed.stderr);
  assert.match(changed.stdout, /^ {2}schema changes in the last run:\n {4}customers: \+email$/m);

  // The whole source fails (bad input): status says so, with the error, and keeps the tables.
  await Deno.writeTextFile(join(dir.path, "data/products.ndjson"), "{not json\n", { append: true });
  const failing = await runCli(["extract", "crm"], { cwd: dir.path });
  assert.equal(failing.code, 2);
  const failed = await runCli(["status", "crm"], { cwd: dir.path });
  assert.equal(failed.code, 1);
  assert.match(failed.stdout, /^crm: last run .* UTC, \d+\.\ds, FAILED \(exit 2\) — /m);
  assert.match(failed.stdout, /^ {2}error: .*malformed JSON in .*products\.ndjson/m);
  assert.match(failed.stdout, /^ {2}customers\s+replace\s+12\s/m);
});

Deno.test("dvt status names a table that failed in the last run, whose previous data stays", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(join(dir.path, "flaky"));
  await Deno.writeTextFile(join(dir.path, "flaky/connector.yaml"), MANIFEST);
  await Deno.writeTextFile(join(dir.path, "flaky/connector.ts"), CONNECTOR);
  await Deno.writeTextFile(
    join(dir.path, "dvt.yaml"),
    "sources:\n  api:\n    connector: ./flaky\n",
  );
  const first = await runCli(["extract"], { cwd: dir.path });
  assert.equal(first.code, 0, first.stderr);
  const failing = await runCli(["extract", "api", "--set", "fail=true"], { cwd: dir.path });
  assert.equal(failing.code, 1);
  const status = await runCli(["status", "--json"], { cwd: dir.path });
  assert.equal(status.code, 1);
  const [api] = JSON.parse(status.stdout);
  assert.equal(api.lastRun.status, "failed");
  const flaky = api.tables.find((t: { table: string }) => t.table === "flaky");
  assert.equal(flaky.rows, 5, "the previous data is still published");
  assert.equal(flaky.lastRun.status, "failed");
  assert.match(flaky.lastRun.error, /the API answered 503/);
  const text = await runCli(["status"], { cwd: dir.path });
  assert.match(text.stdout, /^ {2}flaky\s+replace\s+5\s.*\sfailed\s/m);
  assert.match(
    text.stdout,
    /^ {2}failed in the last run \(previous data kept\):\n {4}flaky: .*the API answered 503/m,
  );
});

Deno.test("dvt status: unknown source, missing dvt.yaml and a missing directory exit 2 with a hint", async () => {
  await using dir = await tempDir();
  await writeDemoProject(dir.path);
  const unknown = await runCli(["status", "shpo"], { cwd: dir.path });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /error: dvt\.yaml:1:1: unknown source "shpo"/);
  assert.match(unknown.stderr, /hint: did you mean "shop"\?/);
  const missingDir = await runCli(["status", "./nowhere"], { cwd: dir.path });
  assert.equal(missingDir.code, 2);
  assert.match(missingDir.stderr, /error: no output directory at .*\/nowhere/);
  assert.match(missingDir.stderr, /hint: give a source name of dvt\.yaml or the directory/);
  await using empty = await tempDir();
  const none = await runCli(["status", "--json"], { cwd: empty.path });
  assert.equal(none.code, 2);
  assert.match(none.stderr, new RegExp(`error: no dvt\\.yaml in ${empty.path} to find sources in`));
  assert.equal(JSON.parse(none.stdout).error.exitCode, 2);
});

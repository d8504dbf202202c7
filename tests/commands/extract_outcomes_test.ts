/**
 * `dvt extract` tells the truth about each table: exit codes come from the per-table
 * outcomes, and a table that fails leaves its published rows exactly as they were. Driven
 * through the CLI with a small sandboxed connector whose behaviour its config chooses.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { queryDuckDB, runCli, tempDir } from "../_helpers.ts";

const MANIFEST = `name: truth
version: 0.1.0
description: test connector whose failures the config chooses
entrypoint: ./connector.ts
capabilities: [discover, read, stream, remote]
permissions:
  net: []
  env: []
config:
  fail_remote:
    type: boolean
    default: false
    description: remote() throws
  stream_batches:
    type: integer
    default: 0
    description: batches of 60,000 events the stream yields
  stream_fails:
    type: boolean
    default: false
    description: the stream throws after its batches
  wide:
    type: boolean
    default: false
    description: items gains an email column
  read_fails:
    type: boolean
    default: false
    description: reading items throws
`;

// No imports: ctx supplies Arrow, as in a scaffolded connector.
const CONNECTOR = `
export default (ctx, config) => {
  const { arrow } = ctx;
  const batch = (start, count) => new arrow.Table({
    id: arrow.vectorFromArray(Array.from({ length: count }, (_, i) => start + i), new arrow.Int32()),
  }).batches[0];
  const schema = batch(0, 1).schema;
  const wide = (start, count) => new arrow.Table({
    id: arrow.vectorFromArray(Array.from({ length: count }, (_, i) => start + i), new arrow.Int32()),
    email: arrow.vectorFromArray(Array.from({ length: count }, () => "a@b.c"), new arrow.Utf8()),
  }).batches[0];
  const items = config.wide ? wide : batch;
  return {
    capabilities: 1 | 2 | 4 | 8,
    discover: () => [
      { name: "items", schema: items(0, 1).schema, capabilities: 2 },
      { name: "events", schema, capabilities: 4 },
    ],
    *read() {
      if (config.read_fails) throw new Error("items are unavailable");
      yield items(1, 3);
    },
    async *stream() {
      for (let i = 0; i < Number(config.stream_batches); i++) yield batch(i * 60000, 60000);
      if (config.stream_fails) throw new Error("the event source went away");
    },
    remote() {
      if (config.fail_remote) throw new Error("remote catalog unavailable");
      return { extension: "postgres", url: "postgresql://db/x", tokenEnv: "PG_TOKEN" };
    },
  };
};
`;

async function writeConnector(dir: string): Promise<string> {
  const path = join(dir, "truth");
  await Deno.mkdir(path);
  await Deno.writeTextFile(join(path, "connector.yaml"), MANIFEST);
  await Deno.writeTextFile(join(path, "connector.ts"), CONNECTOR);
  return "./truth";
}

function extract(dir: string, sets: string[], json = false) {
  const args = ["extract", "--connector", "./truth", "--out", "out"];
  for (const set of sets) args.push("--set", set);
  return runCli(json ? [...args, "--json"] : args, { cwd: dir });
}

Deno.test("dvt extract exits 1 when remote() fails, naming the failure, and keeps the tables", async () => {
  await using dir = await tempDir();
  await writeConnector(dir.path);
  const result = await extract(dir.path, ["fail_remote=true"], true);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /remote catalog unavailable/);
  const json = JSON.parse(result.stdout);
  assert.deepEqual(json.errors.map((e: { table: string }) => e.table), ["_remote_attach"]);
  const failed = json.tables.find((t: { table: string }) => t.table === "_remote_attach");
  assert.equal(failed.status, "failed");
  assert.match(failed.error, /remote catalog unavailable/);
  assert.equal(failed.exitCode, 1);
  const db = join(dir.path, "out/extract.duckdb");
  assert.deepEqual(await queryDuckDB(db, "SELECT count(*)::INT AS n FROM items"), [{ n: 3 }]);
});

Deno.test("dvt extract keeps a stream table's published rows when its stream fails midway", async () => {
  await using dir = await tempDir();
  await writeConnector(dir.path);
  const db = join(dir.path, "out/extract.duckdb");
  const published = async () => ({
    view: (await queryDuckDB(db, "SELECT count(*)::INT AS n FROM events"))[0].n,
    meta: (await queryDuckDB(db, "SELECT rows::INT AS n FROM _meta WHERE table_name = 'events'"))[0]
      .n,
  });
  const first = await extract(dir.path, ["stream_batches=1"]);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(await published(), { view: 60_000, meta: 60_000 });

  // Three batches of 60,000: the first 120,000 events fill a whole partition before it fails.
  const failing = await extract(dir.path, ["stream_batches=3", "stream_fails=true"]);
  assert.equal(failing.code, 1, failing.stderr);
  assert.match(failing.stderr, /the event source went away/);
  assert.deepEqual(await published(), { view: 60_000, meta: 60_000 }, "nothing half-published");

  const next = await extract(dir.path, ["stream_batches=1"]);
  assert.equal(next.code, 0, next.stderr);
  assert.deepEqual(await published(), { view: 120_000, meta: 120_000 });
  const [listed] = await queryDuckDB(
    db,
    "SELECT data_files FROM _meta WHERE table_name = 'events'",
  );
  const files = JSON.parse(String(listed.data_files)) as string[];
  const onDisk = [...Deno.readDirSync(join(dir.path, "out/data/events"))].map((e) => e.name);
  assert.deepEqual(
    onDisk.sort(),
    files.map((file) => file.split("/").pop()).sort(),
    "the partition of the failed run was removed",
  );
  const status = await runCli(["status", "./out", "--json"], { cwd: dir.path });
  assert.equal(status.code, 0, status.stderr);
  const [source] = [JSON.parse(status.stdout)].flat();
  const modes = Object.fromEntries(
    source.tables.map((t: { table: string; mode: string }) => [t.table, t.mode]),
  );
  assert.equal(modes.events, "stream", status.stdout);
});

Deno.test("dvt extract reports a schema change once, when the changed table lands", async () => {
  await using dir = await tempDir();
  await writeConnector(dir.path);
  const changes = async (sets: string[], code: number) => {
    const run = await extract(dir.path, sets, true);
    assert.equal(run.code, code, run.stderr);
    return JSON.parse(run.stdout).schemaChanges;
  };
  assert.deepEqual(await changes([], 0), []);
  assert.deepEqual(await changes(["wide=true", "read_fails=true"], 1), [], "items did not land");
  const added = [{ table: "items", added: ["email"], removed: [], retyped: [] }];
  assert.deepEqual(await changes(["wide=true"], 0), added, "reported when items landed");
  assert.deepEqual(await changes(["wide=true"], 0), [], "and only then");
});

import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { queryDuckDB, tempDir } from "../../_helpers.ts";
import { OutputLayout } from "../../../runtime/extract/layout.ts";
import { buildCatalog, readCatalog } from "../../../runtime/extract/catalog.ts";
import { Cap, type Connector } from "../../../runtime/protocol.ts";
import { ConnectorRuntime } from "../../../runtime/extract/runtime.ts";
import { appendStreamBatches } from "../../../runtime/extract/stream_writer.ts";
import { batchOf, schemaOf } from "../../fixtures/runtime/connectors.ts";

const schema = schemaOf({ id: new arrow.Int32(), kind: new arrow.Utf8() });
const event = (id: number) =>
  batchOf({
    id: { type: new arrow.Int32(), values: [id] },
    kind: { type: new arrow.Utf8(), values: ["k"] },
  });

function streamConnector(ids: () => number[]): Connector {
  return {
    capabilities: Cap.DISCOVER | Cap.STREAM,
    discover: () => [{ name: "issues", schema, capabilities: Cap.STREAM }],
    async *stream() {
      for (const id of ids()) {
        await Promise.resolve();
        yield new arrow.RecordBatch(schema, event(id).data);
      }
    },
  };
}

Deno.test("run() consumes a stream-only connector into month partitions and appends later", async () => {
  await using dir = await tempDir();
  const runtime = new ConnectorRuntime(dir.path);
  let ids = [1, 2, 3];
  const first = await runtime.run(streamConnector(() => ids));
  assert.equal(first.totalRows, 3);
  const files1 = (await Array.fromAsync(Deno.readDir(`${dir.path}/data/issues`))).map((f) =>
    f.name
  );
  assert.equal(files1.length, 1);
  assert.match(files1[0], /^\d{4}-\d{2}-[0-9a-z]+-[0-9a-z]+\.parquet$/);
  const before = await Deno.stat(`${dir.path}/data/issues/${files1[0]}`);
  ids = [4, 5];
  await runtime.run(streamConnector(() => ids));
  const after = await Deno.stat(`${dir.path}/data/issues/${files1[0]}`);
  assert.equal(after.mtime?.getTime(), before.mtime?.getTime(), "existing partition untouched");
  const db = `${dir.path}/extract.duckdb`;
  const rows = await queryDuckDB(db, "SELECT id FROM issues ORDER BY id");
  assert.deepEqual(rows.map((r) => r.id), [1, 2, 3, 4, 5]);
  assert.equal((await queryDuckDB(db, "SELECT rows::INT AS n FROM _meta"))[0].n, 5);
});

Deno.test("appendStreamBatches() flushes a new file every N rows", async () => {
  await using dir = await tempDir();
  const layout = new OutputLayout(dir.path);
  const result = await appendStreamBatches(layout, "ev", [1, 2, 3, 4, 5].map(event), {
    flushRows: 2,
    now: () => new Date(Date.UTC(2026, 4, 31, 23, 59)),
  });
  assert.equal(result.rows, 5);
  assert.equal(result.files.length, 3);
  for (const file of result.files) assert.match(file, /^data\/ev\/2026-05-/);
  const rows = await queryDuckDB(
    undefined,
    `SELECT id FROM read_parquet('${dir.path}/data/ev/*.parquet') ORDER BY id`,
  );
  assert.deepEqual(rows.map((r) => r.id), [1, 2, 3, 4, 5]);
});

Deno.test("run() gives an empty stream table a queryable view", async () => {
  await using dir = await tempDir();
  await new ConnectorRuntime(dir.path).run(streamConnector(() => []));
  const rows = await queryDuckDB(
    `${dir.path}/extract.duckdb`,
    "SELECT count(*)::INT AS n FROM issues",
  );
  assert.equal(rows[0].n, 0);
});

Deno.test("run() lists the partitions of an extract whose _meta still has the directory glob", async () => {
  await using dir = await tempDir();
  const runtime = new ConnectorRuntime(dir.path);
  await runtime.run(streamConnector(() => [1, 2, 3]));
  // Rewrite the catalog the way earlier versions stored stream tables: one glob.
  const layout = new OutputLayout(dir.path);
  const catalog = await readCatalog(layout.database);
  const entries = catalog.entries.map((e) => ({ ...e, files: ["data/issues/*.parquet"] }));
  const temp = layout.tempDatabase("rlegacy");
  await buildCatalog(temp, layout.root, catalog.runId!, entries, []);
  await Deno.rename(temp, layout.database);
  await runtime.run(streamConnector(() => [4, 5]));
  const db = `${dir.path}/extract.duckdb`;
  const rows = await queryDuckDB(db, "SELECT id FROM issues ORDER BY id");
  assert.deepEqual(rows.map((r) => r.id), [1, 2, 3, 4, 5]);
  const [meta] = await queryDuckDB(db, "SELECT rows::INT AS n, data_files FROM _meta");
  assert.equal(meta.n, 5);
  const files = JSON.parse(String(meta.data_files)) as string[];
  assert.equal(files.length, 2);
  for (const file of files) assert.match(file, /^data\/issues\/\d{4}-\d{2}-.*\.parquet$/);
});

Deno.test("appendStreamBatches() removes the partitions it finished when the stream then fails", async () => {
  await using dir = await tempDir();
  const layout = new OutputLayout(dir.path);
  async function* failing() {
    for (const id of [1, 2, 3]) yield event(id);
    throw new Error("the source went away");
  }
  await assert.rejects(
    () => appendStreamBatches(layout, "ev", failing(), { flushRows: 1 }),
    /the source went away/,
  );
  assert.deepEqual([...Deno.readDirSync(`${dir.path}/data/ev`)], [], "nothing appended");
});

import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { tempDir } from "../../_helpers.ts";
import { readCatalog } from "../../../runtime/extract/catalog.ts";
import { OutputLayout } from "../../../runtime/extract/layout.ts";
import { publishedCatalog } from "../../../runtime/serve/catalog_cache.ts";
import { foldEvents } from "../../../runtime/serve/fold_events.ts";
import type { TableInfo } from "../../../runtime/protocol.ts";
import type { DuckDB } from "../../../runtime/parquet/duckdb.ts";
import { openFoldEngine } from "../../../runtime/serve/fold_engine.ts";

const schema = new arrow.Schema([
  new arrow.Field("id", new arrow.Int64(), false),
  new arrow.Field("title", new arrow.Utf8()),
]);
const info: TableInfo = { name: "tickets", schema, capabilities: 0, primaryKey: ["id"] };

function batch(ids: number[]): arrow.RecordBatch {
  return new arrow.RecordBatch({
    id: arrow.vectorFromArray(ids.map(BigInt), new arrow.Int64()).data[0],
    title: arrow.vectorFromArray(ids.map((id) => `t${id}`), new arrow.Utf8()).data[0],
  } as never);
}

async function fold(layout: OutputLayout, ids: number[], seq: number, engine?: DuckDB) {
  return await foldEvents({
    engine,
    layout,
    connectorName: "tickets",
    tables: [info],
    rows: new Map([["tickets", { info, batches: [batch(ids)] }]]),
    seq,
  });
}

Deno.test("the catalog a fold remembers equals the published one read back, and is dropped when another publish replaces the file", async () => {
  await using dir = await tempDir();
  const layout = new OutputLayout(dir.path);
  // Another writer's extract (as dvt extract would publish), to rename over this one later.
  const other = new OutputLayout(`${dir.path}/other`);
  await fold(other, [7, 8, 9, 10], 4);
  await fold(layout, [1, 2], 2);
  await fold(layout, [3], 3);
  const remembered = await publishedCatalog(layout.database);
  const readBack = await readCatalog(layout.database);
  assert.deepEqual(remembered, readBack);
  assert.equal(remembered.entries[0].rows, 3);

  await Deno.rename(other.database, layout.database);
  assert.equal((await publishedCatalog(layout.database)).entries[0].rows, 4);
});

Deno.test("folds that share one engine publish what folds with their own do, and leave nothing attached to it", async () => {
  await using dir = await tempDir();
  await using engine = await openFoldEngine();
  const shared = new OutputLayout(`${dir.path}/shared`);
  const own = new OutputLayout(`${dir.path}/own`);
  for (const [ids, seq] of [[[1, 2], 2], [[3], 3], [[4, 5, 6], 6]] as const) {
    await fold(shared, [...ids], seq, engine);
    await fold(own, [...ids], seq);
  }
  const strip = (catalog: Awaited<ReturnType<typeof readCatalog>>) =>
    catalog.entries.map(({ name, rows, schema, files }) => ({
      name,
      rows,
      schema,
      files: files.length,
    }));
  assert.deepEqual(
    strip(await readCatalog(shared.database)),
    strip(await readCatalog(own.database)),
  );
  assert.equal((await readCatalog(shared.database)).entries[0].rows, 6);
  // Each catalog build detached its file: the engine holds only its own databases.
  const attached = await engine.all(
    "SELECT database_name FROM duckdb_databases() WHERE NOT internal ORDER BY 1",
  );
  assert.deepEqual(attached.map((row) => row.database_name), ["memory"]);
  assert.deepEqual(await engine.all("SELECT current_setting('threads') AS threads"), [{
    threads: 1n,
  }]);
});

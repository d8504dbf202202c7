import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { tempDir } from "../../_helpers.ts";
import { buildCatalog, type CatalogEntry, readCatalog } from "../../../runtime/extract/catalog.ts";
import {
  catalogSnapshotFile,
  readCatalogSnapshot,
  saveCatalogSnapshot,
} from "../../../runtime/extract/catalog_snapshot.ts";
import type { CatalogStore } from "../../../runtime/extract/catalog_thread.ts";
import { OutputLayout } from "../../../runtime/extract/layout.ts";
import { ConnectorRuntime } from "../../../runtime/extract/runtime.ts";
import { batchOf, memoryConnector, schemaOf } from "../../fixtures/runtime/connectors.ts";

function oneTable(values: number[]) {
  return memoryConnector([
    {
      info: { name: "a", schema: schemaOf({ id: new arrow.Int32() }), description: "first" },
      *batches() {
        yield batchOf({ id: { type: new arrow.Int32(), values } });
      },
    },
  ]).connector;
}

/** catalog.ts's own store, counting the reads that reach the database. */
function countingStore(): CatalogStore & { reads: number } {
  const store = {
    reads: 0,
    read: (path: string) => {
      store.reads++;
      return readCatalog(path);
    },
    build: buildCatalog,
  };
  return store;
}

Deno.test("a catalog snapshot reads back exactly what readCatalog() reads from the database it describes", async () => {
  await using dir = await tempDir();
  const runtime = new ConnectorRuntime(dir.path);
  await runtime.run(oneTable([1, 2]));
  const layout = new OutputLayout(dir.path);
  const [real] = (await readCatalog(layout.database)).entries;
  // Every kind of value a _meta row carries: numeric and text cursors, no cursor, history with
  // a key, an empty description, milliseconds in the time, a remote attach with and without alias.
  const entries: CatalogEntry[] = [
    { ...real, name: "z_text_cursor", cursorColumn: "changed", cursorValue: "2026-01-02 03:04:05" },
    { ...real, name: "b_int_cursor", cursorColumn: "id", cursorValue: 42 },
    {
      ...real,
      name: "c_history",
      description: "",
      disposition: "history",
      primaryKey: ["id"],
      extractedAt: new Date("2026-11-29T20:01:02.345Z"),
    },
    real,
  ];
  const remote = [
    { extension: "postgres", url: "host=db", tokenEnv: "PGPASSWORD" },
    { extension: "bigquery", url: "bq://p", tokenEnv: "", alias: "warehouse" },
  ];
  await Deno.remove(layout.database);
  await buildCatalog(layout.database, layout.root, "r-snap", entries, remote, "x");
  await saveCatalogSnapshot(layout, "r-snap", entries, remote);
  const fromDatabase = await readCatalog(layout.database);
  assert.equal(fromDatabase.entries.length, 4);
  assert.deepEqual(await readCatalogSnapshot(layout), fromDatabase);
});

Deno.test("a catalog snapshot is not used once extract.duckdb is another file, was written to, has a WAL, or the snapshot is cut", async () => {
  await using dir = await tempDir();
  const layout = new OutputLayout(dir.path);
  await new ConnectorRuntime(dir.path).run(oneTable([1]));
  const valid = async () => (await readCatalogSnapshot(layout)) !== undefined;
  assert.ok(await valid(), "a run leaves a snapshot of what it published");
  // Written to in place: a different modification time.
  const mtime = (await Deno.stat(layout.database)).mtime!;
  await Deno.utime(layout.database, new Date(), new Date(mtime.getTime() + 5000));
  assert.ok(!await valid(), "modification time changed");
  await new ConnectorRuntime(dir.path).run(oneTable([1]));
  assert.ok(await valid());
  // A WAL beside it: DuckDB would replay it onto the file.
  await Deno.writeTextFile(`${layout.database}.wal`, "");
  assert.ok(!await valid(), "a WAL appeared");
  await Deno.remove(`${layout.database}.wal`);
  // Replaced by another file (what any other publisher does): a new inode.
  await Deno.copyFile(layout.database, `${layout.database}.copy`);
  await Deno.rename(`${layout.database}.copy`, layout.database);
  assert.ok(!await valid(), "replaced by rename");
  await new ConnectorRuntime(dir.path).run(oneTable([1]));
  assert.ok(await valid());
  // Cut short (a crash while it was written) or garbage.
  const text = await Deno.readTextFile(catalogSnapshotFile(layout));
  await Deno.writeTextFile(catalogSnapshotFile(layout), text.slice(0, text.length / 2));
  assert.ok(!await valid(), "cut short");
  await Deno.writeTextFile(catalogSnapshotFile(layout), "null");
  assert.ok(!await valid(), "not a snapshot");
});

Deno.test("an extract reads the previous run's catalog from its snapshot, and from extract.duckdb when that file changed", async () => {
  await using dir = await tempDir();
  const store = countingStore();
  const runtime = new ConnectorRuntime(dir.path, { catalogStore: store });
  const first = await runtime.run(oneTable([1, 2, 3]));
  assert.equal(store.reads, 1, "no snapshot yet: the database is read");
  const second = await runtime.run(oneTable([1, 2, 3, 4]));
  assert.equal(store.reads, 1, "the snapshot of the first run's publish is used");
  assert.equal(second.totalRows, 4);
  // The second run started from the first one's catalog: its file is gone, replaced.
  const published = await readCatalog(runtime.layout.database);
  assert.equal(published.runId, second.runId);
  assert.notEqual(published.entries[0].runId, first.runId);
  // Another publisher replaced extract.duckdb: the snapshot no longer describes it.
  await Deno.copyFile(runtime.layout.database, `${dir.path}/other.duckdb`);
  await Deno.rename(`${dir.path}/other.duckdb`, runtime.layout.database);
  await runtime.run(oneTable([1]));
  assert.equal(store.reads, 2, "the replaced database is read");
});

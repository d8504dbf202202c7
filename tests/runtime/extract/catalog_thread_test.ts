import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { tempDir } from "../../_helpers.ts";
import { buildCatalog, readCatalog } from "../../../runtime/extract/catalog.ts";
import { CatalogThread } from "../../../runtime/extract/catalog_thread.ts";
import { ConnectorRuntime } from "../../../runtime/extract/runtime.ts";
import { batchOf, memoryConnector, schemaOf } from "../../fixtures/runtime/connectors.ts";

function ids(values: number[]) {
  return batchOf({ id: { type: new arrow.Int32(), values } });
}

Deno.test("CatalogThread reads and builds the catalog exactly as catalog.ts does on this thread", async () => {
  await using dir = await tempDir();
  const { connector } = memoryConnector([
    {
      info: { name: "a", schema: schemaOf({ id: new arrow.Int32() }), description: "first" },
      *batches() {
        yield ids([1, 2, 3]);
      },
    },
  ]);
  using thread = CatalogThread.start();
  const threaded = new ConnectorRuntime(`${dir.path}/threaded`, { catalogStore: thread });
  const result = await threaded.run(connector);
  assert.equal(result.totalRows, 3);
  // The published database is read back the same on either thread.
  const here = await readCatalog(threaded.layout.database);
  assert.deepEqual(await thread.read(threaded.layout.database), here);
  assert.equal(here.entries[0].description, "first");
  assert.equal(here.entries[0].rows, 3);
  assert.ok(here.entries[0].extractedAt instanceof Date);
  // A second run through the thread sees the first one's catalog (and replaces it).
  const again = await threaded.run(connector);
  const latest = await readCatalog(threaded.layout.database);
  assert.equal(latest.runId, again.runId);
  // build() writes the same catalog as buildCatalog() does here.
  const entries = latest.entries;
  const root = threaded.layout.root;
  await thread.build(`${dir.path}/a.duckdb`, root, "r1", entries, latest.remote, "x");
  await buildCatalog(`${dir.path}/b.duckdb`, root, "r1", entries, latest.remote, "x");
  assert.deepEqual(
    await readCatalog(`${dir.path}/a.duckdb`),
    await readCatalog(`${dir.path}/b.duckdb`),
  );
});

Deno.test("CatalogThread passes a failure's message chain back and stays usable", async () => {
  await using dir = await tempDir();
  using thread = CatalogThread.start();
  await Deno.writeTextFile(`${dir.path}/extract.duckdb`, "not a database");
  await assert.rejects(thread.read(`${dir.path}/extract.duckdb`), (error: Error) => {
    assert.match(error.message, /^Failed to open .*extract\.duckdb: /);
    return true;
  });
  // The runtime words it as before: the published catalog cannot be read.
  const runtime = new ConnectorRuntime(dir.path, { catalogStore: thread });
  const { connector } = memoryConnector([
    { info: { name: "a", schema: schemaOf({ id: new arrow.Int32() }) }, *batches() {} },
  ]);
  await assert.rejects(runtime.run(connector), /cannot read the published catalog: Failed to open/);
  // An existing file path where build() must create a database fails; the next call still works.
  await assert.rejects(
    thread.build(`${dir.path}/extract.duckdb`, dir.path, "r1", [], [], ""),
    /Failed to open/,
  );
  assert.deepEqual(await thread.read(`${dir.path}/absent.duckdb`), { entries: [], remote: [] });
});

Deno.test("CatalogThread refuses calls once closed", async () => {
  const thread = CatalogThread.start();
  thread.close();
  await assert.rejects(thread.read("/nonexistent/extract.duckdb"), /catalog worker was stopped/);
});

Deno.test("CatalogThread.prepare() creates the catalog file ahead; build() fills that one, and reports its failure", async () => {
  await using dir = await tempDir();
  using thread = CatalogThread.start();
  const path = `${dir.path}/ahead.duckdb`;
  thread.prepare(path);
  await thread.read(`${dir.path}/absent.duckdb`); // the worker is past the prepare by now
  const deadline = Date.now() + 10_000;
  while (!await Deno.stat(path).then(() => true, () => false)) {
    assert.ok(Date.now() < deadline, "the prepared catalog file was never created");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await thread.build(path, dir.path, "r9", [], [{
    alias: "kbc",
    extension: "keboola",
    url: "https://connection.keboola.com",
    tokenEnv: "KEBOOLA_STORAGE_TOKEN",
  }], "x");
  const built = await readCatalog(path);
  assert.equal(built.runId, "r9");
  assert.deepEqual(built.remote.map((r) => r.alias), ["kbc"]);
  // A catalog that could not be created ahead fails its build with the reason.
  thread.prepare(`${dir.path}/missing/dir/x.duckdb`);
  await assert.rejects(
    thread.build(`${dir.path}/missing/dir/x.duckdb`, dir.path, "r9", [], [], "x"),
    /Failed to open .*missing\/dir\/x\.duckdb/,
  );
});

Deno.test("CatalogThread.prefetch(): read() gives the catalog as published when read, even if a run published since", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/extract.duckdb`;
  await buildCatalog(path, dir.path, "r1", [], [], "x");
  using thread = CatalogThread.start();
  thread.prefetch(path);
  assert.equal((await thread.read(path)).runId, "r1");
  // Read ahead, then another run publishes (a new database renamed over): read() sees r2.
  thread.prefetch(path);
  await thread.read(`${dir.path}/absent.duckdb`); // the worker is past the prefetch by now
  await buildCatalog(`${path}.tmp-r2`, dir.path, "r2", [], [], "x");
  await Deno.rename(`${path}.tmp-r2`, path);
  assert.deepEqual(await thread.read(path), await readCatalog(path));
  assert.equal((await thread.read(path)).runId, "r2");
  // A prefetch that fails leaves the failure to read().
  await Deno.writeTextFile(`${dir.path}/junk.duckdb`, "not a database");
  thread.prefetch(`${dir.path}/junk.duckdb`);
  await assert.rejects(thread.read(`${dir.path}/junk.duckdb`), /^Error: Failed to open/);
});

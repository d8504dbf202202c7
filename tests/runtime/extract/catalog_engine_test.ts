import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { queryDuckDB, tempDir } from "../../_helpers.ts";
import {
  CatalogBuild,
  type CatalogEntry,
  openCatalogEngine,
  readCatalog,
  viewQuery,
} from "../../../runtime/extract/catalog.ts";
import { writeParquetFile } from "../../../runtime/parquet/parquet_writer.ts";
import { batchOf } from "../../fixtures/runtime/connectors.ts";

/** The databases attached to an engine besides its own memory one. */
async function attached(engine: Awaited<ReturnType<typeof openCatalogEngine>>) {
  const rows = await engine.all(
    "SELECT path FROM duckdb_databases() WHERE NOT internal AND database_name <> 'memory'",
  );
  return rows.map((row) => String(row.path));
}

function entryOf(files: string[], name = "orders"): CatalogEntry {
  return {
    name,
    sourceName: name,
    description: "orders of the shop",
    rows: 2,
    sizeBytes: 10,
    extractedAt: new Date("2026-11-29T12:00:00Z"),
    queryMode: "local",
    schema: { fields: [{ name: "id", type: "Int32", nullable: true }] },
    files,
    cursorColumn: "id",
    cursorValue: 2,
    disposition: undefined,
    primaryKey: undefined,
    runId: "r1",
  };
}

Deno.test("one catalog engine reads and builds catalogs by attaching them, and detaches each", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(`${dir.path}/data`);
  await writeParquetFile(
    `${dir.path}/data/orders.parquet`,
    [batchOf({ id: { type: new arrow.Int32(), values: [1, 2] } })],
    { table: "orders" },
  );
  await using engine = await openCatalogEngine();
  const path = `${dir.path}/extract.duckdb`;
  const build = await CatalogBuild.open(path, engine);
  // The file is created through the engine given, not an instance of its own.
  assert.deepEqual(await attached(engine), [path]);
  await build.finish(dir.path, "r1", [entryOf(["data/orders.parquet"])], [], "shop");
  assert.deepEqual(await attached(engine), []);
  const catalog = await readCatalog(path, engine);
  assert.deepEqual(await attached(engine), []);
  assert.equal(catalog.runId, "r1");
  assert.deepEqual(catalog.entries, [entryOf(["data/orders.parquet"])]);
  // Read back by DuckDB on its own, the published file is a whole catalog with its view.
  assert.deepEqual(await queryDuckDB(path, "SELECT id FROM orders ORDER BY id"), [
    { id: 1 },
    { id: 2 },
  ]);
  assert.deepEqual(await queryDuckDB(path, "SELECT run_id, connector FROM _dvt_run"), [
    { run_id: "r1", connector: "shop" },
  ]);
});

Deno.test("a build that fails leaves the shared engine ready for the next read and build", async () => {
  await using dir = await tempDir();
  await using engine = await openCatalogEngine();
  const broken = await CatalogBuild.open(`${dir.path}/broken.duckdb`, engine);
  // The view cannot be created over a missing file: the transaction fails and is rolled back.
  await assert.rejects(
    broken.finish(dir.path, "r1", [entryOf(["data/missing.parquet"])], [], "shop"),
    /missing\.parquet/,
  );
  assert.deepEqual(await attached(engine), []);
  // A file that is not a database reads as a failure to open it, as with an instance of its own.
  await Deno.writeTextFile(`${dir.path}/junk.duckdb`, "not a database");
  await assert.rejects(readCatalog(`${dir.path}/junk.duckdb`, engine), /^Error: Failed to open/);
  const good = await CatalogBuild.open(`${dir.path}/good.duckdb`, engine);
  await good.finish(dir.path, "r2", [], [], "shop");
  assert.equal((await readCatalog(`${dir.path}/good.duckdb`, engine)).runId, "r2");
  assert.deepEqual(await attached(engine), []);
});

Deno.test("CatalogBuild.write builds in one transaction the catalog open() and finish() build", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(`${dir.path}/data`);
  for (const name of ["orders", "lines"]) {
    await writeParquetFile(
      `${dir.path}/data/${name}.parquet`,
      [batchOf({ id: { type: new arrow.Int32(), values: [1, 2] } })],
      { table: name },
    );
  }
  await using engine = await openCatalogEngine();
  const remote = [{ alias: "wh", extension: "motherduck", url: "md:shop", tokenEnv: "MD_TOKEN" }];
  // Several `_meta` rows (one INSERT), one of them with no cursor, key or description.
  const entries = [
    entryOf(["data/lines.parquet"], "lines"),
    { ...entryOf(["data/orders.parquet"]), primaryKey: ["id"], disposition: "merge" },
    {
      ...entryOf([], "remote_only"),
      queryMode: "remote" as const,
      description: "",
      cursorColumn: undefined,
      cursorValue: undefined,
    },
  ];
  const twoSteps = `${dir.path}/two.duckdb`;
  const build = await CatalogBuild.open(twoSteps, engine);
  await build.finish(dir.path, "r1", entries, remote, "shop");
  const oneStep = `${dir.path}/one.duckdb`;
  await CatalogBuild.write(oneStep, engine, dir.path, "r1", entries, remote, "shop");
  assert.deepEqual(await attached(engine), []);
  const written = await readCatalog(oneStep, engine);
  assert.deepEqual(written, await readCatalog(twoSteps, engine));
  assert.deepEqual(written.entries, entries);
  assert.deepEqual(await queryDuckDB(oneStep, "SELECT count(*)::INT AS n FROM lines"), [{ n: 2 }]);
  // A write that fails (a view over a missing file) leaves the engine ready for the next one.
  await assert.rejects(
    CatalogBuild.write(
      `${dir.path}/bad.duckdb`,
      engine,
      dir.path,
      "r2",
      [
        entryOf(["data/missing.parquet"]),
      ],
      [],
      "shop",
    ),
    /missing\.parquet/,
  );
  assert.deepEqual(await attached(engine), []);
  await CatalogBuild.write(`${dir.path}/next.duckdb`, engine, dir.path, "r3", [], [], "shop");
  assert.equal((await readCatalog(`${dir.path}/next.duckdb`, engine)).runId, "r3");
});

Deno.test("a view over several files reads each once, in order; a path with a | is listed on its own", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(`${dir.path}/data/orders`, { recursive: true });
  const names = ["2026-01-a.parquet", "2026-01-b.parquet", "2026-01-c|d.parquet"];
  for (const [k, name] of names.entries()) {
    await writeParquetFile(
      `${dir.path}/data/orders/${name}`,
      [batchOf({ id: { type: new arrow.Int32(), values: [10 * k + 1, 10 * k + 2] } })],
      { table: "orders" },
    );
  }
  await using engine = await openCatalogEngine();
  for (const files of [names.slice(0, 2), names]) {
    const path = `${dir.path}/extract.duckdb`;
    await Deno.remove(path).catch(() => {});
    const entry = entryOf(files.map((name) => `data/orders/${name}`));
    await CatalogBuild.write(path, engine, dir.path, "r1", [entry], [], "shop");
    const rows = await queryDuckDB(path, "SELECT id FROM orders");
    assert.deepEqual(rows.map((row) => row.id), [1, 2, 11, 12, 21, 22].slice(0, 2 * files.length));
  }
  assert.match(viewQuery(dir.path, ["data/a.parquet", "data/b.parquet"]), /string_split/);
  assert.doesNotMatch(viewQuery(dir.path, ["data/a.parquet", "data/b|.parquet"]), /string_split/);
});

Deno.test("a view over several files reads them when the output directory's path holds a |", async () => {
  await using dir = await tempDir();
  const out = `${dir.path}/a|b`;
  await Deno.mkdir(`${out}/data/orders`, { recursive: true });
  const names = ["2026-01-a.parquet", "2026-01-b.parquet"];
  for (const [k, name] of names.entries()) {
    await writeParquetFile(
      `${out}/data/orders/${name}`,
      [batchOf({ id: { type: new arrow.Int32(), values: [10 * k + 1] } })],
      { table: "orders" },
    );
  }
  await using engine = await openCatalogEngine();
  const entry = entryOf(names.map((name) => `data/orders/${name}`));
  await CatalogBuild.write(`${out}/extract.duckdb`, engine, out, "r1", [entry], [], "shop");
  const rows = await queryDuckDB(`${out}/extract.duckdb`, "SELECT id FROM orders");
  assert.deepEqual(rows.map((row) => row.id), [1, 11]);
});

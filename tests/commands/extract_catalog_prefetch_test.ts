import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "../_helpers.ts";
import { runExtract } from "../../runtime/commands/run_extract.ts";
import { buildCatalog, readCatalog } from "../../runtime/extract/catalog.ts";
import type { CatalogStore } from "../../runtime/extract/catalog_thread.ts";
import { catalogSnapshotFile } from "../../runtime/extract/catalog_snapshot.ts";
import { OutputLayout } from "../../runtime/extract/layout.ts";

Deno.test("dvt extract reads the published catalog ahead only when no snapshot describes it", async () => {
  await using dir = await tempDir();
  const csv = join(dir.path, "orders.csv");
  await Deno.writeTextFile(csv, "id,amount\n1,2.5\n");
  const out = join(dir.path, "out");
  const prefetched: string[] = [];
  const store: CatalogStore = {
    read: readCatalog,
    build: buildCatalog,
    prefetch: (path) => void prefetched.push(path),
  };
  const extract = () =>
    runExtract(
      undefined,
      {
        connector: "files",
        set: [`paths=${csv}`],
        out,
        fullRefresh: false,
        json: true,
        check: false,
      },
      { debug: false, logLevel: "error" },
      store,
    );
  const database = new OutputLayout(out).database;

  assert.equal(await extract(), 0);
  assert.deepEqual(
    prefetched,
    [database],
    "a first run has no snapshot: the catalog is read ahead",
  );
  assert.equal(await extract(), 0);
  assert.deepEqual(
    prefetched,
    [database],
    "the snapshot describes extract.duckdb: nothing read ahead",
  );
  await Deno.remove(catalogSnapshotFile(new OutputLayout(out)));
  assert.equal(await extract(), 0);
  assert.deepEqual(prefetched, [database, database], "without the snapshot it is read ahead again");
});

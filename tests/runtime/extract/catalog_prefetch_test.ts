import assert from "node:assert/strict";
import { tempDir } from "../../_helpers.ts";
import type { Catalog } from "../../../runtime/extract/catalog.ts";
import { CatalogPrefetch } from "../../../runtime/extract/catalog_prefetch.ts";

const catalogOf = (runId: string): Catalog => ({ runId, entries: [], remote: [] });

/** A reader that returns the file's text as the run id, counting its calls. */
function countingReader() {
  const reader = {
    calls: 0,
    read: async (path: string) => {
      reader.calls++;
      return catalogOf(await Deno.readTextFile(path).catch(() => "absent"));
    },
  };
  return reader;
}

Deno.test("CatalogPrefetch hands out the catalog read ahead once, while the file is the same", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/extract.duckdb`;
  await Deno.writeTextFile(path, "r1");
  const reader = countingReader();
  const prefetch = new CatalogPrefetch();
  await prefetch.fetch(path, reader.read);
  assert.deepEqual(await prefetch.take(path), catalogOf("r1"));
  assert.equal(reader.calls, 1);
  assert.equal(await prefetch.take(path), undefined, "handed out once");
  assert.equal(await prefetch.take(`${dir.path}/other.duckdb`), undefined);
});

Deno.test("CatalogPrefetch drops a read once the database was replaced, rewritten or got a WAL", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/extract.duckdb`;
  const reader = countingReader();
  const prefetch = new CatalogPrefetch();
  const changes: (() => Promise<void>)[] = [
    // Another run published: a new file renamed over it.
    async () => {
      await Deno.writeTextFile(`${path}.tmp`, "r2");
      await Deno.rename(`${path}.tmp`, path);
    },
    // Something wrote into it in place (same length, same inode).
    () => Deno.writeTextFile(path, "r3"),
    // A writer left a write-ahead log beside it.
    () => Deno.writeTextFile(`${path}.wal`, "wal"),
    // The published database was removed.
    () => Deno.remove(path),
  ];
  for (const change of changes) {
    await Deno.writeTextFile(path, "r1");
    await Deno.remove(`${path}.wal`).catch(() => {});
    await prefetch.fetch(path, reader.read);
    await change();
    assert.equal(await prefetch.take(path), undefined, String(change));
  }
  // A file that appears where there was none is not the absent catalog read ahead either.
  await prefetch.fetch(path, reader.read);
  await Deno.writeTextFile(path, "r4");
  assert.equal(await prefetch.take(path), undefined);
});

Deno.test("CatalogPrefetch keeps nothing when the file changed during the read", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/extract.duckdb`;
  await Deno.writeTextFile(path, "r1");
  const prefetch = new CatalogPrefetch();
  await prefetch.fetch(path, async (file) => {
    const catalog = catalogOf(await Deno.readTextFile(file));
    await Deno.writeTextFile(`${file}.tmp`, "r2");
    await Deno.rename(`${file}.tmp`, file);
    return catalog;
  });
  assert.equal(await prefetch.take(path), undefined);
});

import assert from "node:assert/strict";
import type { CatalogEntry } from "../../../runtime/extract/catalog.ts";
import { publishedEntries, removedEntries } from "../../../runtime/extract/published_entries.ts";

function entry(sourceName: string, name: string): CatalogEntry {
  return {
    name,
    sourceName,
    description: "",
    rows: 1,
    sizeBytes: 1,
    extractedAt: new Date(0),
    queryMode: "local",
    schema: { fields: [] },
    files: [`data/${name}.r1.parquet`],
    runId: "r1",
  };
}

function landed(sourceName: string, name: string) {
  return {
    outcome: { table: sourceName, name, rows: 1, totalRows: 1, sizeBytes: 1, status: "extracted" },
    entry: entry(sourceName, name),
  } as const;
}

Deno.test("removedEntries() lists unselected tables only when the run may drop them", () => {
  const published = [entry("a", "a"), entry("b", "b")];
  assert.deepEqual(removedEntries(published, ["a"], true).map((e) => e.sourceName), ["b"]);
  assert.deepEqual(removedEntries(published, ["a"], false), []);
});

Deno.test("publishedEntries() replaces landed tables' entries and sorts by name", () => {
  const { entries } = publishedEntries([entry("b", "b"), entry("a", "a")], [landed("a", "z")]);
  assert.deepEqual(entries.map((e) => `${e.sourceName}:${e.name}`), ["b:b", "a:z"]);
});

Deno.test("publishedEntries() never publishes two tables under one name", () => {
  // a was renamed to "b" while b, renamed to "a", failed: b still holds "b".
  const kept = [entry("a", "a"), entry("b", "b")];
  const { entries, runs } = publishedEntries(kept, [landed("a", "b")]);
  assert.deepEqual(entries.map((e) => `${e.sourceName}:${e.name}`), ["a:a", "b:b"]);
  assert.equal(runs[0].outcome.status, "failed");
  assert.match(
    String((runs[0].outcome as { error: Error }).error.message),
    /table "a" cannot be published as "b": table "b" still holds that name/,
  );
});

import assert from "node:assert/strict";
import { join } from "node:path";
import { copyScanToParquet } from "../../../runtime/extract/native_scan.ts";
import { queryDuckDB, tempDir } from "../../_helpers.ts";

const SQL = `SELECT * FROM (VALUES
  (1::BIGINT, TIMESTAMP '2026-01-01 10:00:00.123456', DATE '2026-01-01', 'a'),
  (2::BIGINT, TIMESTAMP '2026-01-03 00:00:00', DATE '2026-01-05', NULL)
) AS t(id, updated_at, day, name)`;

Deno.test("copyScanToParquet() writes zstd Parquet and reports rows, size and cursor", async () => {
  await using dir = await tempDir();
  const target = join(dir.path, "t.parquet");
  const result = await copyScanToParquet(SQL, target, { cursorColumn: "updated_at" });
  assert.equal(result.rows, 2);
  assert.equal(result.sizeBytes, (await Deno.stat(target)).size);
  assert.equal(result.maxCursor, "2026-01-03T00:00:00.000Z");
  const rows = await queryDuckDB(undefined, `SELECT id, name FROM '${target}' ORDER BY id`);
  assert.deepEqual(rows, [{ id: 1n, name: "a" }, { id: 2n, name: null }]);
  const codecs = await queryDuckDB(
    undefined,
    `SELECT DISTINCT compression FROM parquet_metadata('${target}')`,
  );
  assert.deepEqual(codecs.map((r) => r.compression), ["ZSTD"]);
});

Deno.test("copyScanToParquet() renders date and integer cursors like the Arrow path", async () => {
  await using dir = await tempDir();
  const target = join(dir.path, "t.parquet");
  assert.equal(
    (await copyScanToParquet(SQL, target, { cursorColumn: "day" })).maxCursor,
    "2026-01-05",
  );
  assert.equal((await copyScanToParquet(SQL, target, { cursorColumn: "id" })).maxCursor, "2");
  const empty = await copyScanToParquet(`${SQL} WHERE false`, target, { cursorColumn: "id" });
  assert.equal(empty.rows, 0);
  assert.equal(empty.maxCursor, undefined);
});

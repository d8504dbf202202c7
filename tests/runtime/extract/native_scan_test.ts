import assert from "node:assert/strict";
import { join } from "node:path";
import * as arrow from "apache-arrow";
import { copyScanToParquet, tryNativeScan } from "../../../runtime/extract/native_scan.ts";
import { Cap, type Connector, type Logger } from "../../../runtime/protocol.ts";
import { InputError } from "../../../runtime/errors.ts";
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

function recordingLog() {
  const warnings: { message: string; fields?: Record<string, unknown> }[] = [];
  const log: Logger = {
    debug() {},
    info() {},
    warn(message, fields) {
      warnings.push({ message, fields });
    },
    error() {},
  };
  return { log, warnings };
}

function scanConnector(sql: string, explain?: Connector["explainScanError"]): Connector {
  return { capabilities: Cap.READ, scanSql: () => sql, explainScanError: explain };
}

const DECLARED = new arrow.Schema([new arrow.Field("id", new arrow.Int64(), true)]);
const OPTIONS = { batchSize: 1000 };

Deno.test("tryNativeScan() keeps what DuckDB wrote when it has the declared column types", async () => {
  await using dir = await tempDir();
  const target = join(dir.path, "t.parquet");
  const { log, warnings } = recordingLog();
  const connector = scanConnector("SELECT * FROM range(3) t(id)");
  const result = await tryNativeScan(connector, "t", OPTIONS, target, DECLARED, log);
  assert.equal(result?.rows, 3);
  assert.deepEqual(warnings, []);
});

Deno.test("tryNativeScan() falls back to read() with a warning when DuckDB wrote other types", async () => {
  await using dir = await tempDir();
  const target = join(dir.path, "t.parquet");
  const { log, warnings } = recordingLog();
  const connector = scanConnector("SELECT CAST(range AS VARCHAR) AS id FROM range(3)");
  const result = await tryNativeScan(connector, "t", OPTIONS, target, DECLARED, log);
  assert.equal(result, undefined);
  assert.equal(warnings.length, 1);
  assert.match(
    String(warnings[0].fields?.mismatch),
    /column 1 is "id" VARCHAR, declared "id" BIGINT/,
  );
  assert.equal(await Deno.stat(target).then(() => true, () => false), false);
});

Deno.test("tryNativeScan() fails the table with the connector's explanation of bad input", async () => {
  await using dir = await tempDir();
  const target = join(dir.path, "t.parquet");
  const { log, warnings } = recordingLog();
  const bad = "SELECT CAST('N/A' AS BIGINT) AS id";
  const connector = scanConnector(
    bad,
    (_table, error) =>
      /Conversion Error/.test(String(error))
        ? new InputError("bad value in t.csv at line 2", { location: { file: "t.csv", line: 2 } })
        : error,
  );
  await assert.rejects(
    () => tryNativeScan(connector, "t", OPTIONS, target, DECLARED, log),
    (error: Error) => error instanceof InputError && /t\.csv at line 2/.test(error.message),
  );
  assert.deepEqual(warnings, []);
  assert.equal(await Deno.stat(target).then(() => true, () => false), false);
});

Deno.test("tryNativeScan() logs other failures and leaves the table to read()", async () => {
  await using dir = await tempDir();
  const target = join(dir.path, "t.parquet");
  const { log, warnings } = recordingLog();
  const connector = scanConnector("SELECT CAST('N/A' AS BIGINT) AS id");
  assert.equal(await tryNativeScan(connector, "t", OPTIONS, target, DECLARED, log), undefined);
  assert.equal(warnings.length, 1);
  assert.match(String(warnings[0].fields?.error), /Conversion Error/);
});

/**
 * DuckDB's native fast path for connectors with `scanSql()`: DuckDB runs the connector's SELECT
 * and writes the Parquet file itself (`COPY ... TO ... (FORMAT parquet, COMPRESSION zstd)`),
 * so rows never cross into JavaScript. The result has the same shape the Arrow path reports,
 * so the runtime publishes the file exactly like its own Parquet.
 *
 * @module
 */
import { errorMessage } from "../errors.ts";
import { settings as envSettings } from "../util/env_settings.ts";
import { isoFromEpochNanos } from "./cursor.ts";
import { DuckDB } from "../parquet/duckdb.ts";
import type * as Arrow from "apache-arrow";
import type { Connector, CursorValue, Logger, ReadOptions } from "../protocol.ts";
import { quoteIdentifier, quoteLiteral } from "../util/sql.ts";
import { DvtError } from "../errors.ts";
import { writeParquetFile } from "../parquet/parquet_writer.ts";

/** DuckDB's memory limit for a native scan (its buffer pool; the process needs more). */
export const NATIVE_SCAN_MEMORY_LIMIT = "256MB";

/** What {@linkcode copyScanToParquet} wrote. */
export interface NativeScanResult {
  rows: number;
  /** Bytes of the Parquet file written. */
  sizeBytes: number;
  /** Highest value of `cursorColumn` written, in the protocol's cursor form. */
  maxCursor?: CursorValue;
}

/** Options for {@linkcode copyScanToParquet}. */
export interface NativeScanOptions {
  /** Incremental cursor column whose maximum to report. */
  cursorColumn?: string;
  /** DuckDB settings, e.g. `{ threads: "2", memory_limit: "1GB" }`. */
  settings?: Record<string, string>;
}

async function maxCursor(db: DuckDB, file: string, column: string) {
  const source = `read_parquet(${quoteLiteral(file)})`;
  const name = quoteIdentifier(column);
  const [{ type }] = await db.all(`SELECT typeof(max(${name})) AS type FROM ${source}`);
  const kind = String(type);
  let expression = `max(${name})`;
  if (kind.startsWith("TIMESTAMP")) expression = `epoch_ns(max(${name}))`;
  else if (kind === "DATE") expression = `strftime(max(${name}), '%Y-%m-%d')`;
  const [{ value }] = await db.all(`SELECT ${expression} AS value FROM ${source}`);
  if (value === null || value === undefined) return undefined;
  if (kind.startsWith("TIMESTAMP")) return isoFromEpochNanos(BigInt(value as bigint));
  if (typeof value === "bigint") return value.toString();
  return value as CursorValue;
}

/**
 * Runs `COPY (<sql>) TO '<target>'` as zstd Parquet and reports rows, size and the cursor
 * maximum. The caller writes to a temporary name and publishes by rename.
 *
 * @example
 * ```ts ignore
 * const result = await copyScanToParquet("SELECT * FROM read_csv('a.csv')", "/tmp/a.parquet");
 * ```
 */
export async function copyScanToParquet(
  sql: string,
  target: string,
  options: NativeScanOptions = {},
): Promise<NativeScanResult> {
  // A bounded buffer pool keeps peak memory flat in the file size (measured: 10M-row CSV
  // peaks at 435-646 MiB RSS unbounded, under 512 MiB with this limit; COPY streams anyway).
  const settings = { memory_limit: NATIVE_SCAN_MEMORY_LIMIT, ...options.settings };
  await using db = await DuckDB.create(":memory:", { settings });
  const copied = await db.all(
    `COPY (${sql}) TO ${quoteLiteral(target)} (FORMAT parquet, COMPRESSION zstd)`,
  );
  const rows = Number(Object.values(copied[0] ?? {})[0] ?? 0);
  const sizeBytes = (await Deno.stat(target)).size;
  const cursor = options.cursorColumn && rows > 0
    ? await maxCursor(db, target, options.cursorColumn)
    : undefined;
  return { rows, sizeBytes, maxCursor: cursor };
}

/** A native scan's result in the shape of the Arrow path's Parquet writer result. */
export interface NativeTableResult {
  rows: number;
  bytes: number;
  schema: Arrow.Schema;
  maxCursor?: CursorValue;
}

/**
 * Extracts a table through `connector.scanSql` when the connector has one, or returns
 * undefined so the caller uses `read()`. A failing COPY is never taken for an empty or short
 * table: its partial file is removed, and the connector's `explainScanError` decides. Bad input
 * (a DvtError: a malformed row, naming file and line) fails the table; any other failure of the
 * native path is logged and returns undefined, so the table is read through the connector. So
 * does a file whose column types differ from what the Arrow path writes for the declared schema.
 */
export async function tryNativeScan(
  connector: Connector,
  table: string,
  options: ReadOptions,
  target: string,
  schema: Arrow.Schema | undefined,
  log?: Logger,
): Promise<NativeTableResult | undefined> {
  // DVT_NATIVE_SCAN=0 forces the portable Arrow path (benchmarks compare the two).
  if (!connector.scanSql || !schema || !envSettings().nativeScan) return undefined;
  const sql = await connector.scanSql(table, options);
  let result: NativeScanResult;
  try {
    result = await copyScanToParquet(sql, target, { cursorColumn: options.incrementalKey });
  } catch (error) {
    await Deno.remove(target).catch(() => {});
    // DuckDB.all wraps the engine's error ("Failed to query ..."); explain the engine's own.
    const engineError = error instanceof Error && error.cause instanceof Error
      ? error.cause
      : error;
    const explained = connector.explainScanError?.(table, engineError) ?? engineError;
    if (explained instanceof DvtError) throw explained;
    log?.warn("the native scan failed; reading the table through the connector instead", {
      table,
      error: firstLine(engineError),
    });
    return undefined;
  }
  const mismatch = await writtenSchemaMismatch(target, schema);
  if (mismatch) {
    await Deno.remove(target).catch(() => {});
    log?.warn(
      "the native scan wrote other column types than declared; reading the table through the connector instead",
      { table, mismatch },
    );
    return undefined;
  }
  return { rows: result.rows, bytes: result.sizeBytes, schema, maxCursor: result.maxCursor };
}

/** Column names and DuckDB types of a Parquet file, as DuckDB reads them. */
async function describeParquet(path: string): Promise<string[]> {
  await using db = await DuckDB.create(":memory:");
  const rows = await db.all(`DESCRIBE SELECT * FROM read_parquet(${quoteLiteral(path)})`);
  return rows.map((row) => `${quoteIdentifier(String(row.column_name))} ${row.column_type}`);
}

/**
 * Compares what DuckDB's COPY wrote with what the Arrow path writes for the declared schema
 * (an empty file written the same way), column by column as DuckDB reads them back. Returns
 * the first difference, or undefined when the two paths agree.
 */
async function writtenSchemaMismatch(
  target: string,
  schema: Arrow.Schema,
): Promise<string | undefined> {
  const reference = `${target}.declared`;
  try {
    await writeParquetFile(reference, [], { table: "declared", schema });
    const expected = await describeParquet(reference);
    const actual = await describeParquet(target);
    const length = Math.max(expected.length, actual.length);
    for (let i = 0; i < length; i++) {
      if (expected[i] !== actual[i]) {
        return `column ${i + 1} is ${actual[i] ?? "missing"}, declared ${expected[i] ?? "nothing"}`;
      }
    }
    return undefined;
  } finally {
    await Deno.remove(reference).catch(() => {});
  }
}

function firstLine(error: unknown): string {
  return errorMessage(error).split("\n")[0];
}

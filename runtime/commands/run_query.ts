/**
 * `dvt query`: runs SQL on extracts with the embedded DuckDB, read-only, so an analyst's query
 * never blocks the next `dvt extract` (which replaces extract.duckdb by renaming a new file over
 * it; a reader keeps the file it opened). One target opens that extract.duckdb itself (its views
 * resolve files relative to it); no target attaches every source's extract of dvt.yaml under the
 * source's name, for joins across sources.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { errorMessage, InputError, UsageError } from "../errors.ts";
import { isDirectory, isFile } from "../util/path_kind.ts";
import { DATABASE_FILE } from "../extract/layout.ts";
import { DuckDB, type QueryStream } from "../parquet/duckdb.ts";
import { findSource, loadProject, type Project } from "../project.ts";
import type { Logger } from "../protocol.ts";
import { createLogger, detectOutputMode, printResult } from "../util/output.ts";
import { quoteIdentifier, quoteLiteral } from "../util/sql.ts";
import { csvLine, formatTextTable } from "../util/text_table.ts";
import type { GlobalOptions } from "./options.ts";

/** Options of `dvt query` as read from the command line. */
export interface QueryCliOptions {
  csv: boolean;
  json: boolean;
  maxRows?: number;
  project?: string;
}

/** Rows an aligned table shows unless `--max-rows` says otherwise. */
export const DEFAULT_MAX_ROWS = 100;

const NUMERIC_TYPE = /^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|FLOAT|DOUBLE|REAL|DECIMAL)/;

/** The extract.duckdb a target names: a file, a directory holding one, or a source's. */
async function targetDatabase(target: string, options: QueryCliOptions): Promise<string> {
  const path = resolve(target);
  if (await isFile(path)) return path;
  if (await isDirectory(path)) {
    const inside = join(path, DATABASE_FILE);
    if (await isFile(inside)) return inside;
    throw new InputError(`no ${DATABASE_FILE} in ${path}`, {
      hint: "give an extract's output directory or its extract.duckdb",
    });
  }
  if (/[\\/]|\.duckdb$/.test(target)) {
    throw new InputError(`file not found: ${path}`, {
      hint: "give an extract.duckdb, an output directory, or a source name of dvt.yaml",
    });
  }
  const project = await requireProject(options, `to find source "${target}" in`);
  const source = findSource(project, target);
  const database = join(source.out, DATABASE_FILE);
  if (!await isFile(database)) {
    throw new InputError(`source "${target}" has no extract yet (looked for ${database})`, {
      hint: `run: dvt extract ${target}`,
    });
  }
  return database;
}

async function requireProject(options: QueryCliOptions, purpose: string): Promise<Project> {
  const project = await loadProject(options.project);
  if (project) return project;
  throw new UsageError(`no dvt.yaml in ${Deno.cwd()} ${purpose}`, {
    hint: 'name an extract instead: dvt query extracts/shop/extract.duckdb "SELECT ..."',
  });
}

/**
 * Re-attaches the remote databases an extract records in `_remote_attach`, when the DuckDB
 * extension is available here (extensions cannot be downloaded offline). A failure is a warning:
 * the local tables still answer.
 */
async function attachRemote(db: DuckDB, catalog: string | undefined, log: Logger) {
  const table = catalog ? `${quoteIdentifier(catalog)}._remote_attach` : "_remote_attach";
  const rows = await db.all(`SELECT * FROM ${table}`).catch(() => []);
  for (const row of rows) {
    const alias = String(row.alias);
    const extension = String(row.extension);
    try {
      await db.run(`LOAD ${quoteIdentifier(extension)}`);
      const token = row.token_env ? Deno.env.get(String(row.token_env)) : undefined;
      const tokenOption = token ? `, TOKEN ${quoteLiteral(token)}` : "";
      await db.run(
        `ATTACH ${quoteLiteral(String(row.url))} AS ${quoteIdentifier(alias)} ` +
          `(TYPE ${quoteIdentifier(extension)}, READ_ONLY${tokenOption})`,
      );
    } catch (error) {
      const reason = errorMessage(error);
      log.warn(`remote database "${alias}" not attached: ${reason.split("\n")[0]}`, {
        extension,
      });
    }
  }
}

/** Opens every extracted source of dvt.yaml in one in-memory database, each under its name. */
async function attachProject(options: QueryCliOptions, log: Logger): Promise<DuckDB> {
  const project = await requireProject(options, "to find extracts in");
  const db = await DuckDB.create(":memory:");
  const attached: string[] = [];
  const missing: string[] = [];
  for (const source of Object.values(project.sources)) {
    const path = join(source.out, DATABASE_FILE);
    if (!await isFile(path)) {
      missing.push(source.name);
      continue;
    }
    await db.run(`ATTACH ${quoteLiteral(path)} AS ${quoteIdentifier(source.name)} (READ_ONLY)`);
    attached.push(source.name);
    await attachRemote(db, source.name, log);
  }
  if (!attached.length) {
    db.close();
    throw new InputError(`no source of ${project.file.path} has been extracted yet`, {
      hint: "run: dvt extract",
    });
  }
  if (missing.length) log.info(`not extracted yet, so not attached: ${missing.join(", ")}`);
  return db;
}

async function printTable(result: QueryStream, maxRows: number): Promise<void> {
  const columns = result.columns.map((name, i) => ({
    name,
    right: NUMERIC_TYPE.test(result.types[i]),
  }));
  const shown: (string | null)[][] = [];
  let total = 0;
  for await (const rows of result.textRows()) {
    for (const row of rows) {
      if (shown.length < maxRows) shown.push(row);
      total++;
    }
  }
  for (const line of formatTextTable(columns, shown)) printResult(line);
  const count = `${total.toLocaleString("en-US")} row${total === 1 ? "" : "s"}`;
  printResult(
    total > shown.length
      ? `(${count}, first ${
        shown.length.toLocaleString("en-US")
      } shown; --max-rows N or --csv for more)`
      : `(${count})`,
  );
}

async function printCsv(result: QueryStream): Promise<void> {
  printResult(csvLine(result.columns));
  for await (const rows of result.textRows()) {
    for (const row of rows) printResult(csvLine(row));
  }
}

/** Prints a JSON array of row objects, one row per line, without holding every row. */
async function printJsonRows(result: QueryStream): Promise<void> {
  let first = true;
  printResult("[");
  for await (const rows of result.jsonRows()) {
    for (const row of rows) {
      const object = Object.fromEntries(result.columns.map((name, i) => [name, row[i]]));
      printResult(`${first ? "  " : ", "}${JSON.stringify(object)}`);
      first = false;
    }
  }
  printResult("]");
}

/** DuckDB's own message, without the wrapper's `Failed to query <sql>:` prefix. */
function duckdbReason(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return errorMessage(cause);
}

/**
 * Runs `dvt query` and returns the exit code: 0, or 2 for a bad target or SQL.
 *
 * @example
 * ```ts ignore
 * await runQuery("shop", "SELECT count(*) FROM orders", { csv: false, json: false }, globals);
 * ```
 */
export async function runQuery(
  target: string | undefined,
  sql: string,
  options: QueryCliOptions,
  globals: GlobalOptions,
): Promise<number> {
  if (options.csv && options.json) {
    throw new UsageError("give --csv or --json, not both", { hint: "drop one of them" });
  }
  const log = createLogger(detectOutputMode(options.json), globals.logLevel);
  let db: DuckDB;
  if (target === undefined) {
    db = await attachProject(options, log);
  } else {
    db = await DuckDB.create(await targetDatabase(target, options), { readOnly: true });
    await attachRemote(db, undefined, log);
  }
  try {
    const result = await db.stream(sql);
    if (options.json) await printJsonRows(result);
    else if (options.csv) await printCsv(result);
    else await printTable(result, options.maxRows ?? DEFAULT_MAX_ROWS);
    return 0;
  } catch (error) {
    const meta = target
      ? `dvt query ${target} "SELECT * FROM _meta"`
      : `dvt query "SHOW ALL TABLES"`;
    throw new InputError(`query failed: ${duckdbReason(error)}`, {
      hint: `see the tables with: ${meta}`,
    });
  } finally {
    db.close();
  }
}

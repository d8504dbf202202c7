/**
 * The text summary `dvt extract` prints on stdout: per-table rows (this run's and the table's
 * total), sizes, times and cursors, schema changes, errors, where the extract is and the
 * `dvt query` command that reads it.
 *
 * @module
 */
import { DvtError, errorJson, errorMessage } from "../errors.ts";
import type { ExtractResult, FailedOutcome } from "./run_types.ts";
import type { SchemaChange } from "../protocol.ts";
import { formatElapsed, formatSize } from "../util/units.ts";

/** Aligned rows; columns listed in `left` are left-aligned, the others right-aligned. */
function table(rows: string[][], left: number[] = [0]): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) =>
    "  " +
    row.map((cell, i) => left.includes(i) ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))
      .join("  ").trimEnd()
  );
}

const n = (value: number) => value.toLocaleString("en-US");

/** A table's incremental position, e.g. `updated_at = 2026-01-22T21:16:00.000Z`. */
export function formatCursor(column?: string, value?: unknown): string {
  if (!column) return "";
  return value === undefined || value === null ? `${column} (none yet)` : `${column} = ${value}`;
}

/** Seconds as the summary shows them (`0.4s`, `12s`, `3m05s`); empty when not measured. */
export function formatSeconds(seconds: number | undefined): string {
  return seconds === undefined ? "" : formatElapsed(seconds);
}

/** Quotes a word for a POSIX shell when it needs it. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * The `dvt query` command line that shows a table of this extract: `target` is the source name
 * (for dvt.yaml sources) or the extract.duckdb path (ad-hoc runs).
 */
export function queryHint(result: ExtractResult, target: string = result.databasePath): string {
  const landed = result.tables.find((t) => t.status === "extracted");
  const sql = landed ? `SELECT * FROM ${landed.name} LIMIT 10` : "SELECT * FROM _meta";
  return `dvt query ${shellWord(target)} "${sql}"`;
}

/**
 * Renders one source's result as lines of text: per table this run's rows next to the rows the
 * table holds now, its size, time and incremental cursor.
 *
 * @example
 * ```ts ignore
 * for (const line of renderExtractSummary("shop", result, "shop")) console.log(line);
 * ```
 */
export function renderExtractSummary(
  source: string,
  result: ExtractResult,
  queryTarget?: string,
): string[] {
  const lines = [
    `${source}: ${n(result.tablesExtracted)} table${
      result.tablesExtracted === 1 ? "" : "s"
    } extracted, ${n(result.tablesFailed)} failed, ${n(result.totalRows)} rows`,
  ];
  if (result.tables.length) {
    lines.push(...table([
      ["table", "status", "rows", "total", "size", "time", "cursor"],
      ...result.tables.map((t) => {
        const landed = t.status === "extracted";
        return [
          t.name,
          t.status,
          n(t.rows),
          landed ? n(t.totalRows) : "",
          landed ? formatSize(t.sizeBytes) : "",
          formatSeconds(t.seconds),
          landed ? formatCursor(t.cursorColumn, t.cursor) : "",
        ];
      }),
    ], [0, 6]));
  }
  for (const removed of result.removedTables) {
    lines.push(
      `removed: ${removed.name} (no longer among the configured tables; --keep-removed keeps it)`,
    );
  }
  if (result.schemaChanges.length) {
    lines.push("schema changes:");
    for (const change of result.schemaChanges) {
      lines.push(`  ${change.table}: ${formatSchemaChange(change)}`);
    }
  }
  if (result.errors.length) {
    lines.push("errors:");
    for (const error of result.errors) lines.push(`  ${error.table}: ${error.message}`);
  }
  lines.push(`extract: ${result.outDir}`);
  lines.push(`query it: ${queryHint(result, queryTarget)}`);
  return lines;
}

/** A schema change as `+added, -removed, ~retyped (from -> to)`. */
export function formatSchemaChange(change: SchemaChange): string {
  return [
    ...change.added.map((c) => `+${c}`),
    ...change.removed.map((c) => `-${c}`),
    ...change.retyped.map((c) => `~${c.column} (${c.from} -> ${c.to})`),
  ].join(", ");
}

/**
 * A failed table as plain JSON: its message, hint, exit code and the messages of its causes
 * that the message does not already say (e.g. "AccessDenied: Request has expired" under
 * "downloading result chunk 3 failed"), as the plain summary prints them.
 */
export function failureJson(table: FailedOutcome): Record<string, unknown> {
  const hint = table.error instanceof DvtError ? table.error.hint : undefined;
  const { causes } = errorJson(table.error);
  return {
    table: table.table,
    name: table.name,
    error: errorMessage(table.error),
    ...(hint ? { hint } : {}),
    ...(causes ? { causes } : {}),
    exitCode: table.exitCode,
  };
}

/**
 * A result as `--json` prints it: failed tables carry their error's message, hint and exit
 * code (the error object itself does not survive JSON).
 */
export function extractResultJson(result: ExtractResult): Record<string, unknown> {
  return {
    ...result,
    tables: result.tables.map((table) =>
      table.status === "failed" ? { ...table, ...failureJson(table), status: table.status } : table
    ),
  };
}

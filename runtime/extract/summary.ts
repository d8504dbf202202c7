/**
 * The text summary `dvt extract` prints on stdout: per-table rows and sizes, schema changes,
 * errors, where the extract is and how to query it.
 *
 * @module
 */
import { DvtError } from "../errors.ts";
import { failureMessage } from "./run_result.ts";
import type { ExtractResult, FailedOutcome } from "./run_types.ts";

/** Formats a byte count as B/KiB/MiB/GiB with one decimal. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) =>
    "  " + row.map((cell, i) => i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))
      .join("  ").trimEnd()
  );
}

/**
 * Renders one source's result as lines of text.
 *
 * @example
 * ```ts ignore
 * for (const line of renderExtractSummary("shop", result)) console.log(line);
 * ```
 */
export function renderExtractSummary(source: string, result: ExtractResult): string[] {
  const n = (value: number) => value.toLocaleString("en-US");
  const lines = [
    `${source}: ${n(result.tablesExtracted)} table${
      result.tablesExtracted === 1 ? "" : "s"
    } extracted, ${n(result.tablesFailed)} failed, ${n(result.totalRows)} rows`,
  ];
  if (result.tables.length) {
    lines.push(...table([
      ["table", "status", "rows", "size"],
      ...result.tables.map((t) => [t.name, t.status, n(t.rows), formatBytes(t.sizeBytes)]),
    ]));
  }
  if (result.schemaChanges.length) {
    lines.push("schema changes:");
    for (const change of result.schemaChanges) {
      const parts = [
        ...change.added.map((c) => `+${c}`),
        ...change.removed.map((c) => `-${c}`),
        ...change.retyped.map((c) => `~${c.column} (${c.from} -> ${c.to})`),
      ];
      lines.push(`  ${change.table}: ${parts.join(", ")}`);
    }
  }
  if (result.errors.length) {
    lines.push("errors:");
    for (const error of result.errors) lines.push(`  ${error.table}: ${error.message}`);
  }
  lines.push(`extract: ${result.outDir}`);
  lines.push(`query it: duckdb ${result.databasePath}`);
  return lines;
}

/** A failed table as plain JSON: its message, hint and exit code. */
export function failureJson(table: FailedOutcome): Record<string, unknown> {
  const hint = table.error instanceof DvtError ? table.error.hint : undefined;
  return {
    table: table.table,
    name: table.name,
    error: failureMessage(table.error),
    ...(hint ? { hint } : {}),
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

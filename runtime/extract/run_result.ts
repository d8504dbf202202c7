/**
 * From per-table outcomes to the result of a run: the counts, rows, schema changes and error
 * lines are derived from the outcomes (nothing is tallied while tables run), and so is the
 * exit code a command returns.
 *
 * @module
 */
import { DvtError, errorMessage } from "../errors.ts";
import type { ExtractResult, FailedOutcome, RemovedTable, TableOutcome } from "./run_types.ts";

/** The outcome of a table that failed with `error`; bad input is exit 2, anything else 1. */
export function failedOutcome(table: string, name: string, error: unknown): FailedOutcome {
  const exitCode = error instanceof DvtError ? error.exitCode : 1;
  return { table, name, rows: 0, sizeBytes: 0, status: "failed", error, exitCode };
}

/** Where a run's result was published. */
export interface RunPlace {
  outDir: string;
  databasePath: string;
  runId: string;
}

/**
 * Summarises the outcomes of one run, sorted by table name.
 *
 * @example
 * ```ts
 * import { summariseRun } from "./run_result.ts";
 * const result = summariseRun({ outDir: "x", databasePath: "x/extract.duckdb", runId: "r1" }, [
 *   { table: "a", name: "a", rows: 2, totalRows: 2, sizeBytes: 10, status: "extracted" },
 * ]);
 * if (result.totalRows !== 2 || result.tablesFailed !== 0) throw new Error();
 * ```
 */
export function summariseRun(
  place: RunPlace,
  outcomes: readonly TableOutcome[],
  removedTables: RemovedTable[] = [],
): ExtractResult {
  const tables = [...outcomes].sort((a, b) => a.table.localeCompare(b.table));
  const failed = tables.filter((t): t is FailedOutcome => t.status === "failed");
  const extracted = tables.filter((t) => t.status === "extracted");
  return {
    tablesExtracted: extracted.length,
    tablesFailed: failed.length,
    totalRows: extracted.reduce((sum, t) => sum + t.rows, 0),
    schemaChanges: extracted.flatMap((t) => t.schemaChange ? [t.schemaChange] : []),
    errors: failed.map((t) => ({ table: t.table, message: errorMessage(t.error) })),
    ...place,
    tables,
    removedTables,
  };
}

/**
 * The exit code of runs: 0 when every table landed, 2 when a table failed on bad input the
 * user must fix, else 1 when any table failed.
 *
 * @example
 * ```ts
 * import { exitCodeOf } from "./run_result.ts";
 * if (exitCodeOf([{ tables: [] }]) !== 0) throw new Error();
 * ```
 */
export function exitCodeOf(results: readonly Pick<ExtractResult, "tables">[]): 0 | 1 | 2 {
  const codes = results.flatMap((result) =>
    result.tables.flatMap((table) => table.status === "failed" ? [table.exitCode] : [])
  );
  if (codes.includes(2)) return 2;
  return codes.length ? 1 : 0;
}

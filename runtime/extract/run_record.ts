/**
 * The record of the last run of an output directory, `<out>/.dvt/last_run.json`: when it ran,
 * how long it took, whether it failed and why, and per table what it did. `dvt status` reads it
 * next to `_meta`, which keeps describing the data that is published (a failed table keeps its
 * previous data, so `_meta` alone cannot say that its last run failed). It is written after the
 * run, whatever its end, and only ever informs: losing it loses no data.
 *
 * @module
 */
import { join } from "node:path";
import { DvtError, errorMessage } from "../errors.ts";
import type { CursorValue, SchemaChange } from "../protocol.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";
import type { OutputLayout } from "./layout.ts";
import type { ExtractResult } from "./run_types.ts";

/** What the last run did to one table. */
export interface TableRecord {
  table: string;
  name: string;
  status: "extracted" | "failed" | "remote" | "skipped";
  /** Rows the run wrote. */
  rows: number;
  /** Rows the table held after the run (extracted tables). */
  totalRows?: number;
  seconds?: number;
  cursorColumn?: string;
  cursor?: CursorValue;
  schemaChange?: SchemaChange;
  error?: string;
}

/** The last run of an output directory. */
export interface RunRecord {
  version: 1;
  /** Source name (or the ad-hoc connector's name). */
  source: string;
  startedAt: string;
  seconds: number;
  /** ok: every table landed; failed: a table failed, or the run stopped before publishing. */
  status: "ok" | "failed";
  exitCode: 0 | 1 | 2;
  /** Why the whole run stopped, when it did. */
  error?: { message: string; hint?: string };
  tables: TableRecord[];
}

const FILE = "last_run.json";

/** Builds the record of a run that produced `result`, or stopped with `error`. */
export function runRecordOf(
  source: string,
  startedAt: Date,
  outcome: { result: ExtractResult } | { error: unknown },
): RunRecord {
  const seconds = Math.round(Date.now() - startedAt.getTime()) / 1000;
  const base = { version: 1 as const, source, startedAt: startedAt.toISOString(), seconds };
  if ("error" in outcome) {
    const { error } = outcome;
    const hint = error instanceof DvtError ? error.hint : undefined;
    return {
      ...base,
      status: "failed",
      exitCode: error instanceof DvtError ? error.exitCode : 1,
      error: { message: errorMessage(error), ...(hint ? { hint } : {}) },
      tables: [],
    };
  }
  const tables = outcome.result.tables.map((t): TableRecord => {
    const record: TableRecord = {
      table: t.table,
      name: t.name,
      status: t.status,
      rows: t.rows,
      seconds: t.seconds,
    };
    if (t.status === "extracted") {
      Object.assign(record, {
        totalRows: t.totalRows,
        cursorColumn: t.cursorColumn,
        cursor: t.cursor,
        schemaChange: t.schemaChange,
      });
    }
    if (t.status === "failed") record.error = errorMessage(t.error);
    return record;
  });
  const codes = outcome.result.tables.flatMap((t) => t.status === "failed" ? [t.exitCode] : []);
  const exitCode = codes.includes(2) ? 2 : codes.length ? 1 : 0;
  return { ...base, status: exitCode ? "failed" : "ok", exitCode, tables };
}

/**
 * Saves the record when the output directory exists (a run that failed before creating it
 * leaves nothing behind). Returns false when it could not be written.
 */
export async function saveRunRecord(layout: OutputLayout, record: RunRecord): Promise<boolean> {
  const exists = await Deno.stat(layout.root).then((info) => info.isDirectory, () => false);
  if (!exists) return false;
  try {
    await Deno.mkdir(layout.stateDir, { recursive: true });
    await writeFileAtomic(join(layout.stateDir, FILE), JSON.stringify(record, null, 2) + "\n");
    return true;
  } catch {
    return false;
  }
}

/** Loads the record of the last run, or undefined when there is none (or it is unreadable). */
export async function loadRunRecord(layout: OutputLayout): Promise<RunRecord | undefined> {
  try {
    const record = JSON.parse(await Deno.readTextFile(join(layout.stateDir, FILE)));
    return record?.version === 1 ? record as RunRecord : undefined;
  } catch {
    return undefined;
  }
}

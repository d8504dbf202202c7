/**
 * `dvt status`: what each extract holds and how its last run went, read from the published
 * `_meta` (opened read-only, so it never blocks a run) and `.dvt/last_run.json`. Per table: mode
 * (replace, append, merge, stream, remote), rows, size, when it was extracted, the last run's
 * time, cursor, schema changes and failure.
 *
 * @module
 */
import { basename, join, resolve } from "node:path";
import { describeError, InputError, UsageError } from "../errors.ts";
import { type CatalogEntry, isStreamEntry, readCatalog } from "../extract/catalog.ts";
import { DATABASE_FILE, OutputLayout } from "../extract/layout.ts";
import { loadRunRecord, type RunRecord, type TableRecord } from "../extract/run_record.ts";
import { formatCursor, formatSchemaChange, formatSeconds } from "../extract/summary.ts";
import { findSource, loadProject } from "../project.ts";
import type { CursorValue, SchemaChange } from "../protocol.ts";
import { printJson, printResult } from "../util/output.ts";
import { formatTextTable } from "../util/text_table.ts";
import { formatSize } from "../util/units.ts";
import type { GlobalOptions } from "./options.ts";

/** Options of `dvt status` as read from the command line. */
export interface StatusCliOptions {
  project?: string;
  json?: boolean;
}

/** One table's status. */
export interface TableStatus {
  table: string;
  name: string;
  /** replace | append | merge | stream | remote */
  mode: string;
  rows: number;
  sizeBytes: number;
  extractedAt?: string;
  cursorColumn?: string;
  cursorValue?: CursorValue;
  /** How the last run ended for this table; undefined when it did not take part. */
  lastRun?: {
    status: TableRecord["status"];
    rows: number;
    seconds?: number;
    schemaChange?: SchemaChange;
    error?: string;
  };
}

/** One source's status. */
export interface SourceStatus {
  source: string;
  outDir: string;
  extracted: boolean;
  lastRun?: Omit<RunRecord, "tables" | "version">;
  tables: TableStatus[];
}

/** Mode of a published table: stream tables are the ones stored as monthly partitions. */
function modeOf(entry: CatalogEntry): string {
  if (entry.queryMode === "remote") return "remote";
  if (isStreamEntry(entry)) return "stream";
  return entry.disposition ?? "replace";
}

async function sourceStatus(source: string, outDir: string): Promise<SourceStatus> {
  const layout = new OutputLayout(outDir);
  const exists = await Deno.stat(layout.database).then((info) => info.isFile, () => false);
  const catalog = exists ? await readCatalog(layout.database) : { entries: [] };
  const record = await loadRunRecord(layout);
  const byTable = new Map((record?.tables ?? []).map((t) => [t.table, t]));
  const tables: TableStatus[] = catalog.entries.map((entry) => {
    const last = byTable.get(entry.sourceName);
    byTable.delete(entry.sourceName);
    return {
      table: entry.sourceName,
      name: entry.name,
      mode: modeOf(entry),
      rows: entry.rows,
      sizeBytes: entry.sizeBytes,
      extractedAt: entry.extractedAt?.toISOString(),
      cursorColumn: entry.cursorColumn,
      cursorValue: entry.cursorValue,
      lastRun: last && lastRunOf(last),
    };
  });
  // Tables that failed before they ever landed have no _meta row, only a run record.
  for (const last of byTable.values()) {
    tables.push({
      table: last.table,
      name: last.name,
      mode: "",
      rows: 0,
      sizeBytes: 0,
      lastRun: lastRunOf(last),
    });
  }
  tables.sort((a, b) => a.name.localeCompare(b.name));
  const { tables: _, version: __, ...lastRun } = record ?? { tables: [], version: 1 };
  return {
    source,
    outDir: layout.root,
    extracted: exists,
    ...(record ? { lastRun: lastRun as SourceStatus["lastRun"] } : {}),
    tables,
  };
}

function lastRunOf(record: TableRecord): TableStatus["lastRun"] {
  return {
    status: record.status,
    rows: record.rows,
    seconds: record.seconds,
    ...(record.schemaChange ? { schemaChange: record.schemaChange } : {}),
    ...(record.error ? { error: record.error } : {}),
  };
}

/** The sources to show: one by name or directory, or every source of dvt.yaml. */
async function targets(
  source: string | undefined,
  options: StatusCliOptions,
): Promise<{ source: string; outDir: string }[]> {
  if (source && (/[\\/]/.test(source) || source.endsWith(".duckdb"))) {
    const path = resolve(source);
    const outDir = basename(path) === DATABASE_FILE ? resolve(path, "..") : path;
    if (!await Deno.stat(outDir).then((info) => info.isDirectory, () => false)) {
      throw new InputError(`no output directory at ${outDir}`, {
        hint: "give a source name of dvt.yaml or the directory an extract was written to",
      });
    }
    return [{ source: basename(outDir), outDir }];
  }
  const project = await loadProject(options.project);
  if (!project) {
    throw new UsageError(`no dvt.yaml in ${Deno.cwd()} to find sources in`, {
      hint: "run it where dvt.yaml is, pass --project FILE, or give an output directory",
    });
  }
  if (source) {
    const found = findSource(project, source);
    return [{ source: found.name, outDir: found.out }];
  }
  return Object.values(project.sources).map((s) => ({ source: s.name, outDir: s.out }));
}

function when(iso: string | undefined): string {
  return iso ? iso.replace("T", " ").replace(/\.\d+Z$/, "Z").replace(/Z$/, " UTC") : "";
}

function renderSource(status: SourceStatus, multiple: boolean): string[] {
  const lines: string[] = [];
  const run = status.lastRun;
  if (!status.extracted && !run) {
    return [`${status.source}: not extracted yet (run: dvt extract ${status.source})`];
  }
  const outcome = run
    ? `last run ${when(run.startedAt)}, ${formatSeconds(run.seconds)}, ${
      run.status === "ok" ? "ok" : `FAILED (exit ${run.exitCode})`
    }`
    : "no run record";
  lines.push(`${status.source}: ${outcome} — ${status.outDir}`);
  if (run?.error) lines.push(`  error: ${run.error.message}`);
  if (status.tables.length) {
    const columns = [
      { name: "table" },
      { name: "mode" },
      { name: "rows", right: true },
      { name: "size", right: true },
      { name: "extracted at" },
      { name: "last run" },
      { name: "time", right: true },
      { name: "cursor" },
    ];
    const rows = status.tables.map((t) => [
      t.name,
      t.mode,
      t.rows.toLocaleString("en-US"),
      formatSize(t.sizeBytes),
      when(t.extractedAt),
      t.lastRun
        ? `${t.lastRun.status}${t.lastRun.status === "extracted" ? ` ${t.lastRun.rows}` : ""}`
        : "-",
      formatSeconds(t.lastRun?.seconds),
      formatCursor(t.cursorColumn, t.cursorValue),
    ]);
    lines.push(...formatTextTable(columns, rows).map((line) => `  ${line}`));
  }
  const changes = status.tables.filter((t) => t.lastRun?.schemaChange);
  if (changes.length) {
    lines.push("  schema changes in the last run:");
    for (const t of changes) {
      lines.push(`    ${t.name}: ${formatSchemaChange(t.lastRun!.schemaChange!)}`);
    }
  }
  const failed = status.tables.filter((t) => t.lastRun?.error);
  if (failed.length) {
    lines.push("  failed in the last run (previous data kept):");
    for (const t of failed) lines.push(`    ${t.name}: ${t.lastRun!.error}`);
  }
  if (multiple) lines.push("");
  return lines;
}

/**
 * Runs `dvt status` and returns the exit code: 0, or 1 when a shown source's last run failed
 * (so scripts can check it), 2 for an unknown source or no dvt.yaml.
 *
 * @example
 * ```ts ignore
 * await runStatus("shop", { json: true }, globals);
 * ```
 */
export async function runStatus(
  source: string | undefined,
  options: StatusCliOptions,
  globals: GlobalOptions,
): Promise<number> {
  const statuses: SourceStatus[] = [];
  for (const target of await targets(source, options)) {
    try {
      statuses.push(await sourceStatus(target.source, target.outDir));
    } catch (error) {
      throw new InputError(
        `cannot read the extract of "${target.source}" in ${target.outDir}: ${
          describeError(error, globals.debug)[0].replace(/^error: /, "")
        }`,
        { cause: error, hint: "run dvt extract again to rebuild it" },
      );
    }
  }
  if (options.json) {
    printJson(source ? statuses[0] : statuses);
  } else {
    const multiple = statuses.length > 1;
    const lines = statuses.flatMap((status) => renderSource(status, multiple));
    if (lines.at(-1) === "") lines.pop();
    for (const line of lines) printResult(line);
  }
  return statuses.some((s) => s.lastRun?.status === "failed") ? 1 : 0;
}

/** Path of an output directory's catalog, for messages. */
export function databaseOf(outDir: string): string {
  return join(outDir, DATABASE_FILE);
}

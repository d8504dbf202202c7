/**
 * Lands one run of a `history` table: computes its versions (history.ts) from the published
 * current part and the run's files, renames the outputs to this run's generation names,
 * compacts the closed parts when there are too many, and returns the files its view reads.
 * Nothing the published catalog references is touched; a run that dies leaves only files no
 * catalog references, removed by the next run's clean-up (publish.ts).
 *
 * @module
 */
import type { CatalogEntry } from "./catalog.ts";
import { DuckDB } from "../parquet/duckdb.ts";
import { compactClosedParts, isCurrentPart, MAX_CLOSED_PARTS, mergeHistory } from "./history.ts";
import type { OutputLayout } from "./layout.ts";
import { removeIfExists } from "./publish.ts";
import { quoteLiteral } from "../util/sql.ts";

/** One history run of one table. */
export interface HistoryRun {
  /** Source table name, for errors. */
  table: string;
  /** Normalised view/file name. */
  name: string;
  layout: OutputLayout;
  runId: string;
  /** The run's start: when its new versions begin and the versions it closes end. */
  startedAt: Date;
  /** The published entry; its files count only when it already kept history. */
  previous?: CatalogEntry;
  /** This run's data files (relative paths); removed once merged. */
  runFiles: string[];
  primaryKey: string[];
  /** The run read the whole table and keys it did not read are deleted. */
  closeMissing: boolean;
  deletedFlag?: string;
}

/** The files the table's view reads after the run, and how many rows (versions) they hold. */
export interface HistoryFiles {
  files: string[];
  rows: number;
}

/** Computes and writes the run's versions; see the module comment. */
export async function landHistory(run: HistoryRun): Promise<HistoryFiles> {
  const { layout, runId, name } = run;
  const published = run.previous?.disposition === "history" ? run.previous.files : [];
  const workDir = layout.tempDataFile(runId, name, "-history");
  try {
    const output = await mergeHistory({
      table: run.table,
      current: published.filter(isCurrentPart).map((file) => layout.absolute(file)),
      incoming: run.runFiles.map((file) => layout.absolute(file)),
      primaryKey: run.primaryKey,
      validFrom: run.startedAt,
      closeMissing: run.closeMissing,
      deletedFlag: run.deletedFlag,
      workDir,
    });
    const closed = [
      ...published.filter((file) => !isCurrentPart(file)),
      ...await moveOutputs(run, output.closed, "closed"),
    ];
    const current = await moveOutputs(run, output.current, "current");
    const files = [...await compactIfNeeded(run, closed), ...current];
    for (const file of run.runFiles) await removeIfExists(layout.absolute(file));
    return { files, rows: await countRows(files.map((file) => layout.absolute(file))) };
  } finally {
    await removeIfExists(workDir);
  }
}

/** Renames DuckDB's output files to this run's generation names (`<name>.<run>-<tag>[-i]`). */
async function moveOutputs(run: HistoryRun, outputs: string[], tag: string): Promise<string[]> {
  const files: string[] = [];
  for (const [i, output] of outputs.entries()) {
    const file = run.layout.generationFile(run.name, run.runId, i ? `${tag}-${i}` : tag);
    await Deno.rename(output, run.layout.absolute(file));
    files.push(file);
  }
  return files;
}

/** The closed parts, rewritten into one when there are more than MAX_CLOSED_PARTS. */
async function compactIfNeeded(run: HistoryRun, closed: string[]): Promise<string[]> {
  if (closed.length <= MAX_CLOSED_PARTS) return closed;
  const { layout } = run;
  const temp = layout.tempDataFile(run.runId, run.name, "-compact");
  const file = layout.generationFile(run.name, run.runId, "compact");
  await compactClosedParts(closed.map((part) => layout.absolute(part)), temp);
  await Deno.rename(temp, layout.absolute(file));
  return [file];
}

/** Rows in the files, from their Parquet footers. */
async function countRows(files: string[]): Promise<number> {
  await using db = await DuckDB.create(":memory:");
  const list = `[${files.map(quoteLiteral).join(", ")}]`;
  const [row] = await db.all(
    `SELECT coalesce(sum(num_rows), 0)::BIGINT AS n FROM parquet_file_metadata(${list})`,
  );
  return Number(row.n);
}

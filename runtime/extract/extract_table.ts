/**
 * Extracts one table into new Parquet file(s) and returns its catalog entry. Files are written
 * under temp names and renamed to run-unique generation names; nothing the published catalog
 * references is touched (see publish.ts).
 *
 * @module
 */
import type * as arrow from "apache-arrow";
import { emptyBatch as emptyOf, projectSchema, schemaToJson } from "../parquet/arrow_schema.ts";
import type { CatalogEntry } from "./catalog.ts";
import { CursorTracker } from "./cursor.ts";
import type { DeleteMode, WriteDisposition } from "../project/table_settings.ts";
import { mergeByPrimaryKey } from "./dispositions.ts";
import { DuckDB } from "../parquet/duckdb.ts";
import { ExtractError } from "../errors.ts";
import { type OutputLayout, TEMP_PREFIX } from "./layout.ts";
import { writeParquetFile } from "../parquet/parquet_writer.ts";
import type { BatchSource, Connector, CursorValue, Logger, ReadOptions } from "../protocol.ts";
import { tryNativeScan } from "./native_scan.ts";
import { writeParts } from "./parts_writer.ts";
import { firstBatchAhead } from "./first_batch_ahead.ts";
import { landHistory } from "./history_table.ts";
import { removeIfExists } from "./publish.ts";
import { quoteLiteral } from "../util/sql.ts";
import { appendStreamBatches } from "./stream_writer.ts";
import type { ReadTable, SelectedTable, StreamTable } from "./table_selection.ts";

/** Everything needed to extract one table; `T` narrows how the table is obtained. */
export interface TableJob<T extends SelectedTable = SelectedTable> {
  table: T;
  name: string;
  layout: OutputLayout;
  runId: string;
  /** When the run started: history tables' versions begin and end at it. */
  startedAt: Date;
  previous?: CatalogEntry;
  cursorColumn?: string;
  /** Cursor value of the previous run for `cursorColumn`; absent on full refresh. */
  cursorValue?: CursorValue;
  /** Explicit disposition, if configured. */
  disposition?: WriteDisposition;
  /** Primary key columns: the configured ones, else those discover() declares. */
  primaryKey?: string[];
  /** How deleted rows are found, when configured. */
  deletes?: DeleteMode;
  /** Configured column whose true value marks a deleted row. */
  deletedFlag?: string;
  fullRefresh: boolean;
  columns?: string[];
  batchSize: number;
  onRows: (rows: number) => void;
  /** Where the native scan reports falling back to read(). */
  log?: Logger;
}

/** The new catalog entry and how many rows this run wrote. */
export interface TableResult {
  entry: CatalogEntry;
  rowsWritten: number;
}

/**
 * Chooses the effective disposition: incremental runs append unless told otherwise; a history
 * table keeps its history through full refreshes (a full read is how it finds deletes).
 */
export function effectiveDisposition(job: TableJob): WriteDisposition {
  if (job.disposition === "history" && job.previous?.queryMode !== "remote") return "history";
  if (job.fullRefresh || !job.previous || job.previous.queryMode !== "local") return "replace";
  if (job.disposition) return job.disposition;
  return job.cursorColumn && job.cursorValue !== undefined ? "append" : "replace";
}

function baseEntry(job: TableJob, schema: arrow.Schema | undefined): CatalogEntry {
  return {
    name: job.name,
    sourceName: job.table.source,
    description: job.table.info?.description ?? "",
    rows: 0,
    sizeBytes: 0,
    extractedAt: new Date(),
    queryMode: "local",
    schema: schema ? schemaToJson(schema) : { fields: [] },
    files: [],
    primaryKey: job.primaryKey,
    runId: job.runId,
  };
}

async function sizeOf(job: TableJob, files: string[]): Promise<number> {
  let total = 0;
  for (const file of files) total += (await Deno.stat(job.layout.absolute(file))).size;
  return total;
}

/** Reads a READ table through `connector.read` into Parquet. */
export async function extractReadTable(
  connector: Connector,
  job: TableJob<ReadTable>,
): Promise<TableResult> {
  const { table, layout, runId, name } = job;
  const declared = table.info
    ? projectSchema(table.source, table.info.schema, job.columns)
    : undefined;
  const disposition = effectiveDisposition(job);
  if (job.disposition === "history" && !job.primaryKey?.length) {
    throw new ExtractError(`table "${table.source}" cannot keep history: it has no primary key`, {
      table: table.source,
      hint: "set primary_key for it under tables: in dvt.yaml, or declare primaryKey in discover()",
    });
  }
  if (job.disposition === "merge" && !job.primaryKey?.length) {
    throw new ExtractError(`table "${table.source}" cannot be merged: it has no primary key`, {
      table: table.source,
      hint:
        "set primary_key for it under tables: in dvt.yaml, declare primaryKey in discover(), or use the replace or append disposition",
    });
  }
  let tracker = job.cursorColumn && declared
    ? new CursorTracker(table.source, job.cursorColumn, declared)
    : undefined;
  const options: ReadOptions = {
    batchSize: job.batchSize,
    columns: job.columns,
    incrementalKey: job.cursorColumn,
    incrementalValue: job.fullRefresh ? undefined : job.cursorValue,
  };
  const onBatch = (batch: arrow.RecordBatch, rows: number) => {
    if (job.cursorColumn) {
      tracker ??= new CursorTracker(table.source, job.cursorColumn, batch.schema);
      tracker.observe(batch);
    }
    job.onRows(rows);
  };
  let temps = [layout.tempDataFile(runId, name)];
  try {
    // Fast path: DuckDB writes the Parquet itself when the connector offers scanSql().
    const native = await tryNativeScan(
      connector,
      table.source,
      options,
      temps[0],
      declared,
      job.log,
    );
    const parts = native ? [] : await readSources(table, options);
    if (parts.length > 1) temps = parts.map((_, i) => layout.tempDataFile(runId, name, `-p${i}`));
    const write = { table: table.source, schema: declared, onBatch };
    const written = native ??
      (parts.length > 1
        ? await writeParts(temps, parts, write)
        : await writeParquetFile(temps[0], firstBatchAhead(parts[0]), write));
    const previous = job.previous;
    const entry = baseEntry(job, written.schema);
    entry.cursorColumn = job.cursorColumn;
    entry.disposition = disposition;
    const deletes = deleteHandling(job);
    const keepsPrevious = disposition !== "history" || previous?.disposition === "history";
    if (
      written.rows === 0 && disposition !== "replace" && previous && keepsPrevious &&
      !deletes.dropMissing
    ) {
      await Promise.all(temps.map(removeIfExists));
      return {
        // Nothing new: keep the previous files, rows and cursor; refresh the metadata.
        entry: { ...previous, ...pick(entry) },
        rowsWritten: 0,
      };
    }
    // Parts are published together: one generation, `<name>.<run>-p<i>.parquet`.
    const files = temps.length > 1
      ? temps.map((_, i) => layout.generationFile(name, runId, `p${i}`))
      : [layout.generationFile(name, runId)];
    for (const [i, file] of files.entries()) await Deno.rename(temps[i], layout.absolute(file));
    entry.cursorValue = native?.maxCursor ?? tracker?.value() ??
      (disposition === "replace" ? undefined : previous?.cursorValue);
    if (disposition === "append" && previous) {
      entry.files = [...previous.files, ...files];
      entry.rows = previous.rows + written.rows;
    } else if (disposition === "history") {
      const history = await landHistory({
        table: table.source,
        name,
        layout,
        runId,
        startedAt: job.startedAt,
        previous,
        runFiles: files,
        primaryKey: job.primaryKey ?? [],
        closeMissing: deletes.dropMissing,
        deletedFlag: deletes.deletedFlag,
      });
      entry.files = history.files;
      entry.rows = history.rows;
    } else if (
      (disposition === "merge" && previous) || (job.disposition === "merge" && deletes.deletedFlag)
    ) {
      // A first run or full refresh of a merged table replaces it, less its deleted rows.
      const base = disposition === "merge" && previous ? previous.files : [];
      const merged = layout.generationFile(name, runId, "merged");
      const mergedTemp = layout.tempDataFile(runId, name, "-merged");
      entry.rows = await mergeByPrimaryKey(
        table.source,
        base.map((f) => layout.absolute(f)),
        files.map((f) => layout.absolute(f)),
        job.primaryKey,
        mergedTemp,
        deletes,
      );
      await Deno.rename(mergedTemp, layout.absolute(merged));
      for (const file of files) await removeIfExists(layout.absolute(file));
      entry.files = [merged];
    } else {
      entry.files = files;
      entry.rows = written.rows;
    }
    entry.sizeBytes = await sizeOf(job, entry.files);
    return { entry, rowsWritten: written.rows };
  } catch (error) {
    await Promise.all(temps.map(removeIfExists));
    throw error;
  }
}

/**
 * How this run of a merged or history table treats deleted rows: keys a full read (no cursor
 * position: first run, a table without cursor, `--full-refresh`) did not return are deleted
 * when `deletes: detect` is set; rows carrying the deleted flag delete their key.
 */
function deleteHandling(job: TableJob): { dropMissing: boolean; deletedFlag?: string } {
  const fullRead = job.fullRefresh || job.cursorValue === undefined;
  return { dropMissing: fullRead && job.deletes === "detect", deletedFlag: job.deletedFlag };
}

/** The table's sources: the connector's parts when it splits the table, else its one read. */
async function readSources(table: ReadTable, options: ReadOptions): Promise<BatchSource[]> {
  const parts = table.readParts ? await table.readParts(table.source, options) : [];
  return parts.length ? parts : [table.read(table.source, options)];
}

/** The fields a run refreshes even when it wrote no rows. */
function pick(entry: CatalogEntry): Partial<CatalogEntry> {
  return {
    description: entry.description,
    extractedAt: entry.extractedAt,
    cursorColumn: entry.cursorColumn,
    disposition: entry.disposition,
    primaryKey: entry.primaryKey,
  };
}

/**
 * Consumes the table's stream until it ends, appending month partitions. The entry lists the
 * previous partitions plus this run's; until it is published no view reads the new ones, so a
 * stream that fails midway changes nothing readers see.
 */
export async function extractStreamTable(job: TableJob<StreamTable>): Promise<TableResult> {
  const { table, layout, name } = job;
  const declared = table.info?.schema;
  const previous = await previousPartitions(job);
  const result = await appendStreamBatches(layout, name, table.stream(table.source), {
    schema: declared,
    onBatch: (_batch, rows) => job.onRows(rows),
  });
  const files = [...previous, ...result.files];
  if (!files.length) {
    if (!declared) {
      throw new ExtractError(
        `stream table "${table.source}" yielded no events and declares no schema`,
        {
          table: table.source,
          hint: "declare the table with discover() so it has columns before its first event",
        },
      );
    }
    // An empty partition gives the view its declared columns before the first event.
    const empty = await appendStreamBatches(layout, name, [emptyOf(declared)], {
      schema: declared,
    });
    files.push(...empty.files);
  }
  const entry = baseEntry(job, result.schema ?? declared);
  entry.files = files;
  entry.rows = await countRows(layout, files);
  entry.disposition = "append";
  entry.sizeBytes = await sizeOf(job, files);
  return { entry, rowsWritten: result.rows };
}

/**
 * The partitions the published entry lists. Extracts written before partitions were listed
 * stored the directory's glob: it stands for the partitions there now.
 */
async function previousPartitions(job: TableJob): Promise<string[]> {
  const previous = job.previous;
  if (!previous || previous.queryMode !== "local") return [];
  const dir = job.layout.streamDir(job.name);
  if (!previous.files.includes(`${dir}/*.parquet`)) return previous.files;
  const parts = await Array.fromAsync(Deno.readDir(job.layout.absolute(dir)));
  return parts
    .filter((part) => part.name.endsWith(".parquet") && !part.name.startsWith(TEMP_PREFIX))
    .map((part) => `${dir}/${part.name}`)
    .sort();
}

/** Rows in the listed Parquet files (from their footers). */
async function countRows(layout: OutputLayout, files: string[]): Promise<number> {
  await using db = await DuckDB.create(":memory:");
  const list = files.map((file) => quoteLiteral(layout.absolute(file))).join(", ");
  const [row] = await db.all(
    `SELECT count(*)::BIGINT AS n FROM read_parquet([${list}], union_by_name = true)`,
  );
  return Number(row.n);
}

/** A remote-only table: listed in `_meta`, queried through `_remote_attach`. */
export function remoteEntry(job: TableJob): CatalogEntry {
  const entry = baseEntry(job, job.table.info?.schema);
  entry.queryMode = "remote";
  return entry;
}

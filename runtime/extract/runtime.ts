/**
 * ConnectorRuntime: the extract pipeline. discover -> select -> read tables with bounded
 * parallelism into Parquet, each ending as an outcome (a failure is an outcome, not an
 * exception; schema changes are found for tables that landed) -> remote attach -> build
 * extract.duckdb aside and publish it -> commit state -> summarise the outcomes. See
 * publish.ts for crash safety.
 *
 * @module
 */
import { projectSchema, schemaToJson } from "../parquet/arrow_schema.ts";
import { buildCatalog, type Catalog, type CatalogEntry, readCatalog } from "./catalog.ts";
import type { CatalogStore } from "./catalog_thread.ts";
import { readCatalogSnapshot, saveCatalogSnapshot } from "./catalog_snapshot.ts";
import { ConnectorError, DvtError, errorMessage as message, ExtractError } from "../errors.ts";
import {
  extractReadTable,
  extractStreamTable,
  remoteEntry,
  type TableJob,
} from "./extract_table.ts";
import { newRunId, OutputLayout } from "./layout.ts";
import { checkCurrentViewNames, tableNames } from "./table_names.ts";
import { carryOverRenamed } from "./renamed_files.ts";
import { publishedEntries, removedEntries, type TableRun } from "./published_entries.ts";
import { type ProgressReporter, silentProgress } from "../util/progress.ts";
import {
  Cap,
  type Connector,
  hasCap,
  type Logger,
  type RemoteAttachInfo,
  type SchemaChange,
  type TableInfo,
} from "../protocol.ts";
import { cleanUpStaleFiles, publishDatabase, removeIfExists } from "./publish.ts";
import { diffSchemas, loadSchemaSnapshot, saveSchemaSnapshot } from "./schema_evolution.ts";
import { loadState, saveState, stateFromCatalog, type TableState } from "./state.ts";
import {
  checkConfiguredColumns,
  checkRunOptions,
  type SelectedTable,
  selectTables,
  settingsOf,
} from "./table_selection.ts";
import { pool } from "../util/pool.ts";
import { prewarmEncoder } from "../parquet/parquet_writer.ts";
import { settings as envSettings } from "../util/env_settings.ts";
import { acquireRunLock } from "./run_lock.ts";

import {
  DEFAULT_BATCH_SIZE,
  type ExtractResult,
  type RunOptions,
  type RuntimeOptions,
  type TableOutcome,
} from "./run_types.ts";
import { failedOutcome, summariseRun } from "./run_result.ts";

export { DEFAULT_BATCH_SIZE } from "./run_types.ts";
export type { ExtractResult, RunOptions, RuntimeOptions, TableOutcome } from "./run_types.ts";

const quietLog: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** What every table job of one run is built from. */
interface RunPlan {
  runId: string;
  /** When the run started: the validity bound of the versions history tables write. */
  startedAt: Date;
  /** The published catalog the run starts from. */
  catalog: Catalog;
  /** Incremental state per source table. */
  states: Record<string, TableState>;
  options: RunOptions;
}

/** What remote() produced: the attach info to publish and, when it failed, an outcome. */
interface RemoteRun {
  info: RemoteAttachInfo[];
  failure?: TableOutcome;
}

/**
 * Runs connectors into an output directory.
 *
 * @example
 * ```ts ignore
 * const runtime = new ConnectorRuntime("extracts/shop");
 * const result = await runtime.run(connector, { tables: ["orders"] });
 * ```
 */
export class ConnectorRuntime {
  readonly layout: OutputLayout;
  #progress: ProgressReporter;
  #log: Logger;
  #connectorName: string;
  #catalogStore: CatalogStore;

  constructor(outDir: string, options: RuntimeOptions = {}) {
    this.layout = new OutputLayout(outDir);
    this.#progress = options.progress ?? silentProgress;
    this.#log = options.log ?? quietLog;
    this.#connectorName = options.connectorName ?? "";
    this.#catalogStore = options.catalogStore ?? { read: readCatalog, build: buildCatalog };
  }

  /**
   * Runs the pipeline once: read every table into an outcome, publish what landed, summarise.
   * Throws InputError for bad table names before writing anything; a table that fails is an
   * outcome, not an exception.
   */
  async run(connector: Connector, options: RunOptions = {}): Promise<ExtractResult> {
    const layout = this.layout;
    // Where tables are encoded on a worker thread, the first one boots during discovery and the
    // catalog read instead of when its batches wait; native scans (scanSql) never need it.
    using _encoder = connector.scanSql && envSettings().nativeScan ? undefined : prewarmEncoder();
    this.#progress.phase?.("discovering");
    const discovered = await this.#discover(connector);
    const selected = selectTables(connector, discovered, options.tables);
    checkRunOptions(options);
    checkConfiguredColumns(selected, options);
    await using _lock = await acquireRunLock(layout.stateDir);
    const catalog = await this.#readCatalog();
    const startedAt = new Date();
    const runId = newRunId(startedAt);
    await this.#prepareDirectories(catalog);
    const state = options.fullRefresh
      ? stateFromCatalog(runId, [])
      : await loadState(layout, catalog.runId, catalog.entries);
    const removed = removedEntries(
      catalog.entries,
      selected.map((t) => t.source),
      options.dropUnselected ?? false,
    );
    const kept = catalog.entries.filter((entry) => !removed.includes(entry));
    const names = tableNames({
      discovered: (discovered ?? []).map((t) => t.name),
      selected: selected.map((t) => t.source),
      published: new Map(kept.map((e) => [e.sourceName, e.name])),
      settings: options.settings ?? {},
      destinationAt: (table) => options.settingAt?.(table, "destination"),
    });
    const inExtract = new Set([...selected.map((t) => t.source), ...kept.map((e) => e.sourceName)]);
    checkCurrentViewNames(
      new Map([...names].filter(([table]) => inExtract.has(table))),
      selected.map((t) => t.source).filter((t) => settingsOf(options, t).disposition === "history"),
      (table) => options.settingAt?.(table, "destination"),
    );
    // The next catalog's file can be created while the tables are read.
    this.#catalogStore.prepare?.(layout.tempDatabase(runId));
    const plan: RunPlan = { runId, startedAt, catalog, states: state.tables, options };
    const jobs = selected.map((table) => this.#tableJob(table, names.get(table.source)!, plan));
    const ran: TableRun[] = [];
    this.#progress.phase?.("reading");
    await pool(jobs, options.threads ?? 4, async (job) => {
      ran.push(await this.#runTable(connector, job));
    });
    this.#progress.phase?.("publishing");
    const remote = await this.#remote(connector, catalog.remote);
    const { entries, runs } = publishedEntries(kept, ran);
    await this.#publish(runId, entries, remote.info);
    await saveState(layout, stateFromCatalog(runId, entries));
    for (const { outcome, entry } of runs) {
      if (outcome.status === "extracted" && entry) {
        await saveSchemaSnapshot(layout, outcome.name, entry.schema);
      }
    }
    await removeSchemaSnapshots(layout, catalog.entries, entries);
    await cleanUpStaleFiles(layout, referencedFiles(entries));
    const outcomes = runs.map((run) => run.outcome);
    if (remote.failure) outcomes.push(remote.failure);
    return summariseRun(
      { outDir: layout.root, databasePath: layout.database, runId },
      outcomes,
      removed.map((entry) => ({ table: entry.sourceName, name: entry.name })),
    );
  }

  async #discover(connector: Connector): Promise<TableInfo[] | undefined> {
    if (!hasCap(connector.capabilities, Cap.DISCOVER) || !connector.discover) return undefined;
    try {
      return await connector.discover();
    } catch (error) {
      if (error instanceof DvtError) throw error;
      throw new ConnectorError(`discover() failed: ${message(error)}`, { cause: error });
    }
  }

  async #readCatalog(): Promise<Catalog> {
    // The snapshot this run's predecessor left, while extract.duckdb is still the file it
    // published: no wait for DuckDB to load before the tables can be read.
    const snapshot = await readCatalogSnapshot(this.layout);
    if (snapshot) return snapshot;
    return await this.#catalogStore.read(this.layout.database).catch((error) => {
      throw new ExtractError(`cannot read the published catalog: ${message(error)}`, {
        cause: error,
        hint: "close programs that hold extract.duckdb open for writing, or move the file away",
      });
    });
  }

  async #prepareDirectories(catalog: Catalog): Promise<void> {
    await Deno.mkdir(this.layout.dataDir, { recursive: true });
    await Deno.mkdir(this.layout.schemasDir, { recursive: true });
    const removed = await cleanUpStaleFiles(this.layout, referencedFiles(catalog.entries));
    if (removed.length) {
      this.#log.debug("removed leftovers of earlier runs", { count: removed.length });
    }
  }

  #tableJob(table: SelectedTable, name: string, plan: RunPlan): TableJob {
    const { runId, startedAt, catalog, states, options } = plan;
    const settings = settingsOf(options, table.source);
    const cursorColumn = settings.cursor;
    const saved = states[table.source];
    return {
      table,
      name,
      runId,
      startedAt,
      previous: catalog.entries.find((e) => e.sourceName === table.source),
      cursorColumn,
      layout: this.layout,
      cursorValue: !options.fullRefresh && saved?.cursorColumn === cursorColumn
        ? saved?.cursorValue
        : undefined,
      disposition: settings.disposition,
      primaryKey: settings.primaryKey ?? table.info?.primaryKey,
      deletes: settings.deletes,
      deletedFlag: settings.deletedFlag ?? table.info?.deletedFlag,
      fullRefresh: options.fullRefresh ?? false,
      columns: options.columns?.[table.source],
      batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
      onRows: (rows) => this.#progress.update(name, rows),
      log: this.#log,
    };
  }

  /** Extracts one table; any failure becomes its outcome and leaves its published data alone. */
  async #runTable(connector: Connector, job: TableJob): Promise<TableRun> {
    const { table, name } = job;
    const base = { table: table.source, name, rows: 0, sizeBytes: 0 };
    if (table.kind === "remote") {
      return { outcome: { ...base, status: "remote" }, entry: remoteEntry(job) };
    }
    if (table.kind === "none") {
      this.#progress.finish(name, "skipped", { error: "no read, stream or remote capability" });
      return { outcome: { ...base, status: "skipped" } };
    }
    this.#progress.start(name);
    const started = performance.now();
    const seconds = () => Math.round(performance.now() - started) / 1000;
    try {
      job.previous = await carryOverRenamed(this.layout, job.previous, name);
      const result = table.kind === "read"
        ? await extractReadTable(connector, { ...job, table })
        : await extractStreamTable({ ...job, table });
      const schemaChange = await this.#schemaChange(job, result.entry.schema);
      this.#progress.finish(name, "ok", {
        done: result.rowsWritten,
        bytes: result.entry.sizeBytes,
      });
      const outcome: TableOutcome = {
        ...base,
        status: "extracted",
        rows: result.rowsWritten,
        totalRows: result.entry.rows,
        sizeBytes: result.entry.sizeBytes,
        seconds: seconds(),
        cursorColumn: result.entry.cursorColumn,
        cursor: result.entry.cursorValue,
      };
      if (schemaChange) outcome.schemaChange = schemaChange;
      return { outcome, entry: result.entry };
    } catch (error) {
      this.#log.debug("table failed", { table: table.source, error: message(error) });
      this.#progress.finish(name, "failed", { error: message(error) });
      return { outcome: { ...failedOutcome(table.source, name, error), seconds: seconds() } };
    }
  }

  /**
   * How a landed table's schema differs from its last published snapshot. A declared schema
   * (projected to the selected columns) is compared, else the schema the data was written with.
   */
  async #schemaChange(
    job: TableJob,
    written: CatalogEntry["schema"],
  ): Promise<SchemaChange | undefined> {
    const { table } = job;
    const current = table.info
      ? schemaToJson(projectSchema(table.source, table.info.schema, job.columns))
      : written;
    return diffSchemas(table.source, await loadSchemaSnapshot(this.layout, job.name), current);
  }

  async #publish(runId: string, entries: CatalogEntry[], remote: RemoteAttachInfo[]) {
    const temp = this.layout.tempDatabase(runId);
    try {
      await this.#catalogStore.build(
        temp,
        this.layout.root,
        runId,
        entries,
        remote,
        this.#connectorName,
      );
      await publishDatabase(temp, this.layout.database);
    } catch (error) {
      throw new ExtractError(`failed to publish extract.duckdb: ${message(error)}`, {
        cause: error,
        hint: "the previous extract is unchanged; fix the cause and run again",
      });
    }
    // Only a shortcut for the next run's catalog read: without it, that run reads extract.duckdb.
    await saveCatalogSnapshot(this.layout, runId, entries, remote).catch((error) => {
      this.#log.debug("catalog snapshot not written", { error: message(error) });
    });
  }

  /** Asks remote() for attach info; a failure keeps the previous info and is an outcome. */
  async #remote(connector: Connector, previous: RemoteAttachInfo[]): Promise<RemoteRun> {
    if (!hasCap(connector.capabilities, Cap.REMOTE) || !connector.remote) {
      return { info: previous };
    }
    try {
      const info = await connector.remote();
      if (info.tokenEnv && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(info.tokenEnv)) {
        throw new ConnectorError(
          "remote().tokenEnv must be the name of an environment variable, not a secret",
        );
      }
      return { info: [{ ...info, alias: info.alias || info.extension }] };
    } catch (error) {
      return { info: previous, failure: failedOutcome(REMOTE_ATTACH, REMOTE_ATTACH, error) };
    }
  }
}

/** The name remote() failures are reported under: the catalog table they would have filled. */
const REMOTE_ATTACH = "_remote_attach";

/**
 * Forgets the schema of names no longer published (tables removed or renamed), so a table that
 * later takes such a name is not compared with another table's columns.
 */
async function removeSchemaSnapshots(
  layout: OutputLayout,
  before: readonly CatalogEntry[],
  entries: readonly CatalogEntry[],
): Promise<void> {
  for (const entry of before) {
    if (entries.some((other) => other.name === entry.name)) continue;
    await removeIfExists(layout.schemaFile(entry.name));
  }
}

/** Files the entries reference (relative paths), for clean-up. */
function referencedFiles(entries: CatalogEntry[]): Set<string> {
  return new Set(entries.flatMap((e) => e.files));
}

/**
 * ConnectorRuntime: the extract pipeline. discover -> select -> schema-evolution check -> read
 * tables with bounded parallelism and per-table isolation -> Parquet -> remote attach ->
 * build extract.duckdb aside and publish it -> commit state. See publish.ts for crash safety.
 *
 * @module
 */
import { projectSchema, schemaToJson } from "../parquet/arrow_schema.ts";
import { buildCatalog, type Catalog, type CatalogEntry, readCatalog } from "./catalog.ts";
import { ConnectorError, DvtError, ExtractError } from "../errors.ts";
import {
  extractReadTable,
  extractStreamTable,
  remoteEntry,
  type TableJob,
} from "./extract_table.ts";
import { newRunId, OutputLayout } from "./layout.ts";
import { assignNames } from "./names.ts";
import { type ProgressReporter, silentProgress } from "../util/progress.ts";
import {
  Cap,
  type Connector,
  type CursorValue,
  hasCap,
  type Logger,
  type RemoteAttachInfo,
  type SchemaChange,
  type TableInfo,
} from "../protocol.ts";
import { cleanUpStaleFiles, publishDatabase } from "./publish.ts";
import { diffSchemas, loadSchemaSnapshot, saveSchemaSnapshot } from "./schema_evolution.ts";
import { loadState, saveState, stateFromCatalog } from "./state.ts";
import { checkRunOptions, type SelectedTable, selectTables } from "./table_selection.ts";
import { pool } from "../util/pool.ts";
import { acquireRunLock } from "./run_lock.ts";

export type { WriteDisposition } from "./dispositions.ts";
import {
  DEFAULT_BATCH_SIZE,
  type ExtractResult,
  type RunOptions,
  type RuntimeOptions,
  type TableOutcome,
} from "./run_types.ts";

export { DEFAULT_BATCH_SIZE } from "./run_types.ts";
export type { ExtractResult, RunOptions, RuntimeOptions, TableOutcome } from "./run_types.ts";

const quietLog: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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

  constructor(outDir: string, options: RuntimeOptions = {}) {
    this.layout = new OutputLayout(outDir);
    this.#progress = options.progress ?? silentProgress;
    this.#log = options.log ?? quietLog;
    this.#connectorName = options.connectorName ?? "";
  }

  /** Runs the pipeline once. Throws InputError for bad table names before writing anything. */
  async run(connector: Connector, options: RunOptions = {}): Promise<ExtractResult> {
    const layout = this.layout;
    const discovered = await this.#discover(connector);
    const selected = selectTables(connector, discovered, options.tables);
    checkRunOptions(options);
    await using _lock = await acquireRunLock(layout.stateDir);
    const catalog = await readCatalog(layout.database).catch((error) => {
      throw new ExtractError(`cannot read the published catalog: ${message(error)}`, {
        cause: error,
        hint: "close programs that hold extract.duckdb open for writing, or move the file away",
      });
    });
    const runId = newRunId();
    await Deno.mkdir(layout.dataDir, { recursive: true });
    await Deno.mkdir(layout.schemasDir, { recursive: true });
    const removed = await cleanUpStaleFiles(layout, referencedFiles(catalog.entries));
    if (removed.length) {
      this.#log.debug("removed leftovers of earlier runs", { count: removed.length });
    }
    const state = options.fullRefresh
      ? stateFromCatalog(runId, [])
      : await loadState(layout, catalog.runId, catalog.entries);
    const previousBySource = new Map(catalog.entries.map((e) => [e.sourceName, e]));
    const names = assignNames(
      [
        ...(discovered ?? []).map((t) => t.name),
        ...selected.map((t) => t.source),
        ...previousBySource.keys(),
      ],
      new Map(catalog.entries.map((e) => [e.sourceName, e.name])),
    );

    const stats: ExtractResult = {
      tablesExtracted: 0,
      tablesFailed: 0,
      totalRows: 0,
      schemaChanges: [],
      errors: [],
      outDir: layout.root,
      databasePath: layout.database,
      tables: [],
      runId,
    };
    const newEntries = new Map<string, CatalogEntry>();
    const snapshots = new Map<string, CatalogEntry["schema"]>();
    await pool(selected, options.threads ?? 4, async (table) => {
      const name = names.get(table.source)!;
      const outcome = await this.#runTable(
        connector,
        table,
        name,
        runId,
        catalog,
        state.tables,
        options,
        stats,
      );
      stats.tables.push(outcome.outcome);
      if (outcome.entry) newEntries.set(table.source, outcome.entry);
      if (outcome.entry && outcome.outcome.status === "extracted") {
        snapshots.set(name, outcome.entry.schema);
      }
    });
    stats.tables.sort((a, b) => a.table.localeCompare(b.table));

    const remote = await this.#remote(connector, catalog.remote, stats);
    const entries = [...previousBySource.values()]
      .filter((e) => !newEntries.has(e.sourceName))
      .concat([...newEntries.values()])
      .sort((a, b) => a.name.localeCompare(b.name));
    const temp = layout.tempDatabase(runId);
    try {
      await buildCatalog(temp, layout.root, runId, entries, remote, this.#connectorName);
      await publishDatabase(temp, layout.database);
    } catch (error) {
      throw new ExtractError(`failed to publish extract.duckdb: ${message(error)}`, {
        cause: error,
        hint: "the previous extract is unchanged; fix the cause and run again",
      });
    }
    await saveState(layout, stateFromCatalog(runId, entries));
    for (const [name, schema] of snapshots) await saveSchemaSnapshot(layout, name, schema);
    await cleanUpStaleFiles(layout, referencedFiles(entries));
    return stats;
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

  async #runTable(
    connector: Connector,
    table: SelectedTable,
    name: string,
    runId: string,
    catalog: Catalog,
    tableStates: Record<string, { cursorColumn?: string; cursorValue?: CursorValue }>,
    options: RunOptions,
    stats: ExtractResult,
  ): Promise<{ outcome: TableOutcome; entry?: CatalogEntry }> {
    const previous = catalog.entries.find((e) => e.sourceName === table.source);
    const cursorColumn = options.incremental?.[table.source];
    const saved = tableStates[table.source];
    const job: TableJob = {
      table,
      name,
      runId,
      previous,
      cursorColumn,
      layout: this.layout,
      cursorValue: !options.fullRefresh && saved?.cursorColumn === cursorColumn
        ? saved?.cursorValue
        : undefined,
      disposition: options.disposition?.[table.source],
      fullRefresh: options.fullRefresh ?? false,
      columns: options.columns?.[table.source],
      batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
      onRows: (rows) => this.#progress.update(name, rows),
    };
    const base = { table: table.source, name, rows: 0, sizeBytes: 0 };
    if (table.kind === "remote") {
      return { outcome: { ...base, status: "remote" }, entry: remoteEntry(job) };
    }
    if (table.kind === "none") {
      this.#progress.finish(name, "skipped", "no read, stream or remote capability");
      return { outcome: { ...base, status: "skipped" } };
    }
    this.#progress.start(name);
    try {
      if (table.info) await this.#checkSchema(table, name, options, stats);
      const result = table.kind === "read"
        ? await extractReadTable(connector, job)
        : await extractStreamTable(connector, job);
      if (!table.info) {
        const change = diffSchemas(
          table.source,
          await loadSchemaSnapshot(this.layout, name),
          result.entry.schema,
        );
        if (change) stats.schemaChanges.push(change);
      }
      stats.tablesExtracted++;
      stats.totalRows += result.rowsWritten;
      this.#progress.finish(name, "ok", `${result.rowsWritten.toLocaleString("en-US")} rows`);
      return {
        outcome: {
          ...base,
          status: "extracted",
          rows: result.rowsWritten,
          sizeBytes: result.entry.sizeBytes,
          cursor: result.entry.cursorValue,
        },
        entry: result.entry,
      };
    } catch (error) {
      stats.tablesFailed++;
      stats.errors.push({ table: table.source, message: message(error) });
      this.#log.debug("table failed", { table: table.source, error: message(error) });
      this.#progress.finish(name, "failed", message(error));
      return { outcome: { ...base, status: "failed", error: message(error) } };
    }
  }

  async #checkSchema(
    table: SelectedTable,
    name: string,
    options: RunOptions,
    stats: ExtractResult,
  ) {
    const schema = projectSchema(table.source, table.info!.schema, options.columns?.[table.source]);
    const change: SchemaChange | undefined = diffSchemas(
      table.source,
      await loadSchemaSnapshot(this.layout, name),
      schemaToJson(schema),
    );
    if (change) stats.schemaChanges.push(change);
  }

  async #remote(
    connector: Connector,
    previous: RemoteAttachInfo[],
    stats: ExtractResult,
  ): Promise<RemoteAttachInfo[]> {
    if (!hasCap(connector.capabilities, Cap.REMOTE) || !connector.remote) return previous;
    try {
      const info = await connector.remote();
      if (info.tokenEnv && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(info.tokenEnv)) {
        throw new ConnectorError(
          "remote().tokenEnv must be the name of an environment variable, not a secret",
        );
      }
      return [{ ...info, alias: info.alias || info.extension }];
    } catch (error) {
      stats.errors.push({ table: "_remote_attach", message: message(error) });
      return previous;
    }
  }
}

/** Files the entries reference (relative paths), for clean-up. */
function referencedFiles(entries: CatalogEntry[]): Set<string> {
  return new Set(entries.flatMap((e) => e.files));
}

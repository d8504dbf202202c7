/**
 * Types of `ConnectorRuntime` runs: options in, outcomes out. Re-exported by
 * runtime.ts, where callers import them from.
 *
 * @module
 */
import type { CatalogStore } from "./catalog_thread.ts";
import type {
  TableSettingKey,
  TableSettings,
  WriteDisposition,
} from "../project/table_settings.ts";
import type { SourceLocation } from "../errors.ts";
import type { ProgressReporter } from "../util/progress.ts";
import type { CursorValue, ExtractStats, Logger, SchemaChange } from "../protocol.ts";

/** Options of one run. */
export interface RunOptions {
  /** Source table names; undefined = every discovered table. */
  tables?: string[];
  /** Source table name -> cursor column (`settings[table].cursor` wins). */
  incremental?: Record<string, string>;
  /**
   * Source table name -> disposition; default replace (append for incremental runs);
   * `settings[table].disposition` wins.
   */
  disposition?: Record<string, WriteDisposition>;
  /**
   * Drop published tables this run does not select: true when the run covers the source's
   * whole configuration (no `--tables`, no `--keep-removed`). Default false.
   */
  dropUnselected?: boolean;
  /** Source table name -> its settings (dvt.yaml `tables:`): key, cursor, destination, ... */
  settings?: Record<string, TableSettings>;
  /** Where a table's setting is configured (dvt.yaml), for errors that point there. */
  settingAt?: (table: string, key: TableSettingKey) => SourceLocation | undefined;
  /** Ignore state: no incrementalValue, replace everything. */
  fullRefresh?: boolean;
  /** Tables read concurrently; default 4. */
  threads?: number;
  /** Rows per batch asked of connectors; default {@linkcode DEFAULT_BATCH_SIZE}. */
  batchSize?: number;
  /** Projection per source table. */
  columns?: Record<string, string[]>;
}

/**
 * Default rows per batch. Measured with the 3-column benchmark: per-batch overhead (IPC
 * framing, wasm calls) stops mattering above ~20k rows; 50k rows of 10 wide columns stays
 * in the tens of megabytes.
 */
export const DEFAULT_BATCH_SIZE = 50_000;

/** Options of the runtime. */
export interface RuntimeOptions {
  connectorName?: string;
  progress?: ProgressReporter;
  log?: Logger;
  /** Where the catalog is read and built: this thread (the default) or a CatalogThread. */
  catalogStore?: CatalogStore;
}

/** What every outcome says about its table. */
interface OutcomeBase {
  /** Source name. */
  table: string;
  /** Normalised view/file name. */
  name: string;
  /** Rows this run wrote. */
  rows: number;
  /** Size of the table's files after the run. */
  sizeBytes: number;
  /** Seconds the table took, when it ran. */
  seconds?: number;
}

/** The table landed: its new data is published. */
export interface ExtractedOutcome extends OutcomeBase {
  status: "extracted";
  /** Rows the table holds after the run (this run's plus the earlier ones it kept). */
  totalRows: number;
  /** Incremental cursor column, with `cursor` the highest value written so far. */
  cursorColumn?: string;
  cursor?: CursorValue;
  /** How its schema differs from the one published before; reported only once it landed. */
  schemaChange?: SchemaChange;
}

/** The table failed; its previous data (if any) stays published. */
export interface FailedOutcome extends OutcomeBase {
  status: "failed";
  /** What was thrown, kept whole (class, hint, location, cause). */
  error: unknown;
  /** 2 when the error is bad input the user must fix, 1 when the source or dvt failed. */
  exitCode: 1 | 2;
}

/** The table is queried remotely, or nothing could obtain it. */
export interface UntouchedOutcome extends OutcomeBase {
  status: "remote" | "skipped";
}

/** What happened to one table. */
export type TableOutcome = ExtractedOutcome | FailedOutcome | UntouchedOutcome;

/** A published table a run dropped because the configuration no longer selects it. */
export interface RemovedTable {
  /** Source name. */
  table: string;
  /** The view it was published as. */
  name: string;
}

/** The result of `ConnectorRuntime.run`. */
export interface ExtractResult extends ExtractStats {
  outDir: string;
  databasePath: string;
  tables: TableOutcome[];
  /** Published tables this run dropped because the configuration no longer selects them. */
  removedTables: RemovedTable[];
  runId: string;
}

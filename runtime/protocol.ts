/**
 * The connector protocol: what a connector declares and what the runtime calls.
 *
 * Everything here is plain data or a structural interface so that one connector file runs
 * unchanged in-process, in a sandbox worker, under `deno run` and in the compiled binary.
 * Connector files import these only as types (`import type`), so they carry no runtime imports.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";

/** Capability names as written in connector.yaml, in bit order. Drives both type and validation. */
export const CAPABILITY_NAMES = ["discover", "read", "stream", "remote", "write"] as const;

/** One capability name as written in a manifest: `"discover" | "read" | ...`. */
export type CapabilityName = typeof CAPABILITY_NAMES[number];

/**
 * Capability bit flags. Combine with `|`, test with {@linkcode hasCap}.
 *
 * @example
 * ```ts
 * import { Cap, hasCap } from "./protocol.ts";
 * const caps = Cap.DISCOVER | Cap.READ;
 * if (!hasCap(caps, Cap.READ)) throw new Error("unreachable");
 * ```
 */
export const Cap = {
  DISCOVER: 1,
  READ: 2,
  STREAM: 4,
  REMOTE: 8,
  WRITE: 16,
} as const satisfies Record<Uppercase<CapabilityName>, number>;

/** A set of capabilities: the bitwise OR of {@linkcode Cap} values. */
export type Capabilities = number;

/** True when every bit of `wanted` is present in `caps`. */
export function hasCap(caps: Capabilities, wanted: Capabilities): boolean {
  return (caps & wanted) === wanted;
}

/**
 * Turns manifest capability names into flags. Unknown names are not accepted here; manifest
 * validation reports them with their location first.
 *
 * @example
 * ```ts
 * import { Cap, capsFromNames } from "./protocol.ts";
 * if (capsFromNames(["read", "remote"]) !== (Cap.READ | Cap.REMOTE)) throw new Error();
 * ```
 */
export function capsFromNames(names: readonly CapabilityName[]): Capabilities {
  return names.reduce((caps, name) => caps | (1 << CAPABILITY_NAMES.indexOf(name)), 0);
}

/** Lists the names of the flags set in `caps`, in canonical order. */
export function capsToNames(caps: Capabilities): CapabilityName[] {
  return CAPABILITY_NAMES.filter((_, bit) => (caps & (1 << bit)) !== 0);
}

/** Describes one table a connector can provide. */
export interface TableInfo {
  /** The source's own name; the runtime normalises it for views and files. */
  name: string;
  /** Arrow schema of the batches `read()`/`stream()` yield for this table. */
  schema: Arrow.Schema;
  /** Per-table capabilities, a subset of the connector's. */
  capabilities: Capabilities;
  /** Columns identifying a row; required for the `merge` write disposition. */
  primaryKey?: string[];
  /** Human-readable description, stored in `_meta`. */
  description?: string;
  /** Column suited as incremental cursor (monotonic, e.g. `updated_at`). */
  cursorField?: string;
  /**
   * A BOOLEAN column that is true on rows the source reports as deleted (tombstones, soft
   * deletes, change-feed delete events). Merged tables remove such a key and history tables
   * close its current version, instead of storing the row; other dispositions keep the column
   * as data. Declare it when an incremental read can return deleted rows: a read that starts
   * from a cursor cannot otherwise tell a deleted row from an untouched one. dvt.yaml's
   * `deleted_flag` overrides it per table.
   *
   * @example
   * ```ts
   * import * as arrow from "apache-arrow";
   * import { Cap, type TableInfo } from "./protocol.ts";
   * const info: TableInfo = {
   *   name: "customers",
   *   schema: new arrow.Schema([
   *     new arrow.Field("id", new arrow.Int64()),
   *     new arrow.Field("is_deleted", new arrow.Bool()),
   *   ]),
   *   capabilities: Cap.READ,
   *   primaryKey: ["id"],
   *   deletedFlag: "is_deleted",
   * };
   * ```
   */
  deletedFlag?: string;
}

/** Comparison operators of the filter predicate form. */
export const FILTER_OPERATORS = ["=", "!=", "<", "<=", ">", ">=", "in"] as const;

/** One filter operator. */
export type FilterOperator = typeof FILTER_OPERATORS[number];

/** Scalar values allowed in filters and incremental cursors. */
export type CursorValue = string | number;

/**
 * Filter pushdown as plain JSON: column -> operator -> value; all conditions must hold.
 *
 * @example
 * ```ts
 * import type { Filter } from "./protocol.ts";
 * const since: Filter = { date: { ">=": "2026-01-01" }, status: { in: ["paid", "shipped"] } };
 * ```
 */
export type Filter = Record<
  string,
  Partial<Record<FilterOperator, CursorValue | CursorValue[] | null>>
>;

/** Options the runtime passes to `read()`, built from config and incremental state. */
export interface ReadOptions {
  /** Projection pushdown; absent means every column. */
  columns?: string[];
  /** Filter pushdown; a connector may ignore what it cannot push down. */
  filter?: Filter;
  /** Cursor column for incremental extraction. */
  incrementalKey?: string;
  /**
   * Highest cursor value written by the previous run; yield only rows with a greater value.
   * Timestamps and dates are ISO-8601 strings, integers beyond 2^53 are decimal strings.
   */
  incrementalValue?: CursorValue;
  /** Rows per yielded RecordBatch (approximately). */
  batchSize: number;
}

/** DuckDB extension pass-through: how to ATTACH the source at query time. Never a secret. */
export interface RemoteAttachInfo {
  /** DuckDB extension name, e.g. `postgres`, `bigquery`. */
  extension: string;
  /** The ATTACH target (connection string or URL) without credentials. */
  url: string;
  /** Name of the environment variable holding the token; `""` when auth is ambient. */
  tokenEnv: string;
  /** DuckDB alias; defaults to the extension name. */
  alias?: string;
}

/** A column whose type differs between two runs. */
export interface RetypedColumn {
  column: string;
  from: string;
  to: string;
}

/** Schema difference of one table since the previous run. */
export interface SchemaChange {
  table: string;
  added: string[];
  removed: string[];
  retyped: RetypedColumn[];
}

/** A failure isolated to one table (or to the remote attach step, table `"_remote_attach"`). */
export interface TableError {
  table: string;
  message: string;
}

/** The result of one extract run. */
export interface ExtractStats {
  tablesExtracted: number;
  tablesFailed: number;
  totalRows: number;
  schemaChanges: SchemaChange[];
  errors: TableError[];
}

/** Anything iterable of record batches, synchronously or not. */
export type BatchSource = AsyncIterable<Arrow.RecordBatch> | Iterable<Arrow.RecordBatch>;

/**
 * A connector. Implement only the methods its `capabilities` declare: the runtime checks the
 * flags before calling anything.
 */
export interface Connector {
  /** What this connector supports. */
  readonly capabilities: Capabilities;
  /** Lists tables with their Arrow schemas. Required with DISCOVER. */
  discover?(): Promise<TableInfo[]> | TableInfo[];
  /** Yields the table's rows as RecordBatches of the declared schema. Required with READ. */
  read?(table: string, options: ReadOptions): BatchSource;
  /**
   * Optional parallel read: the table's rows as several sources that the runtime reads
   * concurrently, writing one Parquet part each and publishing the parts together (all or
   * none). Together they must yield exactly the rows `read()` would; one source means "not
   * worth splitting". Each source yields batches of the same schema as `read()`.
   */
  readParts?(table: string, options: ReadOptions): Promise<BatchSource[]> | BatchSource[];
  /** Yields change events as RecordBatches until the source ends. Required with STREAM. */
  stream?(table: string): AsyncIterable<Arrow.RecordBatch>;
  /**
   * Turns one webhook delivery that `dvt serve` received (already authenticated, acknowledged
   * and made durable) into rows of the connector's stream tables. `dvt serve` calls it when it
   * folds a micro-batch into the extract, and again with the same event when a write-ahead log
   * is replayed after a crash, so it must be deterministic: the same event yields the same rows.
   * Throw an `InputError` for a body it cannot understand (the delivery is set aside in
   * `<out>/.dvt/serve/refused.jsonl` and counted, never written); return `[]` for an event it
   * deliberately ignores.
   */
  receive?(event: WebhookEvent): Promise<EventRows[]> | EventRows[];
  /**
   * Optional: what {@linkcode receive} does, for a whole micro-batch at once, so a connector
   * can build one batch per table instead of one per delivery (a one-row Arrow batch costs far
   * more than its row). Rows of the events it takes, in event order; the events it cannot
   * understand are listed in `refused` (their index in `events` and the `InputError`), the
   * others are taken whole.
   */
  receiveBatch?(events: readonly WebhookEvent[]): Promise<ReceivedBatch> | ReceivedBatch;
  /** Returns how to attach the source in DuckDB. Required with REMOTE. */
  remote?(): Promise<RemoteAttachInfo> | RemoteAttachInfo;
  /**
   * Optional fast path for sources DuckDB can read itself (files, databases with a DuckDB
   * extension): a DuckDB SELECT producing the table's rows with `options` applied (projection,
   * filter, incremental cursor). When present, the runtime writes Parquet with DuckDB's COPY
   * instead of moving batches through JavaScript. Its columns and types must equal what
   * discover() declares; `read()` remains the portable path (and what contract tests check).
   */
  scanSql?(table: string, options: ReadOptions): Promise<string> | string;
  /**
   * With scanSql(): turns an error DuckDB raised while running the scan into the error to
   * report, in the connector's words. A `DvtError` it returns (an InputError naming
   * the file and line of a malformed row) fails the table; anything else counts as a failure of
   * the native path, and the runtime reads the table through read() instead.
   */
  explainScanError?(table: string, error: unknown): unknown;
  /** Verifies credentials and reachability; throws with a clear message when not. */
  check?(): Promise<void> | void;
  /** Releases connections and handles. */
  close?(): Promise<void> | void;
}

/** One webhook delivery as `dvt serve` hands it to {@linkcode Connector.receive}. */
export interface WebhookEvent {
  /** The request body parsed as JSON. */
  body: unknown;
  /** Request headers, names lower-cased. */
  headers: Readonly<Record<string, string>>;
  /** When dvt acknowledged the delivery (ISO-8601 UTC); stable across a replay. */
  receivedAt: string;
}

/** What {@linkcode Connector.receiveBatch} made of a micro-batch of deliveries. */
export interface ReceivedBatch {
  /** Rows of the events taken, per table (any number of batches). */
  rows: EventRows[];
  /** Events not understood: index into the events handed over, and why (an `InputError`). */
  refused: { index: number; error: Error }[];
}

/** Rows an event produces for one of the connector's tables. */
export interface EventRows {
  /** A table the connector's discover() lists (with the stream capability). */
  table: string;
  /** The rows, in that table's declared schema. */
  batch: Arrow.RecordBatch;
}

/** Structured fields attached to a log line. Never put secrets here. */
export type LogFields = Record<string, unknown>;

/** A levelled logger handed to connectors. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** `fetch` with retries: 429 honours Retry-After; 408 and 5xx on GET/HEAD back off. */
export type RetryingFetch = (
  input: string | URL | Request,
  init?: RequestInit,
) => Promise<Response>;

/** Options of {@linkcode ConnectorContext.download}: a GET with these headers and nothing else. */
export interface DownloadInit {
  headers?: Record<string, string>;
}

/** A response whose whole body has been received: what {@linkcode ConnectorContext.download} gives. */
export interface Download {
  /** The final URL (after redirects). */
  url: string;
  status: number;
  ok: boolean;
  headers: Headers;
  /** The whole body; exactly Content-Length bytes when the response announced a length. */
  body: Uint8Array;
}

/** Downloads a body whole: see {@linkcode ConnectorContext.download}. */
export type Downloader = (url: string | URL, init?: DownloadInit) => Promise<Download>;

/** What a connector gets at run time instead of importing modules itself. */
export interface ConnectorContext {
  /** The Apache Arrow module the runtime uses; build batches with it. */
  arrow: typeof Arrow;
  /** Retrying fetch, restricted to the hosts the manifest grants when sandboxed. */
  fetch: RetryingFetch;
  /**
   * GETs `url` with `fetch`'s retries and receives its whole body into one buffer of the size
   * its Content-Length announces. For bodies a connector decodes whole (result files, export
   * slices): a built-in connector's downloads are received on a thread of their own, so the next
   * body arrives while this thread decodes the last one (sandboxed, on the connector's thread).
   * The promise is rejected when the request fails after its retries, or when the body ends
   * short of its Content-Length or runs past it. A response that is not OK is resolved, with its
   * body, so the connector can read the service's error. Stream large bodies with `fetch`.
   */
  download: Downloader;
  /**
   * Says that `download` calls will follow, so the runtime may get ready for them now: a
   * built-in's download thread then starts while the connector waits on its query instead of
   * at the first download. Calling it is optional; in the sandbox it does nothing.
   */
  expectDownloads(): void;
  /** Logger whose output the runtime routes to the terminal or JSON events. */
  log: Logger;
  /** Reads an environment variable the manifest grants; undefined when unset. */
  env(name: string): string | undefined;
}

/** Configuration values for a connector, validated against its manifest's config schema. */
export type ConnectorConfig = Record<string, unknown>;

/**
 * The default export of every connector module.
 *
 * @example
 * ```ts
 * import { Cap, type ConnectorFactory } from "./protocol.ts";
 * const factory: ConnectorFactory = (ctx) => ({
 *   capabilities: Cap.READ,
 *   *read() {
 *     yield ctx.arrow.tableFromArrays({ id: Int32Array.from([1, 2]) }).batches[0];
 *   },
 * });
 * export default factory;
 * ```
 */
export type ConnectorFactory<C extends ConnectorConfig = ConnectorConfig> = (
  ctx: ConnectorContext,
  config: C,
) => Connector | Promise<Connector>;

/**
 * The extract.duckdb catalog: `_meta` (one row per table, the seed's columns plus additive
 * ones), `_remote_attach`, `_dvt_run` and one view per local table. Views resolve their Parquet
 * files relative to the database file, so `<out>` can be moved or opened from any directory.
 *
 * @module
 */
import type { SchemaJson } from "../parquet/arrow_schema.ts";
import { DuckDB, failure } from "../parquet/duckdb.ts";
import { DATABASE_FILE } from "./layout.ts";
import type { CursorValue, RemoteAttachInfo } from "../protocol.ts";
import { quoteIdentifier, quoteLiteral } from "../util/sql.ts";
import { pathKind } from "../util/path_kind.ts";
import { CURRENT_VIEW_SUFFIX, isCurrentPart } from "./history.ts";

/** How a table is queried. */
export type QueryMode = "local" | "remote";

/** One table of the catalog, as stored in `_meta`. */
export interface CatalogEntry {
  /** Normalised view name (`_meta.table_name`). */
  name: string;
  /** Original source table name. */
  sourceName: string;
  description: string;
  rows: number;
  sizeBytes: number;
  extractedAt: Date;
  queryMode: QueryMode;
  schema: SchemaJson;
  /** Relative paths (posix) of the Parquet files or glob the view reads; empty for remote. */
  files: string[];
  cursorColumn?: string;
  cursorValue?: CursorValue;
  disposition?: string;
  primaryKey?: string[];
  /** Run that wrote the data. */
  runId: string;
}

/**
 * Whether an entry is a stream table: its files are partitions in `data/<name>/` (listed one
 * by one, or as that directory's glob by extracts written before partitions were listed).
 *
 * @example
 * ```ts
 * import { isStreamEntry } from "./catalog.ts";
 * const files = ["data/events/2026-01-x.parquet"];
 * if (!isStreamEntry({ name: "events", files })) throw new Error();
 * ```
 */
export function isStreamEntry(entry: Pick<CatalogEntry, "name" | "files">): boolean {
  return entry.files.some((file) => file.startsWith(`data/${entry.name}/`));
}

/**
 * The second view of a history table: `<name>_current` over its current part alone (the
 * current version of every key), or undefined for other tables.
 */
export function currentView(
  entry: Pick<CatalogEntry, "name" | "files" | "disposition" | "queryMode">,
): { name: string; files: string[] } | undefined {
  if (entry.disposition !== "history" || entry.queryMode !== "local") return undefined;
  const files = entry.files.filter(isCurrentPart);
  return files.length ? { name: `${entry.name}${CURRENT_VIEW_SUFFIX}`, files } : undefined;
}

/** The published catalog as read back. */
export interface Catalog {
  runId?: string;
  entries: CatalogEntry[];
  remote: RemoteAttachInfo[];
}

const META_COLUMNS = `(
  table_name VARCHAR NOT NULL PRIMARY KEY,
  description VARCHAR,
  rows BIGINT,
  size_bytes BIGINT,
  extracted_at TIMESTAMP,
  query_mode VARCHAR,
  schema_json VARCHAR,
  source_name VARCHAR,
  data_files VARCHAR,
  cursor_column VARCHAR,
  cursor_value VARCHAR,
  disposition VARCHAR,
  primary_key VARCHAR,
  run_id VARCHAR
)`;

/**
 * SQL prefix for a path relative to the database's directory. DuckDB resolves relative paths
 * against the working directory, and table functions accept only constant arguments (no
 * subqueries, so `duckdb_databases()` cannot be used). DuckDB (CLI and every client) sets
 * `temp_directory` to `<database path>.tmp` when it opens a file, so its directory part is the
 * directory of the database as it was opened (relative to the cwd when opened by a relative
 * path). When the database is ATTACHed to another one, `temp_directory` belongs to that one;
 * then the absolute directory at build time is used.
 */
export function baseDirExpression(absoluteOutDir: string): string {
  const temp = "current_setting('temp_directory')";
  const fallback = quoteLiteral(
    absoluteOutDir.endsWith("/") ? absoluteOutDir : `${absoluteOutDir}/`,
  );
  return `(CASE WHEN parse_filename(${temp}) = ${quoteLiteral(`${DATABASE_FILE}.tmp`)} ` +
    `THEN (CASE WHEN parse_dirpath(${temp}) = '' THEN '' ELSE parse_dirpath(${temp}) || '/' END) ` +
    `ELSE ${fallback} END)`;
}

/**
 * The `SELECT` a view runs over its files. Several files are given as one `|`-separated string
 * with the base directory put in front of each and the result split on NUL
 * (`string_split(<base> || replace('a|b', '|', chr(0) || <base>), chr(0))`): the base expression
 * appears twice instead of once per file, and DuckDB parses and binds a view over 20 partitions
 * in ~4 ms of CPU instead of ~9 (a `dvt serve` fold creates a view per table each time). The
 * split is on NUL, which no path holds, because the base directory is wherever the user keeps
 * the extract, `|` included. Paths dvt writes never hold a `|`; if one does, each file is listed
 * with its own base expression.
 */
export function viewQuery(absoluteOutDir: string, files: string[]): string {
  const base = baseDirExpression(absoluteOutDir);
  if (files.length > 1 && !files.some((file) => file.includes("|"))) {
    const joined = quoteLiteral(files.join("|"));
    return `SELECT * FROM read_parquet(string_split(${base} || replace(${joined}, '|', chr(0) || ${base}), chr(0)), union_by_name = true)`;
  }
  const list = files.map((file) => `${base} || ${quoteLiteral(file)}`).join(", ");
  return `SELECT * FROM read_parquet([${list}], union_by_name = true)`;
}

/** An entry as its `_meta` row: the values by column, in the table's column order. */
export interface MetaRow {
  table_name: string;
  description: string;
  rows: number;
  size_bytes: number;
  /** `YYYY-MM-DD HH:MM:SS.mmm` (UTC), cast to TIMESTAMP on insert. */
  extracted_at: string;
  query_mode: QueryMode;
  schema_json: string;
  source_name: string;
  data_files: string;
  cursor_column: string | null;
  cursor_value: string | null;
  disposition: string | null;
  primary_key: string | null;
  run_id: string;
}

/** The `_meta` row an entry is stored as. */
export function metaRow(entry: CatalogEntry): MetaRow {
  return {
    table_name: entry.name,
    description: entry.description,
    rows: entry.rows,
    size_bytes: entry.sizeBytes,
    extracted_at: entry.extractedAt.toISOString().replace("T", " ").replace("Z", ""),
    query_mode: entry.queryMode,
    schema_json: JSON.stringify(entry.schema),
    source_name: entry.sourceName,
    data_files: JSON.stringify(entry.files),
    cursor_column: entry.cursorColumn ?? null,
    cursor_value: cursorToText(entry.cursorValue),
    disposition: entry.disposition ?? null,
    primary_key: entry.primaryKey ? JSON.stringify(entry.primaryKey) : null,
    run_id: entry.runId,
  };
}

/**
 * The entry a `_meta` row describes: a row read from the database (TIMESTAMP as a Date, BIGINT
 * as a bigint) or a {@linkcode MetaRow} kept as JSON (catalog_snapshot.ts) give the same entry.
 */
export function entryFromMetaRow(row: MetaRow | Record<string, unknown>): CatalogEntry {
  const schema = JSON.parse(String(row.schema_json)) as SchemaJson;
  const cursorColumn = (row.cursor_column as string | null) ?? undefined;
  const extractedAt = row.extracted_at instanceof Date
    ? row.extracted_at
    : new Date(`${String(row.extracted_at).replace(" ", "T")}Z`);
  return {
    name: String(row.table_name),
    sourceName: String(row.source_name),
    description: String(row.description ?? ""),
    rows: Number(row.rows),
    sizeBytes: Number(row.size_bytes),
    extractedAt,
    queryMode: row.query_mode as QueryMode,
    schema,
    files: JSON.parse(String(row.data_files ?? "[]")),
    cursorColumn,
    cursorValue: cursorFromText(row.cursor_value, cursorColumn, schema),
    disposition: (row.disposition as string | null) ?? undefined,
    primaryKey: row.primary_key ? JSON.parse(String(row.primary_key)) : undefined,
    runId: String(row.run_id ?? ""),
  };
}

/** The `_remote_attach` row of one remote attach. */
export function remoteRow(info: RemoteAttachInfo) {
  return {
    alias: info.alias || info.extension,
    extension: info.extension,
    url: info.url,
    token_env: info.tokenEnv,
  };
}

/** A remote attach as read back from its `_remote_attach` row. */
export function remoteFromRow(
  row: ReturnType<typeof remoteRow> | Record<string, unknown>,
): RemoteAttachInfo {
  return {
    alias: String(row.alias),
    extension: String(row.extension),
    url: String(row.url),
    tokenEnv: String(row.token_env ?? ""),
  };
}

function cursorToText(value: CursorValue | undefined): string | null {
  return value === undefined ? null : String(value);
}

function cursorFromText(text: unknown, column: string | undefined, schema: SchemaJson) {
  if (text === null || text === undefined) return undefined;
  const type = schema.fields.find((f) => f.name === column)?.type ?? "";
  const numeric = /^(Int(8|16|32)|Uint(8|16|32)|Float)/.test(type);
  return numeric ? Number(text) : String(text);
}

/**
 * An in-memory DuckDB that catalog databases are attached to, one at a time. Starting a DuckDB
 * instance costs ~60 ms of CPU (its built-in functions are registered anew each time), ATTACH a
 * few ms: a thread that reads and builds catalogs (catalog_worker.ts) opens one engine ahead and
 * passes it to {@linkcode readCatalog} and {@linkcode CatalogBuild.open}. Every commit
 * checkpoints (`checkpoint_threshold`), so a catalog file is whole without its WAL. Its tables
 * hold a row per table, so their columns are stored uncompressed: the checkpoint otherwise
 * tries each compression (FSST, dictionary, ...) on every column of `_meta`, which took about
 * a third of publishing a one-table extract (~75 -> ~54 ms for the catalog's fill, median of 6).
 */
export async function openCatalogEngine(): Promise<DuckDB> {
  return await DuckDB.create(":memory:", {
    settings: { checkpoint_threshold: "0b", force_compression: "uncompressed" },
  });
}

let attachments = 0;

/**
 * Attaches the database file at `path` to `engine` under a fresh alias and returns the alias.
 * A failure reads as opening the file does: `Failed to open <path>: <reason>`.
 */
async function attach(engine: DuckDB, path: string, readOnly: boolean): Promise<string> {
  const alias = `dvt_catalog_${attachments++}`;
  const sql = `ATTACH ${quoteLiteral(path)} AS ${quoteIdentifier(alias)}${
    readOnly ? " (READ_ONLY)" : ""
  }`;
  await failure(`open ${path}`, () =>
    engine.run(sql).catch((error: Error) => {
      throw error.cause ?? error;
    }));
  return alias;
}

/**
 * Reads the published catalog; an absent database is an empty catalog. With `engine`, the file
 * is attached to it read-only (and detached after); without, to an engine of its own.
 */
export async function readCatalog(path: string, engine?: DuckDB): Promise<Catalog> {
  if (!await pathKind(path)) return { entries: [], remote: [] };
  await using own = engine ? undefined : await openCatalogEngine();
  const db = engine ?? own!;
  const alias = await attach(db, path, true);
  try {
    return await readAttached(db, alias);
  } finally {
    await db.run(`DETACH ${quoteIdentifier(alias)}`);
  }
}

async function readAttached(db: DuckDB, alias: string): Promise<Catalog> {
  const tables = new Set(
    (await db.all(
      `SELECT table_name FROM duckdb_tables() WHERE database_name = ${quoteLiteral(alias)}`,
    )).map((r) => r.table_name),
  );
  const table = (name: string) => `${quoteIdentifier(alias)}.${name}`;
  const runId = tables.has("_dvt_run")
    ? String((await db.all(`SELECT run_id FROM ${table("_dvt_run")}`))[0]?.run_id ?? "")
    : undefined;
  const entries: CatalogEntry[] = [];
  if (tables.has("_meta") && runId !== undefined) {
    for (const row of await db.all(`SELECT * FROM ${table("_meta")} ORDER BY table_name`)) {
      entries.push(entryFromMetaRow(row));
    }
  }
  const remote: RemoteAttachInfo[] = tables.has("_remote_attach")
    ? (await db.all(`SELECT * FROM ${table("_remote_attach")}`)).map(remoteFromRow)
    : [];
  return { runId, entries, remote };
}

/**
 * What a catalog is built from, in the order every build step takes it: the extract's absolute
 * directory (the views' base), the run, its tables, its remote attachments and the connector's
 * name (empty when unknown).
 */
export type CatalogContents = [
  absoluteOutDir: string,
  runId: string,
  entries: CatalogEntry[],
  remote: RemoteAttachInfo[],
  connectorName?: string,
];

/**
 * Builds a complete catalog database at `path` (which must not exist) and checkpoints it.
 *
 * @example
 * ```ts ignore
 * await buildCatalog(layout.tempDatabase(runId), layout.root, runId, entries, remote, "shop");
 * ```
 */
export async function buildCatalog(path: string, ...contents: CatalogContents): Promise<void> {
  const build = await CatalogBuild.open(path);
  await build.finish(...contents);
}

/**
 * A catalog database being built: {@linkcode CatalogBuild.open} creates the file and its empty
 * tables, {@linkcode CatalogBuild.finish} fills them, creates the views and checkpoints. Opening
 * ahead of time lets the file's creation happen while the tables are still being read.
 * Each step is one transaction checkpointed as it commits (`checkpoint_threshold` 0): the file is
 * written and synced once per step, instead of a synced WAL write per statement followed by the
 * checkpoint.
 */
export class CatalogBuild {
  readonly #engine: DuckDB;
  /** The database's alias in the engine. */
  readonly #alias: string;
  /** The engine was opened for this build alone, and is closed with it. */
  readonly #ownsEngine: boolean;

  private constructor(engine: DuckDB, alias: string, ownsEngine: boolean) {
    this.#engine = engine;
    this.#alias = alias;
    this.#ownsEngine = ownsEngine;
  }

  /**
   * Creates the database at `path` (which must not exist) with the catalog's empty tables,
   * attached to `engine` (from {@linkcode openCatalogEngine}), or to an engine of its own.
   */
  static async open(path: string, engine?: DuckDB): Promise<CatalogBuild> {
    const db = engine ?? await openCatalogEngine();
    let build: CatalogBuild | undefined;
    try {
      build = new CatalogBuild(db, await attach(db, path, false), !engine);
      await build.#transaction((table) => createTables(db, table));
    } catch (error) {
      if (build) await build.close();
      else if (!engine) db.close();
      throw error;
    }
    return build;
  }

  /**
   * Builds the whole catalog at `path` (which must not exist) on `engine` in one transaction:
   * the tables' creation, their rows and the views are written and synced by one checkpoint,
   * where {@linkcode open} then {@linkcode finish} take two. For a caller with nothing to
   * overlap the file's creation with (a `dvt serve` fold: ~15 ms of CPU less per fold).
   */
  static async write(path: string, engine: DuckDB, ...contents: CatalogContents): Promise<void> {
    const build = new CatalogBuild(engine, await attach(engine, path, false), false);
    await build.#fill(true, ...contents);
  }

  /** Fills the catalog, creates the views, checkpoints and closes (detaches) the database. */
  async finish(...contents: CatalogContents): Promise<void> {
    await this.#fill(false, ...contents);
  }

  async #fill(
    withTables: boolean,
    ...[absoluteOutDir, runId, entries, remote, connectorName = ""]: CatalogContents
  ): Promise<void> {
    const db = this.#engine;
    try {
      await this.#transaction(async (table) => {
        if (withTables) await createTables(db, table);
        await db.run(
          `INSERT INTO ${table("_dvt_run")} VALUES (?, current_timestamp::TIMESTAMP, ?)`,
          [
            runId,
            connectorName,
          ],
        );
        for (const info of remote) {
          await db.run(
            `INSERT INTO ${table("_remote_attach")} VALUES (?, ?, ?, ?)`,
            Object.values(remoteRow(info)),
          );
        }
        await insertMetaRows(db, table, entries);
        for (const entry of entries) await addViews(db, table, absoluteOutDir, entry);
      });
      // Already checkpointed by the commit; kept so the file is whole whatever the threshold did.
      await db.run(`CHECKPOINT ${quoteIdentifier(this.#alias)}`);
    } finally {
      await this.close();
    }
  }

  /** Closes (detaches) the database; a build abandoned this way leaves its file to the caller. */
  async close(): Promise<void> {
    try {
      await this.#engine.run(`DETACH ${quoteIdentifier(this.#alias)}`);
    } finally {
      if (this.#ownsEngine) this.#engine.close();
    }
  }

  /**
   * Runs `work` in one transaction, given a function that qualifies a table name with this
   * database's alias. A failure rolls back, so a shared engine is ready for the next caller.
   */
  async #transaction(work: (table: (name: string) => string) => Promise<void>): Promise<void> {
    const db = this.#engine;
    const alias = quoteIdentifier(this.#alias);
    await db.run("BEGIN TRANSACTION");
    try {
      await work((name) => `${alias}.${quoteIdentifier(name)}`);
      await db.run("COMMIT");
    } catch (error) {
      await db.run("ROLLBACK").catch(() => {});
      throw error;
    }
  }
}

/** The catalog's empty tables. */
async function createTables(db: DuckDB, table: (name: string) => string): Promise<void> {
  await db.run(`CREATE TABLE ${table("_meta")} ${META_COLUMNS}`);
  await db.run(
    `CREATE TABLE ${
      table("_remote_attach")
    } (alias VARCHAR, extension VARCHAR, url VARCHAR, token_env VARCHAR)`,
  );
  await db.run(
    `CREATE TABLE ${table("_dvt_run")} (run_id VARCHAR, built_at TIMESTAMP, connector VARCHAR)`,
  );
}

/**
 * Every entry's `_meta` row in one INSERT (a prepared statement per row cost ~3 ms of CPU each:
 * most of a `dvt serve` fold's catalog inserts).
 */
async function insertMetaRows(
  db: DuckDB,
  table: (name: string) => string,
  entries: CatalogEntry[],
): Promise<void> {
  if (!entries.length) return;
  const row = "(?, ?, ?, ?, ?::TIMESTAMP, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  await db.run(
    `INSERT INTO ${table("_meta")} VALUES ${entries.map(() => row).join(", ")}`,
    entries.flatMap((entry) => Object.values(metaRow(entry))),
  );
}

/** The entry's views. */
async function addViews(
  db: DuckDB,
  table: (name: string) => string,
  absoluteOutDir: string,
  entry: CatalogEntry,
): Promise<void> {
  if (entry.queryMode === "local" && entry.files.length) {
    await db.run(
      `CREATE VIEW ${table(entry.name)} AS ${viewQuery(absoluteOutDir, entry.files)}`,
    );
  }
  const current = currentView(entry);
  if (current) {
    await db.run(
      `CREATE VIEW ${table(current.name)} AS ${viewQuery(absoluteOutDir, current.files)}`,
    );
  }
}

/**
 * The built-in `sqlite` connector: one SQLite database file opened read-only with node:sqlite.
 * Discovers tables and views with their declared types mapped by SQLite's affinity rules, reads
 * them with projection, filter and incremental cursor pushed into SQL (a column, or the rowid
 * with config `rowid: true`), streams rows in constant memory, and tells DuckDB's sqlite
 * extension which file to ATTACH.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type {
  BatchSource,
  ConnectorConfig,
  ConnectorFactory,
  ReadOptions,
  RemoteAttachInfo,
  TableInfo,
} from "../../mod.ts";
import { Cap, ConnectorError, InputError, quoteIdentifier } from "../../mod.ts";
import { type ColumnPlan, planColumn } from "./affinity.ts";
import { batchOf } from "./batch_of.ts";
import { configure, fillBatches } from "./page_reader.ts";
import {
  PARALLEL_DEFAULT_READERS,
  PARALLEL_MIN_ROWS,
  readInParallel,
  rowidChunks,
  rowidSpan,
} from "./parallel_read.ts";
import { SnapshotLock } from "./snapshot_lock.ts";
import {
  projectedPlans,
  ROWID,
  rowidPosition,
  type SelectRequest,
  selectSql,
} from "./select_sql.ts";

/** The sqlite connector's config (see connector.yaml). */
export interface SqliteConfig extends ConnectorConfig {
  path?: string;
  rowid?: boolean;
  parallel?: number;
}

interface CatalogTable {
  info: TableInfo;
  plans: ColumnPlan[];
  /** A table with a rowid (not a view, not WITHOUT ROWID): paged by rowid. */
  hasRowid: boolean;
  /** The column that is the rowid itself: its INTEGER PRIMARY KEY, or `rowid` when exposed. */
  rowidColumn?: string;
}

const CURSOR_NAME =
  /^(updated|modified|changed|last_?modified|last_?updated)(_?(at|on|time|date|ts))?$/i;

function absolute(path: string): string {
  return path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
}

async function openDatabase(path: string): Promise<DatabaseSync> {
  const { DatabaseSync } = await import("node:sqlite");
  try {
    const stat = await Deno.stat(path);
    if (!stat.isFile) throw new Error("not a file");
  } catch {
    throw new InputError(`sqlite config path: no database file at ${path}`, {
      hint: "set path to an existing SQLite file (relative paths start at the working directory)",
    });
  }
  try {
    const database = new DatabaseSync(path, { readOnly: true });
    database.prepare("SELECT count(*) FROM sqlite_schema").get();
    return database;
  } catch (error) {
    throw new InputError(`sqlite config path: ${path} is not a readable SQLite database`, {
      hint: `check the file (${(error as Error).message})`,
      cause: error,
    });
  }
}

/**
 * Whether `column` is the rowid of `table` (an INTEGER PRIMARY KEY, but not `INTEGER PRIMARY KEY
 * DESC`, which SQLite keeps as an ordinary column): SQLite then plans a lookup by it as a rowid
 * lookup.
 */
function isRowidAlias(db: DatabaseSync, table: string, column: string): boolean {
  const plan = db.prepare(
    `EXPLAIN QUERY PLAN SELECT 1 FROM ${quoteIdentifier(table)} WHERE ${
      quoteIdentifier(column)
    } = 0`,
  ).all() as { detail: string }[];
  return plan.some((step) => /USING INTEGER PRIMARY KEY \(rowid=\?\)/.test(step.detail));
}

const sqlite: ConnectorFactory<SqliteConfig> = (ctx, config) => {
  const arrow = ctx.arrow;
  if (!config.path) {
    throw new InputError("sqlite config path: no database file is set", {
      hint: "set path to the SQLite file, e.g. --set path=shop.db",
    });
  }
  const path = absolute(config.path);
  let database: Promise<DatabaseSync> | undefined;
  let catalog: Promise<Map<string, CatalogTable>> | undefined;
  const open = () => database ??= openDatabase(path);

  function describe(
    db: DatabaseSync,
    name: string,
    type: string,
    sql: string | null,
  ): CatalogTable {
    const columns = db.prepare(`PRAGMA table_xinfo(${quoteIdentifier(name)})`).all() as {
      name: string;
      type: string;
      pk: number;
      hidden: number;
    }[];
    const visible = columns.filter((c) => c.hidden === 0 || c.hidden === 2 || c.hidden === 3);
    const plans = visible.map((c) => planColumn(arrow, c.name, c.type ?? ""));
    const primaryKey = visible.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) =>
      c.name
    );
    const withoutRowid = /WITHOUT\s+ROWID\s*$/i.test(sql ?? "");
    const exposeRowid = config.rowid === true && type === "table" && !withoutRowid &&
      !plans.some((p) => p.name.toLowerCase() === ROWID);
    if (exposeRowid) plans.unshift({ ...planColumn(arrow, ROWID, "INTEGER"), rowid: true });
    // An INTEGER PRIMARY KEY is the rowid itself: increasing with inserts, a natural cursor.
    const rowidAlias = primaryKey.length === 1 &&
        visible.find((c) => c.name === primaryKey[0])?.type.toUpperCase() === "INTEGER"
      ? primaryKey[0]
      : undefined;
    const named = plans.find((p) => p.temporal === "datetime" && CURSOR_NAME.test(p.name));
    const info: TableInfo = {
      name,
      schema: new arrow.Schema(plans.map((p) => p.field)),
      capabilities: Cap.DISCOVER | Cap.READ | Cap.REMOTE,
      primaryKey: primaryKey.length ? primaryKey : undefined,
      description: type === "view" ? "view" : undefined,
      cursorField: named?.name ?? rowidAlias ?? (exposeRowid ? ROWID : undefined),
    };
    const hasRowid = type === "table" && !withoutRowid;
    const rowidColumn = exposeRowid
      ? ROWID
      : hasRowid && rowidAlias && isRowidAlias(db, name, rowidAlias)
      ? rowidAlias
      : undefined;
    return { info, plans, hasRowid, rowidColumn };
  }

  const tables = () =>
    catalog ??= (async () => {
      const db = await open();
      const rows = db.prepare(
        `SELECT name, type, sql FROM sqlite_schema
         WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`,
      ).all() as { name: string; type: string; sql: string | null }[];
      return new Map(rows.map((row) => [row.name, describe(db, row.name, row.type, row.sql)]));
    })();

  async function lookup(name: string): Promise<CatalogTable> {
    const all = await tables();
    const found = all.get(name);
    if (!found) {
      throw new InputError(`unknown table "${name}" in ${path}`, {
        hint: `tables: ${[...all.keys()].join(", ") || "(none)"}`,
      });
    }
    return found;
  }

  /** The SELECT of a read of `name` with `options`, its columns and their schema. */
  function selection(name: string, table: CatalogTable, options: ReadOptions, upper = false) {
    const request: SelectRequest = {
      table: name,
      plans: table.plans,
      columns: options.columns,
      filter: options.filter,
      incrementalKey: options.incrementalKey,
      incrementalValue: options.incrementalValue,
      page: table.hasRowid ? "rowid" : "offset",
      upper,
      rowidColumn: table.rowidColumn,
    };
    const plans = projectedPlans(request);
    const schema = options.columns?.length
      ? new arrow.Schema(plans.map((p) => p.field))
      : table.info.schema;
    const sql = selectSql(request);
    ctx.log.debug("sqlite read", { table: name, sql });
    return { request, plans, schema, sql, ...rowidPosition(request) };
  }

  async function* read(name: string, options: ReadOptions): AsyncGenerator<Arrow.RecordBatch> {
    const table = await lookup(name);
    const { request, plans, schema, sql, key, skip } = selection(name, table, options);
    // Its own connection and one read transaction: every page of this read sees the same
    // snapshot (pages are separate statements), and tables read at once do not share one.
    const db = await openDatabase(path);
    try {
      let statement: StatementSync;
      try {
        db.exec("BEGIN");
        statement = db.prepare(sql);
      } catch (error) {
        throw new ConnectorError(`table "${name}": ${(error as Error).message}`, { cause: error });
      }
      configure(statement);
      const batchSize = Math.max(1, options.batchSize);
      const sinks = plans.map((plan) => plan.sink(batchSize, name));
      const paged = { statement, table: name, page: request.page, key, skip };
      for (const rows of fillBatches(paged, sinks, batchSize)) {
        yield batchOf(arrow, schema, rows, sinks.map((sink) => sink.buffer.flush()));
      }
    } finally {
      // End the read transaction first: close() leaves the connection (and its lock) open while
      // a prepared statement is not yet collected. Also when the read stopped early.
      if (db.isTransaction) db.exec("ROLLBACK");
      db.close();
    }
  }

  /**
   * One source read by reader threads (parallel_read.ts), or none (the runtime calls `read()`)
   * for views, WITHOUT ROWID tables, WAL databases and tables spanning fewer than
   * PARALLEL_MIN_ROWS rowids (unless config `parallel` is set).
   */
  async function readParts(name: string, options: ReadOptions): Promise<BatchSource[]> {
    const table = await lookup(name);
    if (!table.hasRowid || config.parallel === 0) return [];
    const db = await open();
    let journal: string;
    let span: ReturnType<typeof rowidSpan>;
    try {
      journal = (db.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode;
      span = rowidSpan(db, quoteIdentifier(name));
    } catch (error) {
      throw new ConnectorError(`table "${name}": ${(error as Error).message}`, { cause: error });
    }
    if (journal.toLowerCase() === "wal") {
      ctx.log.debug("sqlite: one reader for a WAL database", { table: name });
      return [];
    }
    if (!span) return [];
    const readers = config.parallel ??
      (span.hi - span.lo + 1n >= PARALLEL_MIN_ROWS ? PARALLEL_DEFAULT_READERS : 0);
    if (readers < 1) return [];
    const { plans, schema, sql, key, skip } = selection(name, table, options, true);
    const { DatabaseSync } = await import("node:sqlite");
    const snapshot = new SnapshotLock(
      path,
      name,
      (file) => new DatabaseSync(file, { readOnly: true }),
    );
    const batchRows = Math.max(1, options.batchSize);
    const chunks = rowidChunks(span.lo, span.hi, BigInt(batchRows));
    const read = {
      arrow,
      path,
      table: name,
      schema,
      plans,
      sql,
      key,
      skip,
      batchRows,
      readers: Math.min(readers, chunks.length),
      chunks,
      snapshot,
    };
    return [readInParallel(read)];
  }

  return {
    capabilities: Cap.DISCOVER | Cap.READ | Cap.REMOTE,
    async discover() {
      return [...(await tables()).values()].map((table) => table.info);
    },
    read,
    readParts,
    remote(): RemoteAttachInfo {
      // DuckDB's sqlite extension attaches the file itself: ATTACH '<path>' (TYPE sqlite).
      return { extension: "sqlite", url: path, tokenEnv: "", alias: "sqlite" };
    },
    async check() {
      await tables();
    },
    async close() {
      const pending = database;
      database = undefined;
      catalog = undefined;
      if (pending) (await pending.catch(() => undefined))?.close();
    },
  };
};

export default sqlite;

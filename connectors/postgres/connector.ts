/**
 * The built-in `postgres` connector: tables and views of PostgreSQL schemas, read with
 * `COPY (SELECT ...) TO STDOUT (FORMAT binary)` and decoded straight into typed Arrow columns.
 * Projection, filters and the incremental cursor are pushed into the SELECT; large tables are
 * split into ctid ranges read concurrently from one exported snapshot (`readParts`).
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import type {
  BatchSource,
  ConnectorFactory,
  ReadOptions,
  RemoteAttachInfo,
  TableInfo,
} from "../../mod.ts";
import { Cap, InputError } from "../../mod.ts";
import { discoverTables, type PgTable } from "./catalog.ts";
import { explainError, isExplained, openSession, type Session } from "./connection.ts";
import { type CopyRead, explainReadError, readCopy, schemaOf } from "./copy_read.ts";
import { splitPages } from "./parallel.ts";
import { libpqConnectionString } from "./remote.ts";
import { copyStatement, type PageRange, projectColumns, qualifiedName } from "./select_sql.ts";
import { type PostgresConfig, resolveSettings } from "./settings.ts";
import { ReaderThread } from "./worker_reader.ts";

const CAPABILITIES = Cap.DISCOVER | Cap.READ | Cap.REMOTE;

/** A snapshot shared by the readers of one parallel read. */
interface SharedSnapshot {
  id: string;
  release: () => Promise<void>;
}

const postgresConnector: ConnectorFactory<PostgresConfig> = (ctx, config) => {
  const settings = resolveSettings(ctx, config);
  const sessions = new Set<Session>();
  let catalog: Promise<Map<string, PgTable>> | undefined;

  /** Opens a session tracked for close(); connection failures come back explained. */
  async function connect(table?: PgTable): Promise<Session> {
    try {
      const session = await openSession(settings);
      sessions.add(session);
      return session;
    } catch (error) {
      throw table ? explainReadError(error, table.name, settings) : explainError(error, settings);
    }
  }

  async function release(session: Session): Promise<void> {
    sessions.delete(session);
    await session.end();
  }

  async function withSession<T>(work: (sql: Session) => Promise<T>): Promise<T> {
    const sql = await connect();
    try {
      return await work(sql);
    } catch (error) {
      throw isExplained(error) ? error : explainError(error, settings);
    } finally {
      await release(sql);
    }
  }

  const tables = () =>
    catalog ??= withSession(async (sql) => {
      const found = await discoverTables(sql, settings.schemas);
      return new Map(found.map((table) => [table.name, table]));
    });

  async function lookup(name: string): Promise<PgTable> {
    const all = await tables();
    const table = all.get(name);
    if (!table) {
      throw new InputError(`unknown table "${name}" in schemas ${settings.schemas.join(", ")}`, {
        hint: `tables: ${[...all.keys()].join(", ") || "(none)"}`,
      });
    }
    return table;
  }

  let thread: ReaderThread | undefined;
  /** The reader thread, started when a read needs it (it stops itself when no read uses it). */
  function readerThread(): ReaderThread | undefined {
    if (!thread?.running) thread = ReaderThread.start(() => (thread = undefined));
    return thread;
  }

  /**
   * Streams one COPY (the whole read, or one page range of it) as batches: in the reader thread
   * when `threaded`, else on this thread.
   */
  async function* copyBatches(
    table: PgTable,
    options: ReadOptions,
    threaded: boolean,
    range?: PageRange,
    snapshot?: SharedSnapshot,
  ): AsyncGenerator<Arrow.RecordBatch> {
    const plans = projectColumns(table, options.columns);
    const read: CopyRead = {
      table: table.name,
      statement: copyStatement(table, plans, options, range),
      plans,
      batchSize: options.batchSize,
      snapshot: snapshot?.id,
    };
    let sql: Session | undefined;
    try {
      const reader = threaded ? readerThread() : undefined;
      ctx.log.debug("reading", { table: table.name, sql: read.statement, thread: !!reader });
      if (reader) {
        yield* reader.read(ctx.arrow, settings, read, schemaOf(ctx.arrow, plans));
        return;
      }
      sql = await connect(table);
      yield* readCopy(ctx.arrow, sql, read);
    } catch (error) {
      throw explainReadError(error, table.name, settings);
    } finally {
      if (sql) await release(sql);
      await snapshot?.release();
    }
  }

  async function* read(name: string, options: ReadOptions): AsyncGenerator<Arrow.RecordBatch> {
    yield* copyBatches(await lookup(name), options, settings.readerThread ?? false);
  }

  function readersFor(table: PgTable): number {
    // Only plain tables have ctids to split by; views and partitioned parents read whole.
    if (table.relkind !== "r") return 1;
    return settings.parallel;
  }

  async function readParts(name: string, options: ReadOptions): Promise<BatchSource[]> {
    const table = await lookup(name);
    const readers = readersFor(table);
    const whole = () => [copyBatches(table, options, settings.readerThread ?? false)];
    if (readers <= 1) return whole();
    const coordinator = await connect(table);
    const finish = async () => {
      await coordinator.query("COMMIT").catch(() => {});
      await release(coordinator);
    };
    let ranges: PageRange[];
    let id: string;
    try {
      await coordinator.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      const [row] = await coordinator.query<{ snapshot: string; pages: string }>(
        `SELECT pg_export_snapshot() AS snapshot,
           (pg_relation_size($1::regclass) / current_setting('block_size')::int)::text AS pages`,
        [qualifiedName(table)],
      );
      id = row.snapshot;
      ranges = splitPages(Number(row.pages), readers);
    } catch (error) {
      await finish();
      throw explainReadError(error, table.name, settings);
    }
    if (ranges.length === 1) {
      await finish();
      return whole();
    }
    let open = ranges.length;
    const snapshot: SharedSnapshot = {
      id,
      // The exporting transaction must stay open until every reader has imported it.
      release: async () => {
        if (--open === 0) await finish();
      },
    };
    ctx.log.debug("parallel read", { table: name, readers: ranges.length });
    const threaded = settings.readerThread ?? false;
    return ranges.map((range) => copyBatches(table, options, threaded, range, snapshot));
  }

  return {
    capabilities: CAPABILITIES,
    async discover(): Promise<TableInfo[]> {
      return [...(await tables()).values()].map((table) => ({
        name: table.name,
        schema: schemaOf(ctx.arrow, table.columns),
        capabilities: Cap.DISCOVER | Cap.READ,
        primaryKey: table.primaryKey,
        description: table.description,
        cursorField: table.cursorField,
      }));
    },
    read,
    readParts,
    remote(): RemoteAttachInfo {
      return {
        extension: "postgres",
        url: libpqConnectionString(settings),
        tokenEnv: "PGPASSWORD",
      };
    },
    async check() {
      await withSession((sql) => sql.query("SELECT 1"));
    },
    async close() {
      thread?.stop();
      const closing = [...sessions];
      sessions.clear();
      await Promise.all(closing.map((sql) => sql.end()));
    },
  };
};

export default postgresConnector;

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
  /**
   * A session whose work succeeded, kept for the next one: discovery's session reads the table
   * (or coordinates its parallel read) instead of a new connection, whose TLS handshake, SCRAM
   * exchange and server backend cost ~60 ms per extract (BENCHMARKS.md, session 11).
   */
  let idle: Session | undefined;
  let closed = false;

  /** A session tracked for close(): the kept one if it still answers, else a new one. */
  async function connect(table?: PgTable): Promise<Session> {
    const kept = await takeIdle();
    if (kept) return kept;
    try {
      const session = await openSession(settings);
      sessions.add(session);
      return session;
    } catch (error) {
      throw table ? explainReadError(error, table.name, settings) : explainError(error, settings);
    }
  }

  /**
   * The kept session after a round trip proves it alive. One the server ended meanwhile (idle
   * timeout, restart, pg_terminate_backend) is closed and never fails the read that wanted it.
   */
  async function takeIdle(): Promise<Session | undefined> {
    const session = idle;
    idle = undefined;
    if (!session) return undefined;
    try {
      await session.query("SELECT 1");
      return session;
    } catch {
      await release(session);
      return undefined;
    }
  }

  /** Keeps a session whose work ended cleanly (no transaction, no COPY running), or closes it. */
  async function keep(session: Session): Promise<void> {
    if (idle || closed) return await release(session);
    idle = session;
  }

  async function release(session: Session): Promise<void> {
    sessions.delete(session);
    await session.end();
  }

  async function withSession<T>(work: (sql: Session) => Promise<T>): Promise<T> {
    const sql = await connect();
    let result: T;
    try {
      result = await work(sql);
    } catch (error) {
      await release(sql);
      throw isExplained(error) ? error : explainError(error, settings);
    }
    await keep(sql);
    return result;
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
    let done = false;
    try {
      const reader = threaded ? readerThread() : undefined;
      ctx.log.debug("reading", { table: table.name, sql: read.statement, thread: !!reader });
      if (reader) {
        yield* reader.read(ctx.arrow, settings, read, schemaOf(ctx.arrow, plans));
        return;
      }
      sql = await connect(table);
      yield* readCopy(ctx.arrow, sql, read);
      done = true;
    } catch (error) {
      throw explainReadError(error, table.name, settings);
    } finally {
      // Only a read that ran to its end leaves the session clean: a stopped one may still be
      // receiving its COPY, a failed one may be lost.
      if (sql) await (done ? keep(sql) : release(sql));
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
      const committed = await coordinator.query("COMMIT").then(() => true, () => false);
      await (committed ? keep(coordinator) : release(coordinator));
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
      closed = true;
      idle = undefined;
      thread?.stop();
      const closing = [...sessions];
      sessions.clear();
      await Promise.all(closing.map((sql) => sql.end()));
    },
  };
};

export default postgresConnector;

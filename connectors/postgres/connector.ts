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
import { Cap, ConnectorError, InputError } from "../../mod.ts";
import { ColumnValueError, decodeBinaryCopy } from "./binary_copy.ts";
import { discoverTables, type PgTable } from "./catalog.ts";
import { arrowField, type ColumnPlan } from "./column_types.ts";
import { explainError, isExplained, openSession, type Session } from "./connection.ts";
import { createDecoder } from "./field_decoders.ts";
import { splitPages } from "./parallel.ts";
import { libpqConnectionString } from "./remote.ts";
import { copyStatement, type PageRange, projectColumns, qualifiedName } from "./select_sql.ts";
import { type ConnectionSettings, type PostgresConfig, resolveSettings } from "./settings.ts";

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
      throw table ? explainReadError(error, table, settings) : explainError(error, settings);
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

  function schemaOf(plans: ColumnPlan[]): Arrow.Schema {
    return new ctx.arrow.Schema(plans.map((plan) => arrowField(ctx.arrow, plan)));
  }

  /** Streams one COPY (the whole read, or one page range of it) as batches. */
  async function* copyBatches(
    table: PgTable,
    options: ReadOptions,
    range?: PageRange,
    snapshot?: SharedSnapshot,
  ): AsyncGenerator<Arrow.RecordBatch> {
    const plans = projectColumns(table, options.columns);
    const statement = copyStatement(table, plans, options, range);
    let sql: Session | undefined;
    try {
      sql = await connect(table);
      if (snapshot) {
        await sql.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        await sql.query(`SET TRANSACTION SNAPSHOT '${snapshot.id.replaceAll("'", "''")}'`);
      }
      ctx.log.debug("reading", { table: table.name, sql: statement });
      yield* decodeBinaryCopy(sql.copyOut(statement), {
        arrow: ctx.arrow,
        schema: schemaOf(plans),
        decoders: plans.map((plan) => createDecoder(ctx.arrow, plan)),
        batchSize: options.batchSize,
      });
      if (snapshot) await sql.query("COMMIT");
    } catch (error) {
      throw explainReadError(error, table, settings);
    } finally {
      if (sql) await release(sql);
      await snapshot?.release();
    }
  }

  async function* read(name: string, options: ReadOptions): AsyncGenerator<Arrow.RecordBatch> {
    yield* copyBatches(await lookup(name), options);
  }

  function readersFor(table: PgTable): number {
    // Only plain tables have ctids to split by; views and partitioned parents read whole.
    if (table.relkind !== "r") return 1;
    return settings.parallel;
  }

  async function readParts(name: string, options: ReadOptions): Promise<BatchSource[]> {
    const table = await lookup(name);
    const readers = readersFor(table);
    if (readers <= 1) return [copyBatches(table, options)];
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
      throw explainReadError(error, table, settings);
    }
    if (ranges.length === 1) {
      await finish();
      return [copyBatches(table, options)];
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
    return ranges.map((range) => copyBatches(table, options, range, snapshot));
  }

  return {
    capabilities: CAPABILITIES,
    async discover(): Promise<TableInfo[]> {
      return [...(await tables()).values()].map((table) => ({
        name: table.name,
        schema: schemaOf(table.columns),
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
      const closing = [...sessions];
      sessions.clear();
      await Promise.all(closing.map((sql) => sql.end()));
    },
  };
};

/** A read failure as a dvt error naming the table (and the column, for a value). */
function explainReadError(error: unknown, table: PgTable, settings: ConnectionSettings) {
  if (isExplained(error)) return error;
  if (error instanceof ColumnValueError) {
    // The data, not the configuration, is at fault: the table fails (exit 1), others land.
    return new ConnectorError(`table "${table.name}": ${error.message}`, {
      hint: `read the column through a view that casts it (e.g. to text or a wider numeric), ` +
        `or exclude it with a column list`,
    });
  }
  return explainError(error, settings, { table: table.name });
}

export default postgresConnector;

/**
 * The built-in `mysql` connector, for MySQL and MariaDB over mysql2: discovers the tables and
 * views of one database, reads them typed (see README.md for the mapping) with projection,
 * filter and incremental cursor pushed into SQL, streams rows in constant memory, splits large
 * tables over parallel readers (`readParts`: one Parquet part each), and tells DuckDB's mysql extension how to ATTACH the database.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import type { BatchSource, ConnectorFactory, ReadOptions, RemoteAttachInfo } from "../../mod.ts";
import { Cap, InputError } from "../../mod.ts";
import { BatchQueue } from "./batch_queue.ts";
import { type CatalogTable, discoverTables } from "./catalog.ts";
import { MysqlClient } from "./mysql_client.ts";
import { defaultReaders, splitRange } from "./parallel_ranges.ts";
import {
  type KeyRange,
  projectedPlans,
  quoteName,
  type SelectRequest,
  selectSql,
} from "./select_sql.ts";
import { type MysqlConfig, PASSWORD_ENV, resolveSettings } from "./settings.ts";
import { defaultReaderThread, ReaderThread } from "./worker_reader.ts";

const mysqlConnector: ConnectorFactory<MysqlConfig> = (ctx, config) => {
  const arrow = ctx.arrow;
  const settings = resolveSettings(ctx, config);
  let catalog: Promise<Map<string, CatalogTable>> | undefined;

  const tables = () =>
    catalog ??= (async () => {
      const client = await MysqlClient.connect(settings);
      try {
        return await discoverTables(arrow, client, settings.database, settings.mapping);
      } finally {
        await client.close();
      }
    })();

  async function lookup(name: string): Promise<CatalogTable> {
    const all = await tables();
    const found = all.get(name);
    if (!found) {
      throw new InputError(`unknown table "${name}" in database "${settings.database}"`, {
        hint: `tables: ${[...all.keys()].join(", ") || "(none)"}`,
      });
    }
    return found;
  }

  /** Key ranges for this read: one (everything) unless the table is split. */
  async function planRanges(table: CatalogTable, request: SelectRequest): Promise<KeyRange[]> {
    const key = table.info.primaryKey;
    const keyPlan = key?.length === 1 ? table.plans.find((p) => p.name === key[0]) : undefined;
    const integerKey = keyPlan && arrow.DataType.isInt(keyPlan.field.type);
    const readers = settings.parallel ??
      defaultReaders(table.estimatedRows, navigator.hardwareConcurrency);
    if (readers <= 1 || !integerKey) return [{ column: "" }];
    const client = await MysqlClient.connect(settings, table.info.name);
    try {
      const column = quoteName(keyPlan.name);
      const [bounds] = await client.query<{ lo: string | null; hi: string | null }>(
        `SELECT CAST(MIN(${column}) AS CHAR) AS lo, CAST(MAX(${column}) AS CHAR) AS hi FROM ${
          quoteName(settings.database)
        }.${quoteName(request.table)}`,
      );
      if (bounds.lo === null || bounds.hi === null) return [{ column: "" }];
      return splitRange(keyPlan.name, BigInt(bounds.lo), BigInt(bounds.hi), readers);
    } finally {
      await client.close();
    }
  }

  function selectRequest(name: string, table: CatalogTable, options: ReadOptions) {
    const request: SelectRequest = {
      database: settings.database,
      table: name,
      plans: table.plans,
      columns: options.columns,
      filter: options.filter,
      incrementalKey: options.incrementalKey,
      incrementalValue: options.incrementalValue,
    };
    const plans = projectedPlans(request);
    const schema = options.columns?.length
      ? new arrow.Schema(plans.map((p) => table.info.schema.fields.find((f) => f.name === p.name)!))
      : table.info.schema;
    return { request, plans, schema };
  }

  let thread: ReaderThread | undefined;
  /** The reader thread, started when a read needs it (it stops itself when no read uses it). */
  function readerThread(): ReaderThread | undefined {
    if (!thread?.running) thread = ReaderThread.start(() => (thread = undefined));
    return thread;
  }

  /** Whether a table's rows are decoded in the reader thread (see `reader_thread`). */
  function useReaderThread(table: CatalogTable): boolean {
    return settings.readerThread ??
      defaultReaderThread(table.estimatedRows, navigator.hardwareConcurrency);
  }

  /** Streams one SELECT (the whole table, or one key range) over its own connection. */
  async function* readRange(
    name: string,
    options: ReadOptions,
    range?: KeyRange,
  ): AsyncGenerator<Arrow.RecordBatch> {
    const table = await lookup(name);
    const { request, plans, schema } = selectRequest(name, table, options);
    const sql = selectSql(range ? { ...request, range } : request);
    const batchSize = Math.max(1, options.batchSize);
    const thread = useReaderThread(table) ? readerThread() : undefined;
    ctx.log.debug("mysql read", { table: name, sql, readerThread: thread !== undefined });
    if (thread) {
      const columns = plans.map((plan) => plan.info);
      yield* thread.read(arrow, { settings, sql, columns, batchSize, table: name }, schema);
      return;
    }
    const queue = new BatchQueue(1);
    const client = await MysqlClient.connect(settings, name);
    try {
      client.stream(arrow, sql, plans, schema, batchSize, queue, name);
      yield* queue.drain();
    } finally {
      client.destroy();
    }
  }

  /** Parallel readers over primary-key ranges; one source when not worth splitting. */
  async function readParts(name: string, options: ReadOptions): Promise<BatchSource[]> {
    const table = await lookup(name);
    const { request } = selectRequest(name, table, options);
    const ranges = await planRanges(table, request);
    return ranges.map((range) => readRange(name, options, range.column ? range : undefined));
  }

  return {
    capabilities: Cap.DISCOVER | Cap.READ | Cap.REMOTE,
    async discover() {
      return [...(await tables()).values()].map((table) => table.info);
    },
    read: (name: string, options: ReadOptions) => readRange(name, options),
    readParts,
    remote(): RemoteAttachInfo {
      // DuckDB's mysql extension takes a libpq-style key=value string and reads MYSQL_PWD itself.
      const parts = [
        `host=${settings.host}`,
        `port=${settings.port}`,
        `user=${settings.user}`,
        `database=${settings.database}`,
      ];
      return { extension: "mysql", url: parts.join(" "), tokenEnv: PASSWORD_ENV, alias: "mysql" };
    },
    async check() {
      await tables();
    },
    close() {
      catalog = undefined;
    },
  };
};

export default mysqlConnector;

/**
 * The built-in `files` connector: CSV, TSV, JSON, NDJSON and Parquet files by path or glob,
 * sniffed and read by an embedded DuckDB. `read()` yields Arrow batches (the portable path);
 * `scanSql()` gives the same SELECT to the runtime for DuckDB's native COPY to Parquet.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import type { ConnectorFactory, ReadOptions, TableInfo } from "../../mod.ts";
import { Cap, InputError } from "../../mod.ts";
import { BatchAssembler } from "./batch_assembler.ts";
import { completeRows } from "./complete_rows.ts";
import { refuseCollapsedHeader, refuseEmptyFiles } from "./dialect_checks.ts";
import { type ColumnPlan, fieldOf, planColumn, suggestCursor } from "./column_plan.ts";
import { explainReadError } from "./duckdb_errors.ts";
import { type FileTable, resolveFileTables } from "./file_sources.ts";
import { type CsvOptions, projectedColumns, readerCall, selectSql } from "./scan_sql.ts";

/** The files connector's config (see connector.yaml). */
export interface FilesConfig {
  paths?: string[] | string;
  tables?: Record<string, string>;
  base_dir?: string;
  delimiter?: string;
  header?: boolean;
  sample_size?: number;
  /** Publish an empty file as an empty table instead of refusing it. */
  allow_empty?: boolean;
  [key: string]: unknown;
}

/** DuckDB samples at least one row, or every row with -1; anything else is a mistake. */
function checkSampleSize(sampleSize: number | undefined): void {
  if (sampleSize === undefined || sampleSize === -1 || sampleSize >= 1) return;
  throw new InputError(
    `sample_size must be a number of rows (1 or more) or -1 for the whole file, found ${sampleSize}`,
    { hint: "e.g. --set sample_size=100000, or --set sample_size=-1 to read every row" },
  );
}

/** DuckDB's buffer pool for discovery and read(); beyond it, staged rows spill to disk. */
const READ_MEMORY_LIMIT = "256MB";

interface Discovered {
  table: FileTable;
  plans: ColumnPlan[];
  info: TableInfo;
}

const files: ConnectorFactory<FilesConfig> = (ctx, config) => {
  const arrow = ctx.arrow;
  checkSampleSize(config.sample_size);
  const baseDir = config.base_dir ?? Deno.cwd();
  const csv: CsvOptions = {
    delimiter: config.delimiter,
    header: config.header,
    sampleSize: config.sample_size,
  };
  let instance: Promise<DuckDBInstance> | undefined;
  let spillDir: string | undefined;
  let catalog: Promise<Map<string, Discovered>> | undefined;

  // read() stages each table in a DuckDB temp table (see complete_rows.ts); a bounded buffer
  // pool spills large ones to our own directory rather than to `.tmp` in the working directory.
  const database = () =>
    instance ??= (async () => {
      const { DuckDBInstance } = await import("@duckdb/node-api");
      spillDir = await Deno.makeTempDir({ prefix: "dvt-files-" });
      return DuckDBInstance.create(":memory:", {
        memory_limit: READ_MEMORY_LIMIT,
        temp_directory: spillDir,
      });
    })();

  async function withConnection<T>(work: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = await (await database()).connect();
    try {
      return await work(connection);
    } finally {
      connection.closeSync();
    }
  }

  async function describe(table: FileTable): Promise<Discovered> {
    await refuseEmptyFiles(table, config.allow_empty === true);
    const plans = await withConnection(async (connection) => {
      const result = await connection.run(`SELECT * FROM ${readerCall(table, csv)} LIMIT 0`);
      const names = result.columnNames();
      return result.columnTypes().map((type, i) => planColumn(arrow, names[i], type));
    }).catch((error) => {
      throw explainReadError(error, table);
    });
    refuseCollapsedHeader(table, plans.map((plan) => plan.name), csv.delimiter);
    const schema = new arrow.Schema(plans.map((plan) => fieldOf(arrow, plan.name, plan)));
    const info: TableInfo = {
      name: table.name,
      schema,
      capabilities: Cap.DISCOVER | Cap.READ,
      description: table.pattern,
      cursorField: suggestCursor(plans),
    };
    return { table, plans, info };
  }

  // Set once discovery finished, for explainScanError (which must answer synchronously).
  let discovered: Map<string, Discovered> | undefined;
  const tables = () =>
    catalog ??= (async () => {
      const found = new Map<string, Discovered>();
      for (const table of await resolveFileTables(config, baseDir)) {
        found.set(table.name, await describe(table));
      }
      return discovered = found;
    })();

  async function lookup(name: string): Promise<Discovered> {
    const all = await tables();
    const found = all.get(name);
    if (!found) {
      throw new InputError(`unknown table "${name}"`, {
        hint: `tables: ${[...all.keys()].join(", ")}`,
      });
    }
    return found;
  }

  async function* read(name: string, options: ReadOptions): AsyncGenerator<Arrow.RecordBatch> {
    const { table, plans, info } = await lookup(name);
    const selected = projectedColumns(name, plans, options.columns);
    const schema = options.columns?.length
      ? new arrow.Schema(selected.map((p) => info.schema.fields.find((f) => f.name === p.name)!))
      : info.schema;
    const sql = selectSql(table, plans, options, csv);
    const connection = await (await database()).connect();
    try {
      const assembler = new BatchAssembler(arrow, selected, schema);
      const batchSize = Math.max(1, options.batchSize);
      const chunks = completeRows(connection, sql, `table "${name}" (${table.pattern})`);
      while (true) {
        const next = await chunks.next().catch((error) => {
          throw explainReadError(error, table);
        });
        if (next.done) break;
        assembler.add(next.value);
        while (assembler.rows >= batchSize) yield assembler.take(batchSize);
      }
      if (assembler.rows > 0) yield assembler.take();
    } finally {
      connection.closeSync();
    }
  }

  return {
    capabilities: Cap.DISCOVER | Cap.READ,
    async discover() {
      return [...(await tables()).values()].map((entry) => entry.info);
    },
    read,
    async scanSql(name: string, options: ReadOptions) {
      const { table, plans } = await lookup(name);
      return selectSql(table, plans, options, csv);
    },
    explainScanError(name: string, error: unknown) {
      const found = discovered?.get(name);
      return found ? explainReadError(error, found.table) : error;
    },
    async check() {
      await tables();
    },
    async close() {
      const pending = instance;
      instance = undefined;
      if (pending) (await pending).closeSync();
      if (spillDir) await Deno.remove(spillDir, { recursive: true }).catch(() => {});
      spillDir = undefined;
    },
  };
};

export default files;

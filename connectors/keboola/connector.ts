/**
 * The built-in `keboola` connector: Keboola Storage tables through the Storage API. Discover
 * lists the buckets' tables (typed by their native-types definitions), read runs the
 * asynchronous sliced export and streams each CSV slice into Arrow batches (constant memory:
 * one batch of text at a time), remote tells DuckDB's keboola extension how to attach the
 * stack. Only `ctx.fetch` touches the network, so the same file runs sandboxed.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import type { ConnectorFactory, ReadOptions, TableInfo } from "../../mod.ts";
import { batchFromValues, Cap, ConnectorError, InputError, ValueParseError } from "../../mod.ts";
import { CsvColumns } from "./csv_columns.ts";
import { cursorPredicate } from "./cursor_filter.ts";
import { openSlice, slicesOf } from "./export_files.ts";
import { saveSlices, sliceSelect } from "./scan_sql.ts";
import { StorageApi, TOKEN_ENV } from "./storage_api.ts";
import { exportTable } from "./table_export.ts";
import { type KeboolaTable, tableInfoOf } from "./table_schema.ts";

/** The keboola connector's config (see connector.yaml). */
export interface KeboolaConfig {
  url?: string;
  buckets?: string[];
  file_storage_endpoint?: string;
  poll_interval_ms?: number;
  [key: string]: unknown;
}

interface Bucket {
  id: string;
}

const keboola: ConnectorFactory<KeboolaConfig> = (ctx, config) => {
  const arrow = ctx.arrow;
  const token = ctx.env(TOKEN_ENV);
  if (!token) {
    throw new InputError(`${TOKEN_ENV} is not set`, {
      hint: `export ${TOKEN_ENV}=<Storage API token of the project>`,
    });
  }
  if (!config.url) {
    throw new InputError("the keboola connector needs url, the stack's Storage API URL", {
      hint: "set url, e.g. --set url=https://connection.keboola.com",
    });
  }
  const api = new StorageApi(ctx, config.url, token);
  let catalog: Promise<Map<string, TableInfo>> | undefined;

  async function listTables(): Promise<Map<string, TableInfo>> {
    const buckets = await api.json<Bucket[]>("GET", "/v2/storage/buckets");
    const known = new Set(buckets.map((bucket) => bucket.id));
    const wanted = config.buckets ?? buckets.map((bucket) => bucket.id);
    const unknown = wanted.filter((id) => !known.has(id));
    if (unknown.length) {
      throw new InputError(
        `Keboola bucket ${unknown.join(", ")} does not exist or is not visible to the token`,
        {
          hint: `buckets the token can read: ${[...known].join(", ") || "(none)"}`,
        },
      );
    }
    const tables = new Map<string, TableInfo>();
    for (const bucket of wanted) {
      const listed = await api.json<KeboolaTable[]>(
        "GET",
        `/v2/storage/buckets/${encodeURIComponent(bucket)}/tables?include=columns,metadata`,
      );
      for (const table of listed) tables.set(table.id, tableInfoOf(arrow, table));
    }
    return tables;
  }

  const tables = () => catalog ??= listTables();

  async function tableInfo(id: string): Promise<TableInfo> {
    const known = (await tables()).get(id);
    if (known) return known;
    throw new InputError(`no Keboola table "${id}" in the configured buckets`, {
      hint: "table names are Storage table ids such as in.c-main.orders",
    });
  }

  /** What one read exports: the projection plus the cursor column it filters on. */
  async function planExport(id: string, options: ReadOptions) {
    const info = await tableInfo(id);
    const fields = new Map(info.schema.fields.map((field) => [field.name, field]));
    const wanted = options.columns ?? info.schema.fields.map((field) => field.name);
    const cursorKey = options.incrementalValue !== undefined ? options.incrementalKey : undefined;
    const exported = cursorKey && !wanted.includes(cursorKey) ? [...wanted, cursorKey] : wanted;
    for (const name of exported) {
      if (!fields.has(name)) throw new InputError(`Keboola table ${id} has no column "${name}"`);
    }
    const cursorType = cursorKey ? fields.get(cursorKey)!.type : undefined;
    const file = await exportTable(api, {
      tableId: id,
      columns: exported,
      // changedSince narrows the export; rows are filtered exactly afterwards.
      changedSince: cursorType && arrow.DataType.isTimestamp(cursorType)
        ? String(options.incrementalValue)
        : undefined,
      pollIntervalMs: config.poll_interval_ms ?? 1000,
    });
    return { fields, wanted, exported, cursorKey, cursorType, file };
  }

  async function* read(id: string, options: ReadOptions): AsyncGenerator<Arrow.RecordBatch> {
    const { fields, wanted, exported, cursorKey, cursorType, file } = await planExport(
      id,
      options,
    );
    const outSchema = new arrow.Schema(wanted.map((name) => fields.get(name)!));
    const keep = cursorKey
      ? cursorPredicate(arrow, cursorType!, options.incrementalValue!)
      : undefined;
    const cursorIndex = cursorKey ? exported.indexOf(cursorKey) : -1;
    const typed = exported.map((name) => !arrow.DataType.isUtf8(fields.get(name)!.type));
    let rowsOut = 0;

    const toBatch = (columns: string[][]): Arrow.RecordBatch | undefined => {
      let rows = columns.map((column, i) =>
        // Keboola's CSV has no NULL: an empty cell of a typed column is NULL.
        typed[i] ? column.map((cell) => cell === "" ? null : cell) : column
      );
      if (keep) {
        const mask = columns[cursorIndex].map(keep);
        rows = rows.map((column) => column.filter((_, row) => mask[row]));
      }
      if (!rows[0]?.length) return undefined;
      try {
        return batchFromValues(arrow, outSchema, rows.slice(0, wanted.length), rowsOut);
      } catch (error) {
        if (error instanceof ValueParseError) {
          throw new ConnectorError(`Keboola table ${id}: ${error.message}`, { cause: error });
        }
        throw error;
      } finally {
        rowsOut += rows[0].length;
      }
    };

    for (const slice of await slicesOf(ctx, file)) {
      const parser = new CsvColumns(exported.length, `Keboola table ${id}, slice ${slice.label}`);
      for await (const text of await openSlice(ctx, file, slice, config.file_storage_endpoint)) {
        parser.push(text);
        while (parser.rows >= options.batchSize) {
          const batch = toBatch(parser.take());
          if (batch) yield batch;
        }
      }
      parser.finish();
      if (parser.rows) {
        const batch = toBatch(parser.take());
        if (batch) yield batch;
      }
    }
  }

  const scratch: string[] = [];

  async function removeScratch(): Promise<void> {
    for (const dir of scratch.splice(0)) {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  }

  /** Native path: slices saved to disk for DuckDB (fails where files cannot be written). */
  async function scanSql(id: string, options: ReadOptions): Promise<string> {
    // Slices of the previous table's scan were copied to Parquet by now.
    await removeScratch();
    const dir = await Deno.makeTempDir({ prefix: "dvt-keboola-" });
    scratch.push(dir);
    const { fields, wanted, exported, cursorKey, file } = await planExport(id, options);
    const slices = await slicesOf(ctx, file);
    const files = await saveSlices(ctx, file, slices, dir, config.file_storage_endpoint);
    return sliceSelect(
      arrow,
      files,
      exported.map((name) => fields.get(name)!),
      wanted,
      cursorKey ? { column: cursorKey, after: options.incrementalValue! } : undefined,
    );
  }

  return {
    capabilities: Cap.DISCOVER | Cap.READ | Cap.REMOTE,
    discover: async () => [...(await tables()).values()],
    read,
    scanSql,
    close: removeScratch,
    remote: () => ({ extension: "keboola", url: api.url, tokenEnv: TOKEN_ENV, alias: "kbc" }),
  };
};

export default keboola;

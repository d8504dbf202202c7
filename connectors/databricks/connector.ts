/**
 * The built-in `databricks` connector: tables listed through Unity Catalog, read through the
 * SQL Statement Execution API on a SQL warehouse, as Arrow external links (default) or inline
 * JSON. Projection, filter and the incremental cursor are pushed into the SELECT as typed
 * parameters; `check()` tells a bad token from a bad warehouse. Only `ctx.fetch` touches the
 * network, so the same file runs sandboxed.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import type { ConnectorFactory, ReadOptions, TableInfo } from "../../mod.ts";
import { Cap, ConnectorError, createLimiter, InputError } from "../../mod.ts";
import { batchFromRows, conform, cut } from "./arrow_results.ts";
import { type CatalogColumn, columnField } from "./column_types.ts";
import { selectStatement } from "./select_sql.ts";
import { downloadLink, type ExternalLink, resultParts, runStatement } from "./statement.ts";
import { httpError, TOKEN_ENV, WorkspaceApi } from "./workspace_api.ts";

/** The databricks connector's config (see connector.yaml). */
export interface DatabricksConfig {
  workspace_url?: string;
  warehouse_id?: string;
  catalog?: string;
  schema?: string;
  batch_size?: number;
  result_format?: "arrow_stream" | "json_array";
  poll_interval_ms?: number;
  [key: string]: unknown;
}

interface CatalogTable {
  name: string;
  catalog_name: string;
  schema_name: string;
  full_name?: string;
  comment?: string;
  columns?: CatalogColumn[];
  table_constraints?: { primary_key_constraint?: { child_columns: string[] } }[];
}

function required(config: DatabricksConfig, key: "workspace_url" | "warehouse_id"): string {
  const value = config[key];
  if (!value) {
    throw new InputError(`the databricks connector needs ${key}`, {
      hint: key === "workspace_url"
        ? "set workspace_url, e.g. --set workspace_url=https://dbc-1234.cloud.databricks.com"
        : "set warehouse_id (SQL Warehouses -> Connection details)",
    });
  }
  return value;
}

const databricks: ConnectorFactory<DatabricksConfig> = (ctx, config) => {
  const arrow = ctx.arrow;
  const token = ctx.env(TOKEN_ENV);
  if (!token) {
    throw new InputError(`${TOKEN_ENV} is not set`, {
      hint: `export ${TOKEN_ENV}=<personal access token of the workspace>`,
    });
  }
  const api = new WorkspaceApi(ctx, required(config, "workspace_url"), token);
  const warehouseId = required(config, "warehouse_id");
  const resultFormat = config.result_format ?? "arrow_stream";
  let catalog: Promise<Map<string, { info: TableInfo; path: string[] }>> | undefined;
  /** Unity Catalog listings in flight at once (ctx.fetch backs off if the workspace says 429). */
  const listing = createLimiter(8);

  async function pages<T>(path: string, key: string): Promise<T[]> {
    const items: T[] = [];
    let token: string | undefined;
    do {
      const separator = path.includes("?") ? "&" : "?";
      const url = token ? `${path}${separator}page_token=${encodeURIComponent(token)}` : path;
      const page = await api.json<Record<string, unknown>>("GET", url);
      items.push(...(page[key] as T[] | undefined ?? []));
      token = (page.next_page_token as string | undefined) || undefined;
    } while (token);
    return items;
  }

  function tableInfo(table: CatalogTable): TableInfo {
    const columns = [...(table.columns ?? [])].sort((a, b) =>
      (a.position ?? 0) - (b.position ?? 0)
    );
    const fields = columns.map((column) => columnField(arrow, column));
    const primaryKey = table.table_constraints?.find((c) => c.primary_key_constraint)
      ?.primary_key_constraint?.child_columns;
    const temporal = fields.filter((f) => arrow.DataType.isTimestamp(f.type));
    return {
      name: table.full_name ?? `${table.catalog_name}.${table.schema_name}.${table.name}`,
      schema: new arrow.Schema(fields),
      capabilities: Cap.DISCOVER | Cap.READ,
      primaryKey: primaryKey?.length ? primaryKey : undefined,
      description: table.comment ||
        `Databricks table ${table.catalog_name}.${table.schema_name}.${table.name}`,
      cursorField: (temporal.find((f) => /updated|modified|changed/i.test(f.name)) ?? temporal[0])
        ?.name,
    };
  }

  async function listTables() {
    const catalogs = config.catalog
      ? [config.catalog]
      : (await pages<{ name: string }>("/api/2.1/unity-catalog/catalogs", "catalogs")).map((c) =>
        c.name
      );
    const tables = new Map<string, { info: TableInfo; path: string[] }>();
    for (const catalogName of catalogs) {
      const schemas = config.schema ? [config.schema] : (await pages<{ name: string }>(
        `/api/2.1/unity-catalog/schemas?catalog_name=${encodeURIComponent(catalogName)}`,
        "schemas",
      )).map((s) => s.name).filter((name) => name !== "information_schema");
      // One listing per schema, several at a time: against a workspace each is a round trip
      // of 0.1-0.3 s, so a catalog of 40 schemas took seconds listed one after another.
      // Promise.all keeps schema order, so tables are listed as before.
      const listings = await Promise.all(
        schemas.map((schemaName) =>
          listing(() =>
            pages<CatalogTable>(
              `/api/2.1/unity-catalog/tables?catalog_name=${
                encodeURIComponent(catalogName)
              }&schema_name=${encodeURIComponent(schemaName)}&max_results=50`,
              "tables",
            )
          )
        ),
      );
      for (const table of listings.flat()) {
        const info = tableInfo(table);
        tables.set(info.name, {
          info,
          path: [table.catalog_name, table.schema_name, table.name],
        });
      }
    }
    return tables;
  }

  const tables = () => catalog ??= listTables();

  async function* read(name: string, options: ReadOptions): AsyncGenerator<Arrow.RecordBatch> {
    const found = (await tables()).get(name);
    if (!found) {
      throw new InputError(`no Databricks table "${name}" in the configured catalog and schema`, {
        hint: "table names are full names such as main.sales.orders",
      });
    }
    const { info, path } = found;
    const columns = options.columns ?? info.schema.fields.map((field) => field.name);
    const byName = new Map(info.schema.fields.map((field) => [field.name, field]));
    const schema = new arrow.Schema(columns.map((column) => {
      const field = byName.get(column);
      if (!field) throw new InputError(`Databricks table ${name} has no column "${column}"`);
      return field;
    }));
    const { sql, parameters } = selectStatement(arrow, {
      table: path,
      schema: info.schema,
      columns,
      filter: options.filter,
      cursor: options.incrementalKey && options.incrementalValue !== undefined
        ? { column: options.incrementalKey, after: options.incrementalValue }
        : undefined,
    });
    const batchSize = config.batch_size ?? options.batchSize;
    const label = `Databricks table ${name}`;
    if (resultFormat === "arrow_stream") ctx.expectDownloads();
    const { statementId, first, totalRows } = await runStatement(api, {
      statement: sql,
      warehouseId,
      parameters,
      resultFormat,
      pollIntervalMs: config.poll_interval_ms ?? 500,
      label: name,
    });
    const pending: (string | null)[][] = [];
    let rowOffset = 0;
    let received = 0;
    // Presigned URLs carry their own credential: no Authorization header may be sent.
    const download = (link: ExternalLink) => downloadLink(api, ctx.download, statementId, link);
    for await (const part of resultParts(api, first, download)) {
      if ("rows" in part) {
        pending.push(...part.rows);
        received += part.rows.length;
        while (pending.length >= batchSize) {
          yield batchFromRows(arrow, schema, pending.splice(0, batchSize), rowOffset, label);
          rowOffset += batchSize;
        }
        continue;
      }
      for (const batch of arrow.tableFromIPC(part.ipc).batches) {
        received += batch.numRows;
        yield* cut(conform(arrow, batch, schema, label), batchSize);
      }
    }
    if (pending.length) yield batchFromRows(arrow, schema, pending, rowOffset, label);
    // A chain of chunks that ends early looks like the end of the data: only the manifest's row
    // count tells a complete result from one cut short, so the table fails unless they agree.
    if (totalRows !== undefined && received !== totalRows) {
      throw new ConnectorError(
        `Databricks statement ${statementId} reading ${name} delivered ${received} of the ${totalRows} rows its manifest announced`,
      );
    }
  }

  async function check(): Promise<void> {
    const me = await api.send("GET", "/api/2.0/preview/scim/v2/Me");
    if (!me.ok) throw await httpError("GET /api/2.0/preview/scim/v2/Me (token check)", me);
    await me.body?.cancel();
    const warehouse = await api.send(
      "GET",
      `/api/2.0/sql/warehouses/${encodeURIComponent(warehouseId)}`,
    );
    if (warehouse.status === 404 || warehouse.status === 400) {
      throw new InputError(
        `Databricks SQL warehouse "${warehouseId}" does not exist in this workspace`,
        {
          cause: new Error(await warehouse.text().catch(() => "")),
          hint: "set warehouse_id to the id shown under SQL Warehouses -> Connection details",
        },
      );
    }
    if (!warehouse.ok) throw await httpError("GET /api/2.0/sql/warehouses/{id}", warehouse);
    const state = (await warehouse.json() as { state?: string }).state;
    if (state === "DELETED" || state === "DELETING") {
      throw new ConnectorError(`Databricks SQL warehouse "${warehouseId}" is ${state}`, {
        hint: "pick a running or startable warehouse",
      });
    }
  }

  return {
    capabilities: Cap.DISCOVER | Cap.READ,
    discover: async () => [...(await tables()).values()].map((t) => t.info),
    read,
    check,
  };
};

export default databricks;

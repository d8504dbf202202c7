/**
 * The built-in `bigquery` connector: datasets and tables through the BigQuery REST API v2.
 * Discover lists datasets, tables and their schemas; read pages through `tabledata.list`
 * (projection by `selectedFields`) or, with a filter or incremental cursor (and for views),
 * through a query job with named parameters paged by `getQueryResults`; remote tells DuckDB's
 * bigquery extension how to attach the project. With `remote_only`, tables are listed in
 * `_meta` as remote without being read. Only `ctx.fetch` touches the network.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import type { ConnectorFactory, CursorValue, ReadOptions, TableInfo } from "../../mod.ts";
import { batchFromValues, Cap, ConnectorError, InputError, ValueParseError } from "../../mod.ts";
import { BigQueryApi } from "./bigquery_api.ts";
import { arrowField, type BqCell, type BqField, decodeCell } from "./field_types.ts";
import { googleAccessToken } from "./google_auth.ts";

/** The bigquery connector's config (see connector.yaml). */
export interface BigQueryConfig {
  project_id?: string;
  datasets?: string[];
  location?: string;
  api_url?: string;
  remote_only?: boolean;
  poll_interval_ms?: number;
  [key: string]: unknown;
}

interface BqTable {
  tableReference: { projectId: string; datasetId: string; tableId: string };
  type?: string;
  description?: string;
  schema?: { fields: BqField[] };
  tableConstraints?: { primaryKey?: { columns: string[] } };
}

interface Rows {
  rows?: { f: BqCell[] }[];
  pageToken?: string;
  totalRows?: string;
}

interface QueryResponse extends Rows {
  jobComplete: boolean;
  jobReference: { projectId: string; jobId: string; location?: string };
  schema?: { fields: BqField[] };
}

interface Known {
  info: TableInfo;
  table: BqTable;
  fields: BqField[];
}

const OPERATORS: Record<string, string> = {
  "=": "=",
  "!=": "!=",
  "<": "<",
  "<=": "<=",
  ">": ">",
  ">=": ">=",
};

function quoteName(name: string): string {
  return `\`${name.replaceAll("\\", "\\\\").replaceAll("`", "\\`")}\``;
}

function parameterType(field: BqField): string {
  const type = field.type.toUpperCase();
  return ({ INTEGER: "INT64", FLOAT: "FLOAT64", BOOLEAN: "BOOL" } as Record<string, string>)[
    type
  ] ?? type;
}

const bigquery: ConnectorFactory<BigQueryConfig> = (ctx, config) => {
  const arrow = ctx.arrow;
  const project = config.project_id;
  if (!project) {
    throw new InputError("the bigquery connector needs project_id", {
      hint: "set project_id, e.g. --set project_id=my-gcp-project",
    });
  }
  const api = new BigQueryApi(
    ctx,
    config.api_url ?? "https://bigquery.googleapis.com",
    googleAccessToken(ctx),
  );
  const base = `/projects/${encodeURIComponent(project)}`;
  let catalog: Promise<Map<string, Known>> | undefined;

  async function pages<T>(path: string, key: string): Promise<T[]> {
    const items: T[] = [];
    let token: string | undefined;
    do {
      const separator = path.includes("?") ? "&" : "?";
      const page = await api.json<Record<string, unknown>>(
        "GET",
        token ? `${path}${separator}pageToken=${encodeURIComponent(token)}` : path,
      );
      items.push(...(page[key] as T[] | undefined ?? []));
      token = page.nextPageToken as string | undefined;
    } while (token);
    return items;
  }

  async function listTables(): Promise<Map<string, Known>> {
    const datasets = config.datasets ??
      (await pages<{ datasetReference: { datasetId: string } }>(`${base}/datasets`, "datasets"))
        .map((d) => d.datasetReference.datasetId);
    const tables = new Map<string, Known>();
    for (const dataset of datasets) {
      const listed = await pages<BqTable>(
        `${base}/datasets/${encodeURIComponent(dataset)}/tables`,
        "tables",
      );
      for (const entry of listed) {
        const id = entry.tableReference.tableId;
        const table = await api.json<BqTable>(
          "GET",
          `${base}/datasets/${encodeURIComponent(dataset)}/tables/${encodeURIComponent(id)}`,
        );
        const fields = table.schema?.fields ?? [];
        const schema = new arrow.Schema(fields.map((field) => arrowField(arrow, field)));
        const temporal = schema.fields.filter((f) => arrow.DataType.isTimestamp(f.type));
        const name = `${dataset}.${id}`;
        tables.set(name, {
          table: { ...table, type: table.type ?? entry.type },
          fields,
          info: {
            name,
            schema,
            capabilities: config.remote_only ? Cap.REMOTE : Cap.READ | Cap.REMOTE,
            primaryKey: table.tableConstraints?.primaryKey?.columns,
            description: table.description ||
              `BigQuery ${table.type ?? entry.type ?? "table"} ${project}.${name}`,
            cursorField: (temporal.find((f) =>
              /updated|modified|changed/i.test(f.name)
            ) ?? temporal[0])?.name,
          },
        });
      }
    }
    return tables;
  }

  const tables = () => catalog ??= listTables();

  function querySql(known: Known, columns: string[], options: ReadOptions) {
    const byName = new Map(known.fields.map((f) => [f.name, f]));
    const parameters: unknown[] = [];
    const bind = (column: string, value: CursorValue | null) => {
      const name = `p${parameters.length}`;
      parameters.push({
        name,
        parameterType: { type: parameterType(byName.get(column)!) },
        parameterValue: { value: value === null ? null : String(value) },
      });
      return `@${name}`;
    };
    const conditions: string[] = [];
    for (const [column, operators] of Object.entries(options.filter ?? {})) {
      if (!byName.has(column)) {
        throw new InputError(`BigQuery table ${known.info.name} has no column "${column}"`);
      }
      for (const [operator, value] of Object.entries(operators ?? {})) {
        if (operator === "in") {
          const values = (Array.isArray(value) ? value : [value]) as CursorValue[];
          conditions.push(
            `${quoteName(column)} IN (${values.map((v) => bind(column, v)).join(", ")})`,
          );
        } else if (value === null) {
          conditions.push(`${quoteName(column)} IS ${operator === "!=" ? "NOT " : ""}NULL`);
        } else {
          conditions.push(
            `${quoteName(column)} ${OPERATORS[operator]} ${bind(column, value as CursorValue)}`,
          );
        }
      }
    }
    if (options.incrementalKey && options.incrementalValue !== undefined) {
      conditions.push(
        `${quoteName(options.incrementalKey)} > ${
          bind(options.incrementalKey, options.incrementalValue)
        }`,
      );
    }
    const { projectId, datasetId, tableId } = known.table.tableReference;
    const sql =
      `SELECT ${columns.map(quoteName).join(", ")} FROM ${
        quoteName(`${projectId}.${datasetId}.${tableId}`)
      }` +
      (conditions.length ? ` WHERE ${conditions.join(" AND ")}` : "");
    return { sql, parameters };
  }

  /** Pages of rows from a query job: jobs.query, then getQueryResults until done and paged. */
  async function* queryPages(
    sql: string,
    parameters: unknown[],
    batchSize: number,
  ): AsyncGenerator<Rows> {
    const timeoutMs = config.poll_interval_ms ?? 1000;
    let response = await api.json<QueryResponse>("POST", `${base}/queries`, {
      query: sql,
      useLegacySql: false,
      parameterMode: "NAMED",
      queryParameters: parameters,
      maxResults: batchSize,
      timeoutMs,
      location: config.location,
      formatOptions: { useInt64Timestamp: true },
    });
    const job = response.jobReference;
    const resultsPath = (pageToken?: string) => {
      const query = new URLSearchParams({
        maxResults: String(batchSize),
        timeoutMs: String(timeoutMs),
        "formatOptions.useInt64Timestamp": "true",
      });
      if (job.location) query.set("location", job.location);
      if (pageToken) query.set("pageToken", pageToken);
      return `${base}/queries/${encodeURIComponent(job.jobId)}?${query}`;
    };
    while (!response.jobComplete) response = await api.json<QueryResponse>("GET", resultsPath());
    yield response;
    while (response.pageToken) {
      response = await api.json<QueryResponse>("GET", resultsPath(response.pageToken));
      yield response;
    }
  }

  /** Pages of rows from tabledata.list (fields in table order). */
  async function* tablePages(
    known: Known,
    columns: string[],
    batchSize: number,
  ): AsyncGenerator<Rows> {
    const { datasetId, tableId } = known.table.tableReference;
    let pageToken: string | undefined;
    do {
      const query = new URLSearchParams({
        maxResults: String(batchSize),
        selectedFields: columns.join(","),
        "formatOptions.useInt64Timestamp": "true",
      });
      if (pageToken) query.set("pageToken", pageToken);
      const page = await api.json<Rows>(
        "GET",
        `${base}/datasets/${encodeURIComponent(datasetId)}/tables/${
          encodeURIComponent(tableId)
        }/data?${query}`,
      );
      yield page;
      pageToken = page.pageToken;
    } while (pageToken);
  }

  async function* read(name: string, options: ReadOptions): AsyncGenerator<Arrow.RecordBatch> {
    if (config.remote_only) {
      throw new InputError(`BigQuery table ${name} is remote-only (remote_only: true)`, {
        hint: "query it through _remote_attach, or set remote_only: false to extract it",
      });
    }
    const known = (await tables()).get(name);
    if (!known) {
      throw new InputError(`no BigQuery table "${name}" in the configured datasets`, {
        hint: "table names are dataset.table, e.g. analytics.events",
      });
    }
    const byName = new Map(known.fields.map((f) => [f.name, f]));
    const columns = options.columns ?? known.fields.map((f) => f.name);
    for (const column of columns) {
      if (!byName.has(column)) {
        throw new InputError(`BigQuery table ${name} has no column "${column}"`);
      }
    }
    const schema = new arrow.Schema(columns.map((c) => arrowField(arrow, byName.get(c)!)));
    const useQuery = options.filter !== undefined || options.incrementalValue !== undefined ||
      (known.table.type ?? "TABLE") !== "TABLE";
    // Rows come in SELECT order from a query, in table order from tabledata.list.
    const sent = useQuery
      ? columns
      : known.fields.map((f) => f.name).filter((c) => columns.includes(c));
    const order = columns.map((c) => sent.indexOf(c));
    const fields = sent.map((c) => byName.get(c)!);
    const source = useQuery
      ? queryPages(
        ...Object.values(querySql(known, columns, options)) as [string, unknown[]],
        options.batchSize,
      )
      : tablePages(known, columns, options.batchSize);
    let rowOffset = 0;
    let announced: string | undefined;
    for await (const page of source) {
      announced = page.totalRows ?? announced;
      const rows = page.rows ?? [];
      if (!rows.length) continue;
      const decoded = fields.map((field, i) => rows.map((row) => decodeCell(field, row.f[i]?.v)));
      try {
        yield batchFromValues(arrow, schema, order.map((i) => decoded[i]), rowOffset);
      } catch (error) {
        if (error instanceof ValueParseError) {
          throw new ConnectorError(`BigQuery table ${name}: ${error.message}`, { cause: error });
        }
        throw error;
      }
      rowOffset += rows.length;
    }
    // A query's result is fixed, so its totalRows is exact: paging that ends short of it is a cut
    // result, not the end of the data. (tabledata.list's totalRows follows a table that may still
    // be receiving streamed rows, so it is not compared.)
    if (useQuery && announced !== undefined && rowOffset !== Number(announced)) {
      throw new ConnectorError(
        `BigQuery query reading ${name} delivered ${rowOffset} of the ${announced} rows it announced`,
      );
    }
  }

  return {
    capabilities: Cap.DISCOVER | Cap.READ | Cap.REMOTE,
    discover: async () => [...(await tables()).values()].map((known) => known.info),
    read,
    // DuckDB's bigquery extension: ATTACH 'project=<id>' AS bq (TYPE bigquery, READ_ONLY);
    // it authenticates through GOOGLE_APPLICATION_CREDENTIALS itself, so no token env.
    remote: () => ({ extension: "bigquery", url: `project=${project}`, tokenEnv: "", alias: "bq" }),
  };
};

export default bigquery;

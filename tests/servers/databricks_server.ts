/**
 * A local Databricks workspace on 127.0.0.1 speaking the documented REST wire format, shared by
 * the databricks connector's tests and bench/api_connectors.ts:
 * - Unity Catalog: `GET /api/2.1/unity-catalog/catalogs`, `.../schemas?catalog_name=`,
 *   `.../tables?catalog_name=&schema_name=&max_results=&page_token=` (`next_page_token`), each
 *   table with `columns[].{name, type_text, type_name, type_json, position, nullable}` and
 *   `table_constraints[].primary_key_constraint.child_columns`;
 * - `GET /api/2.0/preview/scim/v2/Me`, `GET /api/2.0/sql/warehouses/{id}`;
 * - SQL Statement Execution: `POST /api/2.0/sql/statements` (statement, warehouse_id,
 *   parameters, disposition, format, wait_timeout) answering PENDING, polls through RUNNING to
 *   SUCCEEDED or FAILED (`status.error`), a `manifest` (format, schema, chunks,
 *   total_chunk_count), and `result` chunks with `next_chunk_index`/`next_chunk_internal_link`:
 *   INLINE + JSON_ARRAY (`data_array` of strings) or EXTERNAL_LINKS + ARROW_STREAM
 *   (`external_links[].{external_link, expiration}`: presigned URLs that refuse an
 *   Authorization header, as cloud storage does; `failLink` makes one fail as S3 does);
 *   `GET .../result/chunks/{i}`.
 * Errors are `{"error_code", "message"}` with Databricks' status codes.
 * It evaluates exactly the SELECT form the connector sends (projection, AND-ed comparisons with
 * typed `:name` parameters); anything else FAILs as a real warehouse would on a bad statement.
 *
 * @module
 */
import * as arrow from "apache-arrow";
import { batchFromValues, parseTimestampMicros } from "../../runtime/connector/text_columns.ts";

/** One column: name and Spark type (`long`, `decimal(12,2)`, `timestamp`, nested JSON). */
export interface FakeColumn {
  name: string;
  /** Spark JSON type: a name or `{type: "array"|"struct"|"map", ...}`. */
  type: unknown;
  nullable?: boolean;
}

/** One fake table; row values are the JSON_ARRAY wire strings (null = NULL). */
export interface FakeTable {
  catalog: string;
  schema: string;
  name: string;
  comment?: string;
  primaryKey?: string[];
  columns: FakeColumn[];
  rows: (string | null)[][];
}

/** An injected fault for the next `times` matching requests. */
export interface Fault {
  method: string;
  path: string;
  status: number;
  times: number;
  retryAfter?: string;
}

/** Options of {@linkcode startDatabricksServer}. */
export interface DatabricksServerOptions {
  token: string;
  warehouseId: string;
  tables: FakeTable[];
  /** Rows per result chunk. */
  chunkRows?: number;
  /** Status polls answered PENDING/RUNNING before the terminal state. */
  pollsBeforeDone?: number;
  /**
   * Whether a statement finishes within the submitting call's `wait_timeout` (default 10s, 5-50s
   * or 0s for none): then the POST answers its terminal state with the first chunk, as
   * Databricks does. Otherwise (the default) it outlasts the wait: the POST answers PENDING, or
   * CANCELED under `on_wait_timeout: CANCEL`, and it is polled `pollsBeforeDone` times.
   */
  doneWithinWait?: boolean;
  /** Tables per Unity Catalog page at most (the request's max_results applies too). */
  pageSize?: number;
  /** Serve a repeated statement from the result built the first time (for benchmarks). */
  cacheResults?: boolean;
  /**
   * The body an external link answers with (default: the chunk's bytes from memory). Cloud
   * storage streams stored objects; a benchmark serves the files it saved instead, because a
   * `Response` of a Uint8Array copies it per request (27 ms of CPU per 6 MB chunk here, on the
   * cores the measured client uses; a file's stream: 9 ms).
   */
  linkBody?: (bytes: Uint8Array<ArrayBuffer>) => BodyInit | Promise<BodyInit>;
}

/** The running fake. */
export interface DatabricksServer extends AsyncDisposable {
  url: string;
  tables: FakeTable[];
  requests: {
    method: string;
    path: string;
    authorization: boolean;
    body?: Record<string, unknown>;
  }[];
  faults: Fault[];
  /** Full names removed right after a table listing showed them. */
  vanishAfterListing: Set<string>;
  /**
   * A broken intermediary: chunks from this index on name no next chunk, so the chain ends early
   * while the manifest still announces every row.
   */
  cutChunkChainAt?: number;
  /** IPC stream bytes of every chunk served by the last ARROW_STREAM statement. */
  lastArrowChunks: Uint8Array[];
  /** Cloud storage failing the presigned GET of one result chunk (every time it is asked). */
  failLink?: { chunk: number; fault: LinkFault };
}

/**
 * How cloud storage fails a presigned GET: `access_denied` answers 403 with S3's REST error
 * document (`application/xml`, `<Error><Code>AccessDenied</Code><Message>Request has
 * expired</Message>...`), as for an expired or revoked link; `cut` announces the chunk's
 * Content-Length and closes the connection after half of its bytes.
 */
export type LinkFault = "access_denied" | "cut";

/** S3's answer to a presigned GET whose link has expired (REST error response format). */
function accessDenied(): Response {
  const now = new Date();
  const expired = new Date(now.getTime() - 60_000);
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>AccessDenied</Code><Message>Request has expired</Message><X-Amz-Expires>900</X-Amz-Expires><Expires>${expired.toISOString()}</Expires><ServerTime>${now.toISOString()}</ServerTime><RequestId>9F6HMTTJ9GAFZGXV</RequestId><HostId>1rFWKULfFuMgh0W9PvaI5Oa9r7GJWad+DODI6z1MgasOGF5kJyI6j26spqzsLovZRhPPHXcCaUo=</HostId></Error>`;
  return new Response(xml, {
    status: 403,
    headers: { "content-type": "application/xml", "x-amz-request-id": "9F6HMTTJ9GAFZGXV" },
  });
}

/** A body that announces all of `bytes` and ends after half of them. */
function cutBody(bytes: Uint8Array): Response {
  const half = bytes.slice(0, Math.floor(bytes.length / 2));
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(half);
      controller.close();
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "application/vnd.apache.arrow.stream",
      "content-length": String(bytes.length),
    },
  });
}

function sparkTypeName(type: unknown): string {
  if (typeof type === "string") return type;
  const t = type as Record<string, unknown>;
  if (t.type === "array") return `array<${sparkTypeName(t.elementType)}>`;
  if (t.type === "map") return `map<${sparkTypeName(t.keyType)},${sparkTypeName(t.valueType)}>`;
  const fields = t.fields as { name: string; type: unknown }[];
  return `struct<${fields.map((f) => `${f.name}:${sparkTypeName(f.type)}`).join(",")}>`;
}

/** Arrow type of a Spark type as Databricks' ARROW_STREAM results carry it. */
function wireArrowType(type: unknown): arrow.DataType {
  if (typeof type === "string") {
    const decimal = /^decimal\((\d+),(\d+)\)$/.exec(type);
    if (decimal) return new arrow.Decimal(Number(decimal[2]), Number(decimal[1]), 128);
    const simple: Record<string, () => arrow.DataType> = {
      boolean: () => new arrow.Bool(),
      integer: () => new arrow.Int32(),
      long: () => new arrow.Int64(),
      double: () => new arrow.Float64(),
      date: () => new arrow.DateDay(),
      // Databricks labels instants with the session time zone.
      timestamp: () => new arrow.TimestampMicrosecond("Etc/UTC"),
      timestamp_ntz: () => new arrow.TimestampMicrosecond(),
      string: () => new arrow.Utf8(),
      binary: () => new arrow.Binary(),
    };
    return (simple[type] ?? simple.string)();
  }
  const t = type as Record<string, unknown>;
  if (t.type === "array") {
    return new arrow.List(new arrow.Field("element", wireArrowType(t.elementType), true));
  }
  if (t.type === "map") {
    return new arrow.Map_(
      new arrow.Field(
        "entries",
        // deno-lint-ignore no-explicit-any -- Map_'s key/value generics
        new arrow.Struct<any>([
          new arrow.Field("key", wireArrowType(t.keyType), false),
          new arrow.Field("value", wireArrowType(t.valueType), true),
        ]),
        false,
      ),
    );
  }
  const fields = t.fields as { name: string; type: unknown; nullable?: boolean }[];
  return new arrow.Struct(
    fields.map((f) => new arrow.Field(f.name, wireArrowType(f.type), f.nullable ?? true)),
  );
}

function fullName(table: FakeTable): string {
  return `${table.catalog}.${table.schema}.${table.name}`;
}

function error(status: number, code: string, message: string): Response {
  return Response.json({ error_code: code, message }, { status });
}

type Parameter = { name: string; value: string | null; type: string };

/** Compares a cell with a parameter by the parameter's SQL type. */
function compare(cell: string, parameter: Parameter): number {
  const value = parameter.value ?? "";
  if (/^TIMESTAMP|^DATE/.test(parameter.type)) {
    const a = parseTimestampMicros(cell)!;
    const b = parseTimestampMicros(value)!;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (/^(BIGINT|INT|DOUBLE|DECIMAL)/.test(parameter.type)) return Number(cell) - Number(value);
  return cell < value ? -1 : cell > value ? 1 : 0;
}

interface Statement {
  id: string;
  polls: number;
  canceled?: boolean;
  failure?: { error_code: string; message: string };
  columns: FakeColumn[];
  rows: (string | null)[][];
  format: "JSON_ARRAY" | "ARROW_STREAM";
  disposition: "INLINE" | "EXTERNAL_LINKS";
  arrowChunks?: Uint8Array<ArrayBuffer>[];
}

/** Starts the fake workspace; stop it with `await using`. */
export function startDatabricksServer(options: DatabricksServerOptions): DatabricksServer {
  const chunkRows = options.chunkRows ?? 1000;
  const pollsBeforeDone = options.pollsBeforeDone ?? 2;
  const pageSize = options.pageSize ?? 100;
  const statements = new Map<string, Statement>();
  const resultCache = new Map<
    string,
    Pick<Statement, "columns" | "rows" | "failure" | "arrowChunks">
  >();
  let nextId = 1;
  const state: DatabricksServer = {
    url: "",
    tables: options.tables,
    requests: [],
    faults: [],
    vanishAfterListing: new Set(),
    lastArrowChunks: [],
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };

  function evaluate(
    sql: string,
    parameters: Parameter[],
  ): Pick<Statement, "columns" | "rows" | "failure"> {
    const match = /^SELECT (.+?) FROM `([^`]+)`\.`([^`]+)`\.`([^`]+)`(?: WHERE (.+))?$/.exec(sql);
    if (!match) {
      return {
        columns: [],
        rows: [],
        failure: {
          error_code: "BAD_REQUEST",
          message: `[PARSE_SYNTAX_ERROR] Syntax error in: ${sql.slice(0, 80)}`,
        },
      };
    }
    const [, list, catalog, schema, name, where] = match;
    const table = state.tables.find((t) =>
      t.catalog === catalog && t.schema === schema && t.name === name
    );
    if (!table) {
      return {
        columns: [],
        rows: [],
        failure: {
          error_code: "BAD_REQUEST",
          message:
            `[TABLE_OR_VIEW_NOT_FOUND] The table or view \`${catalog}\`.\`${schema}\`.\`${name}\` cannot be found. SQLSTATE: 42P01`,
        },
      };
    }
    const names = list.split(", ").map((c) => c.replace(/^`|`$/g, "").replaceAll("``", "`"));
    const index = (column: string) => table.columns.findIndex((c) => c.name === column);
    const bad = names.find((n) => index(n) < 0);
    if (bad) {
      return {
        columns: [],
        rows: [],
        failure: { error_code: "BAD_REQUEST", message: `[UNRESOLVED_COLUMN] ${bad}` },
      };
    }
    const byName = new Map(parameters.map((p) => [p.name, p]));
    const conditions = (where ? where.split(" AND ") : []).map((condition) => {
      const m = /^`([^`]+)` (=|<>|<|<=|>|>=) :(\w+)$/.exec(condition);
      const inList = /^`([^`]+)` IN \((.+)\)$/.exec(condition);
      if (m) {
        const [, column, op, param] = m;
        const i = index(column);
        const p = byName.get(param)!;
        return (row: (string | null)[]) => {
          if (row[i] === null) return false;
          const c = compare(row[i]!, p);
          return {
            "=": c === 0,
            "<>": c !== 0,
            "<": c < 0,
            "<=": c <= 0,
            ">": c > 0,
            ">=": c >= 0,
          }[op]!;
        };
      }
      if (inList) {
        const i = index(inList[1]);
        const ps = inList[2].split(", ").map((x) => byName.get(x.slice(1))!);
        return (row: (string | null)[]) =>
          row[i] !== null && ps.some((p) => compare(row[i]!, p) === 0);
      }
      throw new Error(`fake warehouse cannot evaluate ${condition}`);
    });
    const rows = table.rows.filter((row) => conditions.every((keep) => keep(row)))
      .map((row) => names.map((n) => row[index(n)]));
    return { columns: names.map((n) => table.columns[index(n)]), rows };
  }

  function chunkCount(statement: Statement): number {
    return Math.max(1, Math.ceil(statement.rows.length / chunkRows));
  }

  function arrowChunks(statement: Statement): Uint8Array<ArrayBuffer>[] {
    if (statement.arrowChunks) return statement.arrowChunks;
    const schema = new arrow.Schema(
      statement.columns.map((c) =>
        new arrow.Field(c.name, wireArrowType(c.type), c.nullable ?? true)
      ),
    );
    const chunks: Uint8Array<ArrayBuffer>[] = [];
    for (let i = 0; i < chunkCount(statement); i++) {
      const rows = statement.rows.slice(i * chunkRows, (i + 1) * chunkRows);
      const columns = schema.fields.map((_, c) => rows.map((row) => row[c]));
      const batch = batchFromValues(arrow, schema, columns);
      chunks.push(arrow.tableToIPC(new arrow.Table([batch]), "stream") as Uint8Array<ArrayBuffer>);
    }
    statement.arrowChunks = chunks;
    state.lastArrowChunks = chunks;
    return chunks;
  }

  function chunk(statement: Statement, index: number) {
    const count = chunkCount(statement);
    const rows = statement.rows.slice(index * chunkRows, (index + 1) * chunkRows);
    const cut = state.cutChunkChainAt !== undefined && index >= state.cutChunkChainAt;
    const next = index + 1 < count && !cut
      ? {
        next_chunk_index: index + 1,
        next_chunk_internal_link: `/api/2.0/sql/statements/${statement.id}/result/chunks/${
          index + 1
        }`,
      }
      : {};
    const position = { chunk_index: index, row_offset: index * chunkRows, row_count: rows.length };
    if (statement.disposition === "INLINE") return { ...position, data_array: rows, ...next };
    const bytes = arrowChunks(statement)[index];
    return {
      external_links: [{
        ...position,
        byte_count: bytes.length,
        external_link:
          `${state.url}/storage/results/${statement.id}/${index}?X-Amz-Signature=presigned${index}`,
        expiration: new Date(Date.now() + 15 * 60_000).toISOString(),
        ...next,
      }],
    };
  }

  function statementResponse(statement: Statement) {
    if (statement.canceled) return { statement_id: statement.id, status: { state: "CANCELED" } };
    const done = statement.polls > pollsBeforeDone;
    if (!done) {
      return {
        statement_id: statement.id,
        status: { state: statement.polls === 0 ? "PENDING" : "RUNNING" },
      };
    }
    if (statement.failure) {
      return {
        statement_id: statement.id,
        status: { state: "FAILED", error: statement.failure, sql_state: "42P01" },
      };
    }
    const count = chunkCount(statement);
    return {
      statement_id: statement.id,
      status: { state: "SUCCEEDED" },
      manifest: {
        format: statement.format,
        schema: {
          column_count: statement.columns.length,
          columns: statement.columns.map((c, position) => ({
            name: c.name,
            type_text: sparkTypeName(c.type).toUpperCase(),
            type_name: sparkTypeName(c.type).replace(/[<(].*/, "").toUpperCase(),
            position,
          })),
        },
        total_chunk_count: count,
        chunks: Array.from({ length: count }, (_, i) => ({
          chunk_index: i,
          row_offset: i * chunkRows,
          row_count: statement.rows.slice(i * chunkRows, (i + 1) * chunkRows).length,
        })),
        total_row_count: statement.rows.length,
        truncated: false,
      },
      result: chunk(statement, 0),
    };
  }

  function tableResource(table: FakeTable) {
    return {
      name: table.name,
      catalog_name: table.catalog,
      schema_name: table.schema,
      full_name: fullName(table),
      table_type: "MANAGED",
      data_source_format: "DELTA",
      comment: table.comment,
      columns: table.columns.map((c, position) => ({
        name: c.name,
        type_text: sparkTypeName(c.type),
        type_name: sparkTypeName(c.type).replace(/[<(].*/, "").toUpperCase(),
        type_json: JSON.stringify({
          name: c.name,
          type: c.type,
          nullable: c.nullable ?? true,
          metadata: {},
        }),
        position,
        nullable: c.nullable ?? true,
      })),
      table_constraints: table.primaryKey
        ? [{
          primary_key_constraint: { name: `${table.name}_pk`, child_columns: table.primaryKey },
        }]
        : [],
    };
  }

  function paged<T>(items: T[], url: URL, key: string): Response {
    const max = Math.min(Number(url.searchParams.get("max_results") || pageSize), pageSize);
    const start = Number(url.searchParams.get("page_token") || 0);
    const page = items.slice(start, start + max);
    const next = start + max < items.length ? { next_page_token: String(start + max) } : {};
    return Response.json({ [key]: page, ...next });
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname;
    const method = request.method;
    const body = method === "POST" ? await request.json() as Record<string, unknown> : undefined;
    state.requests.push({
      method,
      path: path + url.search,
      authorization: request.headers.has("authorization"),
      body,
    });
    const fault = state.faults.find((f) =>
      f.method === method && path.startsWith(f.path) && f.times > 0
    );
    if (fault) {
      fault.times--;
      return Response.json(
        {
          error_code: fault.status === 429 ? "REQUEST_LIMIT_EXCEEDED" : "TEMPORARILY_UNAVAILABLE",
          message: "injected fault",
        },
        {
          status: fault.status,
          headers: fault.retryAfter ? { "Retry-After": fault.retryAfter } : {},
        },
      );
    }
    let m: RegExpExecArray | null;
    if ((m = /^\/storage\/results\/([^/]+)\/(\d+)$/.exec(path))) {
      if (request.headers.has("authorization")) {
        return new Response(
          "<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified</Message></Error>",
          { status: 400, headers: { "content-type": "application/xml" } },
        );
      }
      const statement = statements.get(m[1]);
      const bytes = statement ? arrowChunks(statement)[Number(m[2])] : undefined;
      if (!bytes) return new Response("<Error><Code>NoSuchKey</Code></Error>", { status: 404 });
      if (state.failLink?.chunk === Number(m[2])) {
        return state.failLink.fault === "access_denied" ? accessDenied() : cutBody(bytes);
      }
      return new Response(await (options.linkBody?.(bytes) ?? bytes), {
        headers: {
          "content-type": "application/vnd.apache.arrow.stream",
          "content-length": String(bytes.length),
        },
      });
    }
    if (!path.startsWith("/api/")) {
      return error(404, "ENDPOINT_NOT_FOUND", `No API found for '${method} ${path}'`);
    }
    const auth = request.headers.get("authorization");
    if (!auth) {
      return error(
        401,
        "UNAUTHENTICATED",
        "Credential was not sent or was of an unsupported type for this API.",
      );
    }
    if (auth !== `Bearer ${options.token}`) {
      return error(401, "UNAUTHENTICATED", "Invalid access token.");
    }
    if (method === "GET" && path === "/api/2.0/preview/scim/v2/Me") {
      return Response.json({ id: "42", userName: "analyst@example.com", active: true });
    }
    if (method === "GET" && (m = /^\/api\/2\.0\/sql\/warehouses\/([^/]+)$/.exec(path))) {
      if (m[1] !== options.warehouseId) {
        return error(404, "RESOURCE_DOES_NOT_EXIST", `Unable to find warehouse ${m[1]}`);
      }
      return Response.json({
        id: m[1],
        name: "Starter Warehouse",
        state: "RUNNING",
        cluster_size: "2X-Small",
      });
    }
    if (method === "GET" && path === "/api/2.1/unity-catalog/catalogs") {
      const names = [...new Set(state.tables.map((t) => t.catalog))];
      return paged(names.map((name) => ({ name, owner: "admin" })), url, "catalogs");
    }
    if (method === "GET" && path === "/api/2.1/unity-catalog/schemas") {
      const catalog = url.searchParams.get("catalog_name");
      const names = [
        ...new Set(state.tables.filter((t) => t.catalog === catalog).map((t) => t.schema)),
      ];
      return paged(
        [...names, "information_schema"].map((name) => ({
          name,
          catalog_name: catalog,
          full_name: `${catalog}.${name}`,
        })),
        url,
        "schemas",
      );
    }
    if (method === "GET" && path === "/api/2.1/unity-catalog/tables") {
      const catalog = url.searchParams.get("catalog_name");
      const schema = url.searchParams.get("schema_name");
      if (!catalog || !schema) {
        return error(400, "INVALID_PARAMETER_VALUE", "catalog_name and schema_name are required");
      }
      const listed = state.tables.filter((t) => t.catalog === catalog && t.schema === schema);
      const response = paged(listed.map(tableResource), url, "tables");
      if (!url.searchParams.has("page_token") || !(await response.clone().json()).next_page_token) {
        state.tables = state.tables.filter((t) => !state.vanishAfterListing.has(fullName(t)));
      }
      return response;
    }
    if (method === "POST" && path === "/api/2.0/sql/statements") {
      if (body!.warehouse_id !== options.warehouseId) {
        return error(
          404,
          "RESOURCE_DOES_NOT_EXIST",
          `Unable to find warehouse ${body!.warehouse_id}`,
        );
      }
      const disposition = (body!.disposition ?? "INLINE") as Statement["disposition"];
      const format = (body!.format ?? "JSON_ARRAY") as Statement["format"];
      if (disposition === "INLINE" && format !== "JSON_ARRAY") {
        return error(
          400,
          "INVALID_PARAMETER_VALUE",
          "Inline disposition only supports JSON_ARRAY format",
        );
      }
      const wait = /^(\d+)s$/.exec(String(body!.wait_timeout ?? "10s"));
      const waitSeconds = wait ? Number(wait[1]) : NaN;
      if (!(waitSeconds === 0 || (waitSeconds >= 5 && waitSeconds <= 50))) {
        return error(
          400,
          "INVALID_PARAMETER_VALUE",
          `wait_timeout must be 0s or between 5s and 50s, got ${body!.wait_timeout}`,
        );
      }
      const id = `01ef-${String(nextId++).padStart(4, "0")}-fake`;
      const key = JSON.stringify([body!.statement, body!.parameters ?? [], format]);
      const result = (options.cacheResults ? resultCache.get(key) : undefined) ??
        evaluate(String(body!.statement), (body!.parameters ?? []) as Parameter[]);
      const statement: Statement = { ...result, id, polls: 0, format, disposition };
      if (waitSeconds > 0) {
        // The call waited: the statement either finished meanwhile or outlasted the wait.
        if (options.doneWithinWait) statement.polls = pollsBeforeDone + 1;
        else if (body!.on_wait_timeout === "CANCEL") statement.canceled = true;
      }
      // Shares the built Arrow chunks with later identical statements.
      if (options.cacheResults) resultCache.set(key, statement);
      statements.set(id, statement);
      return Response.json(statementResponse(statement));
    }
    if (method === "GET" && (m = /^\/api\/2\.0\/sql\/statements\/([^/]+)$/.exec(path))) {
      const statement = statements.get(m[1]);
      if (!statement) return error(404, "RESOURCE_DOES_NOT_EXIST", `Statement ${m[1]} not found`);
      statement.polls++;
      return Response.json(statementResponse(statement));
    }
    if (
      method === "GET" &&
      (m = /^\/api\/2\.0\/sql\/statements\/([^/]+)\/result\/chunks\/(\d+)$/.exec(path))
    ) {
      const statement = statements.get(m[1]);
      if (!statement) return error(404, "RESOURCE_DOES_NOT_EXIST", `Statement ${m[1]} not found`);
      if (Number(m[2]) >= chunkCount(statement)) {
        return error(400, "INVALID_PARAMETER_VALUE", `chunk ${m[2]} out of range`);
      }
      return Response.json(chunk(statement, Number(m[2])));
    }
    return error(404, "ENDPOINT_NOT_FOUND", `No API found for '${method} ${path}'`);
  }

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handle);
  state.url = `http://127.0.0.1:${server.addr.port}`;
  return state;
}

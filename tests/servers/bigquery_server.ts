/**
 * A local BigQuery REST API v2 (and Google OAuth 2.0 token endpoint) on 127.0.0.1 speaking the
 * documented wire format, shared by the bigquery connector's tests:
 * - `POST /token` (grant_type jwt-bearer, RS256 assertion verified against the service
 *   account's public key; `aud` must be this token URI) -> `{access_token, expires_in}`;
 * - `GET /bigquery/v2/projects/{p}/datasets`, `.../datasets/{d}/tables` (`nextPageToken`),
 *   `.../tables/{t}` (schema fields with type, mode, nested fields, precision/scale),
 *   `.../tables/{t}/data` (tabledata.list: maxResults, pageToken, selectedFields,
 *   formatOptions.useInt64Timestamp) with rows as `{"f": [{"v": ...}]}`;
 * - `POST /bigquery/v2/projects/{p}/queries` (jobs.query with named parameters) answering
 *   `jobComplete: false` until polled through `GET .../queries/{jobId}` (getQueryResults),
 *   then pages of rows by `pageToken`.
 * Errors are Google's `{"error": {"code", "message", "errors", "status"}}`. Pages are capped at
 * `pageRows` rows whatever maxResults asks, as BigQuery caps pages by size.
 *
 * @module
 */
import { parseTimestampMicros } from "../../runtime/connector/text_columns.ts";

/** A BigQuery schema field. */
export interface FakeField {
  name: string;
  type: string;
  mode?: "NULLABLE" | "REQUIRED" | "REPEATED";
  fields?: FakeField[];
  precision?: string;
  scale?: string;
}

/** A row: column -> wire value (strings; arrays for REPEATED; objects for RECORD; TIMESTAMP as ISO text). */
export type FakeRow = Record<string, unknown>;

/** One fake table. */
export interface FakeTable {
  dataset: string;
  id: string;
  description?: string;
  primaryKey?: string[];
  fields: FakeField[];
  rows: FakeRow[];
}

/** An injected fault. */
export interface Fault {
  method: string;
  path: string;
  status: number;
  times: number;
  retryAfter?: string;
}

/** Options of {@linkcode startBigQueryServer}. */
export interface BigQueryServerOptions {
  project: string;
  tables: FakeTable[];
  /** The service account whose assertions the token endpoint accepts. */
  serviceAccount?: { clientEmail: string; publicKey: CryptoKey };
  /** Access tokens accepted without the JWT flow (GOOGLE_OAUTH_ACCESS_TOKEN). */
  staticTokens?: string[];
  pageRows?: number;
  /** getQueryResults polls answered jobComplete: false. */
  pollsBeforeComplete?: number;
}

/** The running fake. */
export interface BigQueryServer extends AsyncDisposable {
  url: string;
  tokenUri: string;
  tables: FakeTable[];
  requests: { method: string; path: string; body?: unknown }[];
  faults: Fault[];
  /** `dataset.table` ids deleted right after tables.get described them. */
  vanishAfterListing: Set<string>;
  /**
   * A broken intermediary: query result pages from this row on carry no pageToken, so paging ends
   * early while totalRows still counts every row.
   */
  cutQueryPagesAtRow?: number;
  /** Access tokens issued by the token endpoint. */
  issued: string[];
}

function googleError(code: number, status: string, message: string, reason: string): Response {
  return Response.json({
    error: { code, message, errors: [{ message, domain: "global", reason }], status },
  }, { status: code });
}

function base64urlDecode(text: string): Uint8Array<ArrayBuffer> {
  const padded = text.replace(/-/g, "+").replace(/_/g, "/").padEnd(
    Math.ceil(text.length / 4) * 4,
    "=",
  );
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

/** Encodes a value as BigQuery's `v`. */
function wire(field: FakeField, value: unknown, int64Timestamps: boolean, item = false): unknown {
  if (value === null || value === undefined) return null;
  if (field.mode === "REPEATED" && !item) {
    return (value as unknown[]).map((v) => ({ v: wire(field, v, int64Timestamps, true) }));
  }
  const type = field.type.toUpperCase();
  if (type === "RECORD" || type === "STRUCT") {
    const record = value as Record<string, unknown>;
    return {
      f: (field.fields ?? []).map((child) => ({
        v: wire(child, record[child.name], int64Timestamps),
      })),
    };
  }
  if (type === "TIMESTAMP") {
    const micros = parseTimestampMicros(String(value))!;
    return int64Timestamps ? micros.toString() : (Number(micros) / 1e6).toExponential();
  }
  return String(value);
}

function compare(field: FakeField, cell: unknown, value: string): number {
  const type = field.type.toUpperCase();
  if (["TIMESTAMP", "DATE", "DATETIME"].includes(type)) {
    const a = parseTimestampMicros(String(cell))!;
    const b = parseTimestampMicros(value)!;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (["INTEGER", "INT64", "FLOAT", "FLOAT64", "NUMERIC", "BIGNUMERIC"].includes(type)) {
    return Number(cell) - Number(value);
  }
  const text = String(cell);
  return text < value ? -1 : text > value ? 1 : 0;
}

interface Job {
  id: string;
  polls: number;
  fields: FakeField[];
  rows: FakeRow[];
}

/** Starts the fake; stop it with `await using`. */
export function startBigQueryServer(options: BigQueryServerOptions): BigQueryServer {
  const pageRows = options.pageRows ?? 1000;
  const pollsBeforeComplete = options.pollsBeforeComplete ?? 2;
  const accepted = new Set(options.staticTokens ?? []);
  const jobs = new Map<string, Job>();
  let nextId = 1;
  const state: BigQueryServer = {
    url: "",
    tokenUri: "",
    tables: options.tables,
    requests: [],
    faults: [],
    vanishAfterListing: new Set(),
    issued: [],
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
  const project = options.project;
  const find = (dataset: string, id: string) =>
    state.tables.find((t) => t.dataset === dataset && t.id === id);
  const notFound = (dataset: string, id: string) =>
    googleError(404, "NOT_FOUND", `Not found: Table ${project}:${dataset}.${id}`, "notFound");

  async function token(request: Request): Promise<Response> {
    const form = new URLSearchParams(await request.text());
    if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer") {
      return Response.json({
        error: "unsupported_grant_type",
        error_description: "Invalid grant_type",
      }, { status: 400 });
    }
    const [header, claims, signature] = (form.get("assertion") ?? "").split(".");
    const account = options.serviceAccount;
    const valid = account && signature && await crypto.subtle.verify(
      "RSASSA-PKCS1-v1_5",
      account.publicKey,
      base64urlDecode(signature),
      new TextEncoder().encode(`${header}.${claims}`),
    );
    if (!valid) {
      return Response.json(
        { error: "invalid_grant", error_description: "Invalid JWT Signature." },
        { status: 400 },
      );
    }
    const body = JSON.parse(new TextDecoder().decode(base64urlDecode(claims)));
    const now = Date.now() / 1000;
    if (
      body.iss !== account.clientEmail || body.aud !== state.tokenUri || !(body.exp > now) ||
      !body.scope
    ) {
      return Response.json({ error: "invalid_grant", error_description: "Invalid JWT: claims" }, {
        status: 400,
      });
    }
    const issued = `ya29.fake-access-token-${nextId++}-abcdefghijklmnop`;
    state.issued.push(issued);
    accepted.add(issued);
    return Response.json({ access_token: issued, expires_in: 3599, token_type: "Bearer" });
  }

  function page<T>(items: T[], url: URL) {
    const max = Math.min(Number(url.searchParams.get("maxResults") || pageRows), pageRows);
    const start = Number(
      url.searchParams.get("pageToken") ? atob(url.searchParams.get("pageToken")!) : 0,
    );
    const slice = items.slice(start, start + max);
    return { slice, next: start + max < items.length ? btoa(String(start + max)) : undefined };
  }

  function tableData(table: FakeTable, url: URL): Response {
    const selected = url.searchParams.get("selectedFields")?.split(",");
    const fields = table.fields.filter((f) => !selected || selected.includes(f.name));
    const int64 = url.searchParams.get("formatOptions.useInt64Timestamp") === "true";
    const { slice, next } = page(table.rows, url);
    return Response.json({
      kind: "bigquery#tableDataList",
      etag: "etag",
      totalRows: String(table.rows.length),
      ...(next ? { pageToken: next } : {}),
      rows: slice.map((row) => ({ f: fields.map((f) => ({ v: wire(f, row[f.name], int64) })) })),
    });
  }

  function evaluate(
    sql: string,
    parameters: { name: string; parameterValue: { value: string } }[],
  ): Job | Response {
    const match = /^SELECT (.+?) FROM `([^`]+)`(?: WHERE (.+))?$/.exec(sql);
    if (!match) {
      return googleError(
        400,
        "INVALID_ARGUMENT",
        `Syntax error: ${sql.slice(0, 60)}`,
        "invalidQuery",
      );
    }
    const [, list, path, where] = match;
    const [, dataset, id] = path.split(".");
    const table = find(dataset, id);
    if (!table) {
      return googleError(
        404,
        "NOT_FOUND",
        `Not found: Table ${project}:${dataset}.${id} was not found in location US`,
        "notFound",
      );
    }
    const names = list.split(", ").map((n) => n.slice(1, -1));
    const values = new Map(parameters.map((p) => [p.name, p.parameterValue.value]));
    const conditions = (where ? where.split(" AND ") : []).map((condition) => {
      const m = /^`([^`]+)` (=|!=|<|<=|>|>=) @(\w+)$/.exec(condition);
      if (!m) throw new Error(`fake BigQuery cannot evaluate ${condition}`);
      const field = table.fields.find((f) => f.name === m[1])!;
      const value = values.get(m[3])!;
      return (row: FakeRow) => {
        if (row[m[1]] === null || row[m[1]] === undefined) return false;
        const c = compare(field, row[m[1]], value);
        return {
          "=": c === 0,
          "!=": c !== 0,
          "<": c < 0,
          "<=": c <= 0,
          ">": c > 0,
          ">=": c >= 0,
        }[m[2]]!;
      };
    });
    const fields = names.map((n) => table.fields.find((f) => f.name === n)!);
    return {
      id: `job_${nextId++}`,
      polls: 0,
      fields,
      rows: table.rows.filter((row) => conditions.every((keep) => keep(row))),
    };
  }

  function queryResults(job: Job, url: URL, kind: string): Response {
    const jobReference = { projectId: project, jobId: job.id, location: "US" };
    if (job.polls <= pollsBeforeComplete) {
      return Response.json({ kind, jobReference, jobComplete: false });
    }
    const int64 = url.searchParams.get("formatOptions.useInt64Timestamp") === "true";
    const { slice, next } = page(job.rows, url);
    const offset = job.rows.indexOf(slice[0]);
    const cut = state.cutQueryPagesAtRow !== undefined &&
      offset + slice.length >= state.cutQueryPagesAtRow;
    return Response.json({
      kind,
      schema: { fields: job.fields },
      jobReference,
      totalRows: String(job.rows.length),
      ...(next && !cut ? { pageToken: next } : {}),
      rows: slice.map((row) => ({
        f: job.fields.map((f) => ({ v: wire(f, row[f.name], int64) })),
      })),
      jobComplete: true,
      cacheHit: false,
    });
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = decodeURIComponent(url.pathname);
    const method = request.method;
    if (path === "/token" && method === "POST") {
      state.requests.push({ method, path });
      return await token(request);
    }
    const body = method === "POST" ? await request.json() : undefined;
    state.requests.push({ method, path: path + url.search, body });
    const fault = state.faults.find((f) =>
      f.method === method && path.startsWith(f.path) && f.times > 0
    );
    if (fault) {
      fault.times--;
      const response = googleError(
        fault.status,
        fault.status === 429 ? "RESOURCE_EXHAUSTED" : "UNAVAILABLE",
        "injected fault",
        fault.status === 429 ? "rateLimitExceeded" : "backendError",
      );
      if (fault.retryAfter) response.headers.set("Retry-After", fault.retryAfter);
      return response;
    }
    const auth = request.headers.get("authorization") ?? "";
    if (!auth.startsWith("Bearer ") || !accepted.has(auth.slice(7))) {
      return googleError(
        401,
        "UNAUTHENTICATED",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
        "authError",
      );
    }
    const prefix = `/bigquery/v2/projects/${project}`;
    if (!path.startsWith(prefix)) {
      return googleError(404, "NOT_FOUND", `Not found: Project ${path.split("/")[4]}`, "notFound");
    }
    const rest = path.slice(prefix.length);
    let m: RegExpExecArray | null;
    if (method === "GET" && rest === "/datasets") {
      const ids = [...new Set(state.tables.map((t) => t.dataset))];
      const { slice, next } = page(ids, url);
      return Response.json({
        kind: "bigquery#datasetList",
        etag: "etag",
        ...(next ? { nextPageToken: next } : {}),
        datasets: slice.map((id) => ({
          kind: "bigquery#dataset",
          id: `${project}:${id}`,
          datasetReference: { datasetId: id, projectId: project },
          location: "US",
        })),
      });
    }
    if (method === "GET" && (m = /^\/datasets\/([^/]+)\/tables$/.exec(rest))) {
      const dataset = m[1];
      const listed = state.tables.filter((t) => t.dataset === dataset);
      const { slice, next } = page(listed, url);
      return Response.json({
        kind: "bigquery#tableList",
        etag: "etag",
        ...(next ? { nextPageToken: next } : {}),
        tables: slice.map((t) => ({
          kind: "bigquery#table",
          id: `${project}:${t.dataset}.${t.id}`,
          tableReference: { projectId: project, datasetId: t.dataset, tableId: t.id },
          type: "TABLE",
        })),
        totalItems: listed.length,
      });
    }
    if (method === "GET" && (m = /^\/datasets\/([^/]+)\/tables\/([^/]+)$/.exec(rest))) {
      const table = find(m[1], m[2]);
      if (!table) return notFound(m[1], m[2]);
      // A vanishing table is deleted right after discovery described it.
      if (state.vanishAfterListing.has(`${table.dataset}.${table.id}`)) {
        state.tables = state.tables.filter((t) => t !== table);
      }
      return Response.json({
        kind: "bigquery#table",
        id: `${project}:${table.dataset}.${table.id}`,
        tableReference: { projectId: project, datasetId: table.dataset, tableId: table.id },
        description: table.description,
        schema: { fields: table.fields },
        numRows: String(table.rows.length),
        type: "TABLE",
        location: "US",
        ...(table.primaryKey
          ? { tableConstraints: { primaryKey: { columns: table.primaryKey } } }
          : {}),
      });
    }
    if (method === "GET" && (m = /^\/datasets\/([^/]+)\/tables\/([^/]+)\/data$/.exec(rest))) {
      const table = find(m[1], m[2]);
      return table ? tableData(table, url) : notFound(m[1], m[2]);
    }
    if (method === "POST" && rest === "/queries") {
      const query = body as { query: string; useLegacySql?: boolean; queryParameters?: [] };
      if (query.useLegacySql !== false) {
        return googleError(400, "INVALID_ARGUMENT", "Legacy SQL is not supported here", "invalid");
      }
      const job = evaluate(query.query, query.queryParameters ?? []);
      if (job instanceof Response) return job;
      jobs.set(job.id, job);
      return queryResults(job, url, "bigquery#queryResponse");
    }
    if (method === "GET" && (m = /^\/queries\/([^/]+)$/.exec(rest))) {
      const job = jobs.get(m[1]);
      if (!job) {
        return googleError(404, "NOT_FOUND", `Not found: Job ${project}:US.${m[1]}`, "notFound");
      }
      job.polls++;
      return queryResults(job, url, "bigquery#getQueryResultsResponse");
    }
    return googleError(404, "NOT_FOUND", `Not found: URL ${path}`, "notFound");
  }

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handle);
  state.url = `http://127.0.0.1:${server.addr.port}`;
  state.tokenUri = `${state.url}/token`;
  return state;
}

/**
 * A local Keboola Storage API on 127.0.0.1 speaking the documented wire format, shared by the
 * keboola connector's tests and bench/api_connectors.ts:
 * - `GET /v2/storage/tokens/verify`, `GET /v2/storage/buckets`,
 *   `GET /v2/storage/buckets/{id}/tables?include=columns,metadata` (typed tables carry
 *   `isTyped` and `definition.columns[].{name, definition{type,nullable,length}, basetype}`);
 * - `POST /v2/storage/tables/{id}/export-async` (columns, changedSince, gzip) -> a job resource,
 *   `GET /v2/storage/jobs/{id}` going waiting -> processing -> success with `results.file.id`;
 * - `GET /v2/storage/files/{id}?federationToken=1` -> a sliced file resource (provider aws,
 *   region, s3Path, credentials) whose `url` is a presigned manifest `{"entries":[{"url":
 *   "s3://bucket/key"}]}`; slices are gzipped RFC 4180 CSV without a header, served path-style
 *   under `/s3/{bucket}/{key}` only with a SigV4 Authorization for the federation credentials.
 * Errors are Keboola's JSON body `{"error", "code", "status": "error"}` with its status codes.
 * Faults (429 with Retry-After, 503, a table removed after discover) are injected per route.
 *
 * @module
 */

/** One column of a fake table. */
export interface FakeColumn {
  name: string;
  /** Keboola base type: STRING, INTEGER, NUMERIC, FLOAT, BOOLEAN, DATE, TIMESTAMP. */
  basetype: string;
  /** Backend type, e.g. VARCHAR, NUMBER, TIMESTAMP_NTZ. */
  type: string;
  length?: string;
  nullable?: boolean;
}

/** One row: column -> text (null = empty cell), plus `_timestamp` (change time, ISO). */
export type FakeRow = Record<string, string | null>;

/** One fake Storage table. */
export interface FakeTable {
  bucket: string;
  name: string;
  columns: FakeColumn[];
  isTyped?: boolean;
  primaryKey?: string[];
  description?: string;
  rows: FakeRow[];
}

/** One injected fault: answer the next `times` matching requests with `status`. */
export interface Fault {
  method: string;
  /** Path prefix the request must start with. */
  path: string;
  status: number;
  times: number;
  retryAfter?: string;
}

/** Options of {@linkcode startKeboolaServer}. */
export interface KeboolaServerOptions {
  token: string;
  tables: FakeTable[];
  /** Rows per CSV slice. */
  sliceRows?: number;
  /** Job polls answered "waiting"/"processing" before "success". */
  pollsBeforeSuccess?: number;
  /** Serve a repeated export from the slices built the first time (for benchmarks). */
  cacheExports?: boolean;
}

/** The running fake. */
export interface KeboolaServer extends AsyncDisposable {
  url: string;
  tables: FakeTable[];
  /** Every request: method, path with query, and whether it carried the Storage token. */
  requests: { method: string; path: string; storageToken: boolean; body?: unknown }[];
  faults: Fault[];
  /** Table ids removed right after a table listing has shown them (gone before the read). */
  vanishAfterListing: Set<string>;
  /** Federation credentials the file resources hand out. */
  credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
  /** Slice bodies of the last export, as served (gzipped CSV). */
  lastSlices: Uint8Array<ArrayBuffer>[];
}

const encoder = new TextEncoder();

function keboolaError(status: number, message: string, code: string): Response {
  return Response.json({ error: message, code, status: "error" }, { status });
}

function csvCell(value: string | null | undefined): string {
  return `"${(value ?? "").replaceAll('"', '""')}"`;
}

async function gzip(text: string): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([encoder.encode(text)]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function tableResource(base: string, table: FakeTable) {
  const id = `${table.bucket}.${table.name}`;
  return {
    uri: `${base}/v2/storage/tables/${id}`,
    id,
    name: table.name,
    displayName: table.name,
    primaryKey: table.primaryKey ?? [],
    columns: table.columns.map((c) => c.name),
    isTyped: table.isTyped ?? false,
    rowsCount: table.rows.length,
    metadata: table.description
      ? [{ id: "1", key: "KBC.description", value: table.description, provider: "user" }]
      : [],
    definition: table.isTyped
      ? {
        primaryKeysNames: table.primaryKey ?? [],
        columns: table.columns.map((c) => ({
          name: c.name,
          definition: { type: c.type, nullable: c.nullable ?? true, length: c.length ?? null },
          basetype: c.basetype,
        })),
      }
      : undefined,
    bucket: { id: table.bucket, name: table.bucket.split(".").pop() },
  };
}

/** Starts the fake Storage API; stop it with `await using`. */
export function startKeboolaServer(options: KeboolaServerOptions): KeboolaServer {
  const sliceRows = options.sliceRows ?? 1000;
  const pollsBeforeSuccess = options.pollsBeforeSuccess ?? 2;
  const credentials = {
    AccessKeyId: "ASIAFAKEKEYID",
    SecretAccessKey: "fake/secret/key",
    SessionToken: "fake-session-token",
  };
  const jobs = new Map<number, { polls: number; fileId: number; table: string }>();
  const files = new Map<number, { name: string; slices: Uint8Array<ArrayBuffer>[] }>();
  let nextId = 1000;
  const exportCache = new Map<string, Uint8Array<ArrayBuffer>[]>();
  const state: KeboolaServer = {
    url: "",
    tables: options.tables,
    requests: [],
    faults: [],
    vanishAfterListing: new Set(),
    credentials,
    lastSlices: [],
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
  const find = (id: string) => state.tables.find((t) => `${t.bucket}.${t.name}` === id);

  async function buildSlices(
    table: FakeTable,
    columns: string[],
    changedSince: unknown,
  ): Promise<Uint8Array<ArrayBuffer>[]> {
    const since = changedSince ? Date.parse(String(changedSince)) : undefined;
    const rows = table.rows.filter((row) =>
      since === undefined || Date.parse(String(row._timestamp)) >= since
    );
    const slices: Uint8Array<ArrayBuffer>[] = [];
    for (let start = 0; start === 0 || start < rows.length; start += sliceRows) {
      const part = rows.slice(start, start + sliceRows);
      const text = part.map((row) => columns.map((c) => csvCell(row[c])).join(",") + "\n").join("");
      slices.push(await gzip(text));
    }
    return slices;
  }

  async function exportTable(id: string, body: Record<string, unknown>): Promise<Response> {
    const table = find(id);
    if (!table) {
      const [stage, bucket, name] = id.split(".");
      return keboolaError(
        404,
        `The table "${name}" was not found in the bucket "${stage}.${bucket}" in the project "1"`,
        "storage.tables.notFound",
      );
    }
    const columns = (body.columns as string[] | undefined)?.length
      ? body.columns as string[]
      : table.columns.map((c) => c.name);
    const unknown = columns.find((c) => !table.columns.some((col) => col.name === c));
    if (unknown) {
      return keboolaError(
        400,
        `Columns "${unknown}" not found in table`,
        "storage.tables.columnsNotFound",
      );
    }
    // The same export twice serves the same slices (benchmarks warm this before timing).
    const cacheKey = JSON.stringify([id, columns, body.changedSince ?? null]);
    const slices = exportCache.get(cacheKey) ??
      await buildSlices(table, columns, body.changedSince);
    if (options.cacheExports) exportCache.set(cacheKey, slices);
    const fileId = nextId++;
    files.set(fileId, { name: `${id}.csv.gz`, slices });
    state.lastSlices = slices;
    const jobId = nextId++;
    jobs.set(jobId, { polls: 0, fileId, table: id });
    return Response.json({
      id: jobId,
      status: "waiting",
      url: `${state.url}/v2/storage/jobs/${jobId}`,
      tableId: id,
      operationName: "tableExport",
      operationParams: { ...body },
      createdTime: new Date().toISOString(),
      startTime: null,
      endTime: null,
      results: null,
    }, { status: 202 });
  }

  function job(id: number): Response {
    const entry = jobs.get(id);
    if (!entry) return keboolaError(404, `Job ${id} not found`, "storage.job.notFound");
    entry.polls++;
    const done = entry.polls > pollsBeforeSuccess;
    return Response.json({
      id,
      status: done ? "success" : entry.polls === 1 ? "waiting" : "processing",
      url: `${state.url}/v2/storage/jobs/${id}`,
      tableId: entry.table,
      operationName: "tableExport",
      results: done ? { file: { id: entry.fileId } } : null,
      error: null,
    });
  }

  function file(id: number, federation: boolean): Response {
    const entry = files.get(id);
    if (!entry) return keboolaError(404, `File ${id} not found`, "storage.files.notFound");
    return Response.json({
      id,
      name: entry.name,
      isSliced: true,
      isPublic: false,
      sizeBytes: entry.slices.reduce((sum, s) => sum + s.length, 0),
      provider: "aws",
      region: "us-east-1",
      url: `${state.url}/presigned/manifests/${id}?X-Amz-Signature=fakesig&X-Amz-Expires=3600`,
      s3Path: { bucket: "kbc-sapi-files", key: `exp-15/${id}.${entry.name}` },
      ...(federation
        ? { credentials: { ...credentials, Expiration: "2099-01-01T00:00:00+0000" } }
        : {}),
    });
  }

  function manifest(id: number): Response {
    const entry = files.get(id);
    if (!entry) return new Response("<Error><Code>NoSuchKey</Code></Error>", { status: 404 });
    return Response.json({
      entries: entry.slices.map((_, i) => ({
        url: `s3://kbc-sapi-files/exp-15/${id}.${entry.name}${
          String(i).padStart(4, "0")
        }_part_00.gz`,
      })),
    });
  }

  function slice(request: Request, key: string): Response {
    const auth = request.headers.get("authorization") ?? "";
    const signed = auth.startsWith(`AWS4-HMAC-SHA256 Credential=${credentials.AccessKeyId}/`) &&
      /SignedHeaders=[^,]*x-amz-security-token/.test(auth) &&
      /Signature=[0-9a-f]{64}$/.test(auth) &&
      request.headers.get("x-amz-security-token") === credentials.SessionToken;
    if (!signed) {
      return new Response(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
        { status: 403, headers: { "content-type": "application/xml" } },
      );
    }
    const match = /^exp-15\/(\d+)\..*?(\d{4})_part_00\.gz$/.exec(key);
    const entry = match ? files.get(Number(match[1])) : undefined;
    const body = entry?.slices[Number(match![2])];
    if (!body) return new Response("<Error><Code>NoSuchKey</Code></Error>", { status: 404 });
    return new Response(body, { headers: { "content-type": "application/octet-stream" } });
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = decodeURIComponent(url.pathname);
    const method = request.method;
    const text = method === "POST" ? await request.text() : "";
    let body: Record<string, unknown> = {};
    if (text) {
      body = (request.headers.get("content-type") ?? "").includes("json")
        ? JSON.parse(text)
        : Object.fromEntries(new URLSearchParams(text));
    }
    state.requests.push({
      method,
      path: path + url.search,
      storageToken: request.headers.has("x-storageapi-token"),
      body: text ? body : undefined,
    });
    const fault = state.faults.find((f) =>
      f.method === method && path.startsWith(f.path) && f.times > 0
    );
    if (fault) {
      fault.times--;
      const headers: Record<string, string> = fault.retryAfter
        ? { "Retry-After": fault.retryAfter }
        : {};
      return Response.json(
        {
          error: fault.status === 429 ? "Too many requests" : "Service unavailable",
          code: "fault",
          status: "error",
        },
        { status: fault.status, headers },
      );
    }
    if (path.startsWith("/presigned/manifests/")) return manifest(Number(path.split("/").pop()));
    if (path.startsWith("/s3/kbc-sapi-files/")) {
      return slice(request, path.slice("/s3/kbc-sapi-files/".length));
    }
    if (!path.startsWith("/v2/storage/")) return keboolaError(404, "Route not found", "notFound");
    const token = request.headers.get("x-storageapi-token");
    if (!token) return keboolaError(401, "Access token must be set", "storage.tokenMissing");
    if (token !== options.token) {
      return keboolaError(401, "Invalid access token", "storage.tokenInvalid");
    }
    let m: RegExpExecArray | null;
    if (method === "GET" && path === "/v2/storage/tokens/verify") {
      return Response.json({
        id: "1",
        description: "fake token",
        isMasterToken: true,
        owner: { id: 1, name: "fake" },
      });
    }
    if (method === "GET" && path === "/v2/storage/buckets") {
      const ids = [...new Set(state.tables.map((t) => t.bucket))];
      return Response.json(ids.map((id) => ({
        uri: `${state.url}/v2/storage/buckets/${id}`,
        id,
        name: id.split(".").pop(),
        stage: id.split(".")[0],
        description: "",
        tables: `${state.url}/v2/storage/buckets/${id}/tables`,
      })));
    }
    if (method === "GET" && (m = /^\/v2\/storage\/buckets\/([^/]+)\/tables$/.exec(path))) {
      const bucket = m[1];
      if (!state.tables.some((t) => t.bucket === bucket)) {
        return keboolaError(404, `Bucket ${bucket} not found`, "storage.buckets.notFound");
      }
      const listed = state.tables.filter((t) => t.bucket === bucket);
      state.tables = state.tables.filter((t) =>
        !state.vanishAfterListing.has(`${t.bucket}.${t.name}`)
      );
      return Response.json(listed.map((t) => tableResource(state.url, t)));
    }
    if (method === "POST" && (m = /^\/v2\/storage\/tables\/([^/]+)\/export-async$/.exec(path))) {
      return await exportTable(m[1], body);
    }
    if (method === "GET" && (m = /^\/v2\/storage\/jobs\/(\d+)$/.exec(path))) {
      return job(Number(m[1]));
    }
    if (method === "GET" && (m = /^\/v2\/storage\/files\/(\d+)$/.exec(path))) {
      return file(
        Number(m[1]),
        ["1", "true"].includes(url.searchParams.get("federationToken") ?? ""),
      );
    }
    return keboolaError(404, `Route ${method} ${path} not found`, "notFound");
  }

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handle);
  state.url = `http://127.0.0.1:${server.addr.port}`;
  return state;
}

/**
 * The SQL Statement Execution API: submit a statement (`POST /api/2.0/sql/statements`, which
 * waits up to `wait_timeout` for it), poll `GET /api/2.0/sql/statements/{id}` through
 * PENDING/RUNNING to a terminal state if it is still running, then walk the
 * result chunks by `next_chunk_internal_link`. Each chunk is inline rows (INLINE + JSON_ARRAY)
 * or external links (EXTERNAL_LINKS), whose presigned URLs are fetched without the Databricks
 * token and never shown: errors name the chunk index only.
 *
 * @module
 */
import { ConnectorError, type Download, type Downloader } from "../../mod.ts";
import type { WorkspaceApi } from "./workspace_api.ts";

/** One presigned link to a chunk of result data. */
export interface ExternalLink {
  chunk_index: number;
  row_count?: number;
  external_link: string;
  expiration?: string;
  http_headers?: Record<string, string>;
  next_chunk_index?: number;
  next_chunk_internal_link?: string;
}

/** One chunk of result data. */
export interface ResultData {
  chunk_index?: number;
  row_count?: number;
  data_array?: (string | null)[][];
  external_links?: ExternalLink[];
  next_chunk_index?: number;
  next_chunk_internal_link?: string;
}

interface StatementResponse {
  statement_id: string;
  status: {
    state: "PENDING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELED" | "CLOSED";
    error?: { error_code?: string; message?: string };
  };
  manifest?: { format?: string; total_chunk_count?: number; total_row_count?: number };
  result?: ResultData;
}

/** A statement to run. */
export interface StatementRequest {
  statement: string;
  warehouseId: string;
  parameters: { name: string; value: string | null; type: string }[];
  resultFormat: "arrow_stream" | "json_array";
  /** First wait between polls in milliseconds; doubles up to 5 s. */
  pollIntervalMs: number;
  /** What the statement reads, for errors. */
  label: string;
}

/**
 * How long the submitting call itself waits for the statement (the API allows 5 to 50 s): a
 * statement done by then comes back with its first chunk from the POST, without a single poll;
 * one still running answers PENDING or RUNNING (`on_wait_timeout: CONTINUE`) and is polled.
 */
export const SUBMIT_WAIT_TIMEOUT = "50s";

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Submits the statement and waits until it succeeds; returns its first result chunk. */
export async function runStatement(
  api: WorkspaceApi,
  request: StatementRequest,
): Promise<{ statementId: string; first: ResultData | undefined; totalRows?: number }> {
  const arrow = request.resultFormat === "arrow_stream";
  let response = await api.json<StatementResponse>("POST", "/api/2.0/sql/statements", {
    statement: request.statement,
    warehouse_id: request.warehouseId,
    parameters: request.parameters,
    disposition: arrow ? "EXTERNAL_LINKS" : "INLINE",
    format: arrow ? "ARROW_STREAM" : "JSON_ARRAY",
    wait_timeout: SUBMIT_WAIT_TIMEOUT,
    on_wait_timeout: "CONTINUE",
  });
  let wait = request.pollIntervalMs;
  while (response.status.state === "PENDING" || response.status.state === "RUNNING") {
    await sleep(wait);
    wait = Math.min(wait * 2, 5000);
    response = await api.json<StatementResponse>(
      "GET",
      `/api/2.0/sql/statements/${encodeURIComponent(response.statement_id)}`,
    );
  }
  if (response.status.state !== "SUCCEEDED") {
    const error = response.status.error;
    throw new ConnectorError(
      `Databricks statement ${response.statement_id} reading ${request.label} ended ${response.status.state}`,
      {
        cause: new Error(
          error?.message ? `${error.error_code ?? "ERROR"}: ${error.message}` : "no message",
        ),
      },
    );
  }
  return {
    statementId: response.statement_id,
    first: response.result,
    totalRows: response.manifest?.total_row_count,
  };
}

/**
 * Every result chunk of a succeeded statement, in order, starting with `first`. The request for
 * the following chunk goes out as soon as a chunk arrives, so that round trip runs while this
 * chunk is downloaded and decoded instead of between chunks; a failed request fails the read
 * when its turn comes.
 */
export async function* resultChunks(
  api: WorkspaceApi,
  first: ResultData | undefined,
): AsyncGenerator<ResultData> {
  let pending = first ? Promise.resolve(first) : undefined;
  while (pending) {
    const chunk = await pending;
    const next = chunk.next_chunk_internal_link ??
      chunk.external_links?.at(-1)?.next_chunk_internal_link;
    pending = next ? api.json<ResultData>("GET", next) : undefined;
    pending?.catch(() => {}); // awaited on the next turn; until then not unhandled
    yield chunk;
  }
}

/**
 * What cloud storage said about a refused download, on one line: the Code and Message of the
 * XML error document S3, Azure Blob and GCS answer with (`<Error><Code>AccessDenied</Code>
 * <Message>Request has expired</Message>...`), else the start of the body.
 */
export function storageErrorDetail(body: Uint8Array): string {
  const text = new TextDecoder().decode(body.subarray(0, 4096));
  const element = (name: string) =>
    new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1].replace(/\s+/g, " ").trim();
  const code = element("Code");
  const message = element("Message");
  if (code) return message ? `${code}: ${message}` : code;
  return text.replace(/\s+/g, " ").trim().slice(0, 300);
}

/**
 * Downloads one external link whole (no Authorization header: the URL carries its own
 * credential), through `ctx.download`, which receives it on a thread of its own. An expired
 * link is refreshed once through the chunk endpoint. Whole, because Arrow's stream reader
 * re-joins a network stream's small reads into every message it decodes (measured: more time
 * copying than decoding); a chunk is a bounded slice of the result.
 */
export async function downloadLink(
  api: WorkspaceApi,
  download: Downloader,
  statementId: string,
  link: ExternalLink,
): Promise<Uint8Array> {
  let current = link;
  if (current.expiration && Date.parse(current.expiration) < Date.now() + 5000) {
    const fresh = await api.json<ResultData>(
      "GET",
      `/api/2.0/sql/statements/${
        encodeURIComponent(statementId)
      }/result/chunks/${link.chunk_index}`,
    );
    current = fresh.external_links?.find((l) => l.chunk_index === link.chunk_index) ?? current;
  }
  let response: Download;
  try {
    response = await download(current.external_link, { headers: current.http_headers ?? {} });
  } catch (error) {
    throw new ConnectorError(`downloading result chunk ${link.chunk_index} failed`, {
      cause: error,
    });
  }
  if (!response.ok) {
    const detail = storageErrorDetail(response.body);
    throw new ConnectorError(
      `downloading result chunk ${link.chunk_index} failed with HTTP ${response.status}`,
      { cause: detail ? new Error(detail) : undefined },
    );
  }
  return response.body;
}

/** One part of a result, in order: inline rows, or the Arrow IPC bytes of one external link. */
export type ResultPart = { rows: (string | null)[][] } | { ipc: Uint8Array };

/**
 * Every part of a succeeded statement's result, in order. Each external link starts downloading
 * one part ahead — the next chunk arrives while this one is decoded and written, as Databricks
 * advises (download links in parallel) — so at most two chunks are held at a time.
 */
export async function* resultParts(
  api: WorkspaceApi,
  first: ResultData | undefined,
  download: (link: ExternalLink) => Promise<Uint8Array>,
): AsyncGenerator<ResultPart> {
  const queue: Promise<ResultPart>[] = [];
  const start = (link: ExternalLink) => {
    const part = download(link).then((ipc) => ({ ipc }));
    part.catch(() => {}); // awaited in order below; a rejection waits its turn
    return part;
  };
  for await (const chunk of resultChunks(api, first)) {
    if (chunk.data_array) queue.push(Promise.resolve({ rows: chunk.data_array }));
    for (const link of chunk.external_links ?? []) {
      queue.push(start(link));
      while (queue.length > 1) yield await queue.shift()!;
    }
    while (queue.length > 1) yield await queue.shift()!;
  }
  while (queue.length) yield await queue.shift()!;
}

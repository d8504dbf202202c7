/**
 * The asynchronous table export: start the export job, poll it until it ends, fetch the
 * resulting file resource with federation credentials.
 *
 * @module
 */
import { ConnectorError } from "../../mod.ts";
import type { StorageApi } from "./storage_api.ts";
import type { StorageFile } from "./export_files.ts";

/** A Storage API job (`GET /v2/storage/jobs/{id}`), as far as the export needs it. */
interface StorageJob {
  id: number;
  status: "waiting" | "processing" | "success" | "error" | string;
  results?: { file?: { id: number } } | null;
  error?: { message?: string; code?: string } | null;
}

/** What to export. */
export interface ExportRequest {
  tableId: string;
  columns: string[];
  /** Only rows changed since this timestamp (Keboola's `changedSince`). */
  changedSince?: string;
  /** First wait between polls in milliseconds; doubles up to 10 s. */
  pollIntervalMs: number;
}

const MAX_POLL_MS = 10_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs an export job to completion and returns its file resource (with credentials). */
export async function exportTable(api: StorageApi, request: ExportRequest): Promise<StorageFile> {
  const table = encodeURIComponent(request.tableId);
  const body: Record<string, unknown> = { columns: request.columns, gzip: true, format: "rfc" };
  if (request.changedSince) body.changedSince = request.changedSince;
  let job = await api.json<StorageJob>("POST", `/v2/storage/tables/${table}/export-async`, body);
  let wait = request.pollIntervalMs;
  while (job.status !== "success" && job.status !== "error") {
    await sleep(wait);
    wait = Math.min(wait * 2, MAX_POLL_MS);
    job = await api.json<StorageJob>("GET", `/v2/storage/jobs/${job.id}`);
  }
  if (job.status === "error") {
    throw new ConnectorError(`Keboola export job ${job.id} of table ${request.tableId} failed`, {
      cause: new Error(job.error?.message ?? "no error message"),
    });
  }
  const fileId = job.results?.file?.id;
  if (fileId === undefined) {
    throw new ConnectorError(`Keboola export job ${job.id} succeeded without a result file`);
  }
  return await api.json<StorageFile>("GET", `/v2/storage/files/${fileId}?federationToken=1`);
}

/**
 * Downloads the slices of an exported Storage file. A sliced file's `url` is a manifest
 * (`{"entries":[{"url":"s3://bucket/key"}, ...]}`); each slice is fetched from the project's
 * file storage with the federation credentials of the file resource: S3 (signature v4), GCS
 * (OAuth access token) or Azure Blob Storage (SAS). The Storage API token is never sent there.
 *
 * @module
 */
import type { ConnectorContext } from "../../mod.ts";
import { ConnectorError } from "../../mod.ts";
import { type AwsCredentials, signS3Get } from "./s3_signature.ts";

/** The parts of a file resource (`GET /v2/storage/files/{id}?federationToken=1`) used here. */
export interface StorageFile {
  id: number;
  name: string;
  url: string;
  isSliced: boolean;
  provider?: "aws" | "gcp" | "azure";
  region?: string;
  credentials?: AwsCredentials;
  gcsCredentials?: { access_token: string; token_type?: string };
  absCredentials?: { SASConnectionString: string };
}

/** One slice to download. */
export interface Slice {
  /** Where the slice lives (s3://, gs://, azure:// or https://). */
  location: string;
  /** Shown in errors: the slice's file name, never a signed URL. */
  label: string;
}

/** The slices of a file: the manifest's entries, or the file itself when not sliced. */
export async function slicesOf(ctx: ConnectorContext, file: StorageFile): Promise<Slice[]> {
  if (!file.isSliced) return [{ location: file.url, label: file.name }];
  const response = await ctx.fetch(file.url);
  if (!response.ok) {
    await response.body?.cancel();
    throw new ConnectorError(
      `downloading the slice manifest of file ${file.id} failed with HTTP ${response.status}`,
    );
  }
  const manifest = await response.json() as { entries?: { url: string }[] };
  if (!Array.isArray(manifest.entries)) {
    throw new ConnectorError(`the slice manifest of file ${file.id} has no entries list`);
  }
  return manifest.entries.map((entry) => ({
    location: entry.url,
    label: entry.url.split("?")[0].split("/").pop() ?? entry.url,
  }));
}

function splitLocation(location: string): { scheme: string; bucket: string; key: string } {
  const match = /^([a-z0-9]+):\/\/([^/]+)\/(.*)$/.exec(location);
  if (!match) throw new ConnectorError(`unexpected slice location ${location.split("?")[0]}`);
  return { scheme: match[1], bucket: match[2], key: match[3] };
}

/** Builds the HTTP request for one slice. `endpoint` overrides the cloud's (path-style). */
export async function sliceRequest(
  file: StorageFile,
  slice: Slice,
  endpoint?: string,
): Promise<{ url: URL; headers: Record<string, string> }> {
  const { scheme, bucket, key } = splitLocation(slice.location);
  const base = endpoint?.replace(/\/+$/, "");
  switch (scheme) {
    case "s3": {
      if (!file.credentials) {
        throw new ConnectorError(`file ${file.id} came without S3 credentials`, {
          hint: "the token needs file read access; it must be able to request federation tokens",
        });
      }
      const region = file.region ?? "us-east-1";
      const url = new URL(
        base ? `${base}/${bucket}/${key}` : `https://${bucket}.s3.${region}.amazonaws.com/${key}`,
      );
      return { url, headers: await signS3Get(url, region, file.credentials) };
    }
    case "gs": {
      const token = file.gcsCredentials?.access_token;
      if (!token) throw new ConnectorError(`file ${file.id} came without GCS credentials`);
      const url = new URL(
        `${base ?? "https://storage.googleapis.com"}/storage/v1/b/${encodeURIComponent(bucket)}/o/${
          encodeURIComponent(key)
        }?alt=media`,
      );
      return { url, headers: { Authorization: `Bearer ${token}` } };
    }
    case "azure": {
      const sas = /SharedAccessSignature=([^;]+)/.exec(
        file.absCredentials?.SASConnectionString ?? "",
      )?.[1];
      if (!sas) throw new ConnectorError(`file ${file.id} came without Azure credentials`);
      const url = new URL(base ? `${base}/${key}` : `https://${bucket}/${key}`);
      url.search = sas;
      return { url, headers: {} };
    }
    case "http":
    case "https":
      return { url: new URL(slice.location), headers: {} };
    default:
      throw new ConnectorError(`unsupported slice location scheme ${scheme}://`);
  }
}

/** Opens one slice's bytes as stored (gzipped or not). */
export async function openSliceBytes(
  ctx: ConnectorContext,
  file: StorageFile,
  slice: Slice,
  endpoint?: string,
): Promise<ReadableStream<Uint8Array<ArrayBuffer>>> {
  const { url, headers } = await sliceRequest(file, slice, endpoint);
  let response: Response;
  try {
    response = await ctx.fetch(url, { headers });
  } catch (error) {
    throw new ConnectorError(`downloading slice ${slice.label} failed`, { cause: error });
  }
  if (!response.ok || !response.body) {
    const detail = (await response.text().catch(() => "")).slice(0, 300);
    throw new ConnectorError(
      `downloading slice ${slice.label} of file ${file.id} failed with HTTP ${response.status}`,
      { cause: detail ? new Error(detail) : undefined },
    );
  }
  return response.body as ReadableStream<Uint8Array<ArrayBuffer>>;
}

/** Opens one slice as a stream of text, gunzipped when the slice is gzipped. */
export async function openSlice(
  ctx: ConnectorContext,
  file: StorageFile,
  slice: Slice,
  endpoint?: string,
): Promise<ReadableStream<string>> {
  const body = await openSliceBytes(ctx, file, slice, endpoint);
  const gzipped = /\.gz$/i.test(slice.label) || /\.gz$/i.test(file.name);
  const bytes = gzipped ? body.pipeThrough(new DecompressionStream("gzip")) : body;
  return bytes.pipeThrough(new TextDecoderStream());
}

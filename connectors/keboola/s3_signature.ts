/**
 * AWS Signature Version 4 for one S3 GET, made with WebCrypto: Keboola hands out temporary
 * federation credentials (AccessKeyId, SecretAccessKey, SessionToken) for the export's slices.
 *
 * @module
 */

/** Temporary credentials from a file resource requested with `federationToken=1`. */
export interface AwsCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken?: string;
}

const encoder = new TextEncoder();
const EMPTY_HASH = "UNSIGNED-PAYLOAD";

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function sha256(text: string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

async function hmac(
  key: ArrayBuffer | Uint8Array<ArrayBuffer>,
  text: string,
): Promise<ArrayBuffer> {
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    key,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(text));
}

/** S3's URI encoding of a path: every byte but unreserved characters and "/". */
function encodePath(path: string): string {
  return path.split("/").map((part) =>
    encodeURIComponent(part).replace(
      /[!'()*]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    )
  ).join("/");
}

/**
 * Signs a GET of `url` and returns the headers to send (Authorization, x-amz-date,
 * x-amz-content-sha256 and, for temporary credentials, x-amz-security-token).
 */
export async function signS3Get(
  url: URL,
  region: string,
  credentials: AwsCredentials,
  now: Date = new Date(),
): Promise<Record<string, string>> {
  const amzDate = now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    host: url.host,
    "x-amz-content-sha256": EMPTY_HASH,
    "x-amz-date": amzDate,
  };
  if (credentials.SessionToken) headers["x-amz-security-token"] = credentials.SessionToken;
  const names = Object.keys(headers).sort();
  const query = [...url.searchParams].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
  const canonical = [
    "GET",
    encodePath(decodeURIComponent(url.pathname)),
    query,
    names.map((name) => `${name}:${headers[name].trim()}\n`).join(""),
    names.join(";"),
    EMPTY_HASH,
  ].join("\n");
  const scope = `${day}/${region}/s3/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, await sha256(canonical)].join("\n");
  let key: ArrayBuffer = await hmac(encoder.encode(`AWS4${credentials.SecretAccessKey}`), day);
  for (const part of [region, "s3", "aws4_request"]) key = await hmac(key, part);
  const signature = hex(await hmac(key, toSign));
  const { host: _host, ...sent } = headers;
  return {
    ...sent,
    Authorization:
      `AWS4-HMAC-SHA256 Credential=${credentials.AccessKeyId}/${scope}, SignedHeaders=${
        names.join(";")
      }, Signature=${signature}`,
  };
}

/**
 * Fetches a connector's entrypoint source (https, http on loopback, or a local file) and checks
 * its Subresource-Integrity hash, so the code that runs is exactly the code the manifest pins.
 *
 * @module
 */
import { ConnectorError, IntegrityError } from "../errors.ts";

const ALGORITHMS = { sha256: "SHA-256", sha384: "SHA-384", sha512: "SHA-512" } as const;

function encodeBase64(bytes: Uint8Array): string {
  return btoa(Array.from(bytes, (byte) => String.fromCharCode(byte)).join(""));
}

function encodeHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Computes `sha256-<base64>`, the integrity string `dvt connector build` prints. */
export async function computeIntegrity(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return `sha256-${encodeBase64(digest)}`;
}

/**
 * Verifies `integrity` (`sha256|sha384|sha512-` followed by base64 or hex) against `bytes`.
 * Throws IntegrityError naming both hashes on mismatch.
 */
export async function verifyIntegrity(
  bytes: Uint8Array,
  integrity: string,
  source: string,
): Promise<void> {
  const match = /^(sha256|sha384|sha512)-(.+)$/.exec(integrity.trim());
  if (!match) {
    throw new IntegrityError(`unsupported integrity ${JSON.stringify(integrity)} for ${source}`, {
      hint: "use sha256-<base64>, as printed by `dvt connector build`",
    });
  }
  const [, algorithm, expected] = match;
  const name = ALGORITHMS[algorithm as keyof typeof ALGORITHMS];
  const digest = new Uint8Array(await crypto.subtle.digest(name, bytes as BufferSource));
  const isHex = /^[0-9a-f]+$/i.test(expected) && expected.length === digest.length * 2;
  const actual = isHex ? encodeHex(digest) : encodeBase64(digest);
  if (actual.toLowerCase() !== expected.toLowerCase()) {
    throw new IntegrityError(
      `integrity mismatch for ${source}: the manifest pins ${algorithm}-${expected}, the file is ${algorithm}-${actual}`,
      { hint: "the published file changed; update integrity only if you trust the new version" },
    );
  }
}

async function readBytes(url: URL): Promise<Uint8Array> {
  if (url.protocol === "file:") {
    try {
      return await Deno.readFile(url);
    } catch (cause) {
      throw new ConnectorError(`cannot read connector entrypoint ${url.pathname}`, { cause });
    }
  }
  let response: Response;
  try {
    response = await fetch(url, { redirect: "follow" });
  } catch (cause) {
    throw new ConnectorError(`cannot fetch connector entrypoint ${url.href}`, {
      cause,
      hint: "check the URL and your network",
    });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new ConnectorError(`fetching ${url.href} answered HTTP ${response.status}`, {
      hint: "check the entrypoint URL in connector.yaml",
    });
  }
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * Loads a connector module's source text. Remote (http/https) entrypoints require `integrity`.
 */
export async function loadModuleSource(url: URL, integrity?: string): Promise<string> {
  const remote = url.protocol === "https:" || url.protocol === "http:";
  if (!remote && url.protocol !== "file:") {
    throw new ConnectorError(`unsupported entrypoint scheme ${url.protocol} in ${url.href}`, {
      hint: "use https://, or a path relative to connector.yaml",
    });
  }
  if (remote && !integrity) {
    throw new IntegrityError(`remote entrypoint ${url.href} has no integrity in its manifest`, {
      hint: "add integrity: sha256-... (printed by `dvt connector build`) to connector.yaml",
    });
  }
  const bytes = await readBytes(url);
  if (integrity) await verifyIntegrity(bytes, integrity, url.href);
  return new TextDecoder().decode(bytes);
}

/**
 * Sender authentication as GitHub-style and Jira Cloud webhooks sign: the header carries
 * `sha256=<hex HMAC-SHA256 of the raw body>` keyed with the shared secret. Verification goes
 * through WebCrypto's `verify`, which compares in constant time.
 *
 * @module
 */

const PREFIX = "sha256=";
const HEX = /^[0-9a-fA-F]{64}$/;

/** A shared secret ready to verify signatures with. */
export interface SignatureKey {
  verify(body: Uint8Array, header: string | null): Promise<boolean>;
}

/** Imports the secret once; `verify` answers whether `header` signs `body`. */
export async function signatureKey(secret: string): Promise<SignatureKey> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["verify", "sign"],
  );
  return {
    async verify(body, header) {
      if (!header?.startsWith(PREFIX)) return false;
      const hex = header.slice(PREFIX.length).trim();
      if (!HEX.test(hex)) return false;
      const signature = new Uint8Array(32);
      for (let i = 0; i < 32; i++) signature[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
      return await crypto.subtle.verify("HMAC", key, signature, body as Uint8Array<ArrayBuffer>);
    },
  };
}

/**
 * The header value a sender puts on `body` (what tests and the load generator send).
 *
 * @example
 * ```ts
 * import { signBody } from "./signature.ts";
 * const header = await signBody("s3cret", new TextEncoder().encode("{}"));
 * if (!header.startsWith("sha256=")) throw new Error();
 * ```
 */
export async function signBody(secret: string, body: Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(
    await crypto.subtle.sign("HMAC", key, body as Uint8Array<ArrayBuffer>),
  );
  return PREFIX + Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}

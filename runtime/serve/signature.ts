/**
 * Sender authentication as GitHub-style and Jira Cloud webhooks sign: the header carries
 * `sha256=<hex HMAC-SHA256 of the raw body>` keyed with the shared secret, compared in constant
 * time (`timingSafeEqual`). node:crypto computes the HMAC synchronously: WebCrypto's
 * `subtle.verify` hands each call to a thread pool, which profiling showed to be the largest
 * single cost per delivery (a thread round trip for a microsecond of hashing).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createHmac, timingSafeEqual } from "node:crypto";

const PREFIX = "sha256=";
const HEX = /^[0-9a-fA-F]{64}$/;

/** A shared secret ready to verify signatures with. */
export interface SignatureKey {
  /** Whether `header` is `sha256=<hex>` of the HMAC of `body`. */
  verify(body: Uint8Array, header: string | null): boolean;
}

/** Keeps the secret inside a closure; `verify` answers whether `header` signs `body`. */
export function signatureKey(secret: string): SignatureKey {
  return {
    verify(body, header) {
      if (!header?.startsWith(PREFIX)) return false;
      const hex = header.slice(PREFIX.length).trim();
      if (!HEX.test(hex)) return false;
      const expected = createHmac("sha256", secret).update(body).digest();
      return timingSafeEqual(expected, Buffer.from(hex, "hex"));
    },
  };
}

/**
 * The header value a sender puts on `body` (what tests send).
 *
 * @example
 * ```ts
 * import { signBody } from "./signature.ts";
 * const header = signBody("s3cret", new TextEncoder().encode("{}"));
 * if (!header.startsWith("sha256=")) throw new Error();
 * ```
 */
export function signBody(secret: string, body: Uint8Array): string {
  return PREFIX + createHmac("sha256", secret).update(body).digest("hex");
}

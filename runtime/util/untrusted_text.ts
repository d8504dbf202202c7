/**
 * Text that comes from code dvt does not trust (a sandboxed connector's log lines and errors)
 * is made safe before it reaches a terminal or a JSON event: control characters are escaped, so
 * a message cannot start a fake line or move the cursor, and secret values are replaced by `***`.
 *
 * @module
 */

// C0 and C1 controls, DEL, line/paragraph separators and bidi overrides: everything that can
// end a line, move the cursor or reorder what a terminal shows.
// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const SHORT: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** Escapes control characters as `\n`, `\r`, `\t` or `\u001b`-style escapes. */
export function escapeControlCharacters(text: string): string {
  return text.replace(
    CONTROL,
    (char) => SHORT[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Replaces every occurrence of each secret (and its URL-encoded form) with `***`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets.filter((value) => value.length >= 3)) {
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      result = result.split(form).join("***");
    }
  }
  return result.replace(/\/\/([^/@\s:]+):([^/@\s]+)@/g, "//$1:***@");
}

/**
 * Makes untrusted text printable: secrets redacted first (so an escaped secret cannot slip
 * through), then control characters escaped.
 *
 * @example
 * ```ts
 * import { cleanUntrustedText } from "./untrusted_text.ts";
 * cleanUntrustedText("ok\n\x1b[2Jtoken=s3cret", ["s3cret"]); // "ok\\n\\u001b[2Jtoken=***"
 * ```
 */
export function cleanUntrustedText(text: string, secrets: readonly string[] = []): string {
  return escapeControlCharacters(redactSecrets(text, secrets));
}

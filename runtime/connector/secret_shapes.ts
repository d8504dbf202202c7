/**
 * Recognises values that look like credentials, so contract tests can catch a connector that
 * returns a secret where only an env var name belongs.
 *
 * @module
 */

const TOKEN_SHAPES: [RegExp, string][] = [
  [/\bsk-[A-Za-z0-9_-]{8,}/, "an API key (sk-...)"],
  [/\bxox[abprs]-[A-Za-z0-9-]{8,}/, "a Slack token (xox...)"],
  [/\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}/, "a GitHub token"],
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, "an AWS access key id"],
  [/\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/, "a JWT"],
  [/\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, "a URL with credentials"],
  [
    /[?&;](password|passwd|pwd|token|secret|api_?key|access_token)=[^&;\s]+/i,
    "a credential parameter",
  ],
];

function entropyBitsPerChar(text: string): number {
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * Describes why `text` looks like a secret, or returns undefined. `knownSecrets` are values of
 * the connector's own secret env vars, matched anywhere in the text.
 *
 * @example
 * ```ts
 * import { secretShape } from "./secret_shapes.ts";
 * secretShape("ghp_abcdefghijklmnopqrstuvwxyz0123456789"); // "a GitHub token"
 * secretShape("HUBSPOT_TOKEN"); // undefined
 * ```
 */
export function secretShape(
  text: string,
  knownSecrets: readonly string[] = [],
): string | undefined {
  for (const secret of knownSecrets) {
    if (secret.length >= 4 && text.includes(secret)) return "the value of a secret env var";
  }
  for (const [pattern, what] of TOKEN_SHAPES) if (pattern.test(text)) return what;
  for (const word of text.split(/[\s/?&=:@;,]+/)) {
    const mixed = /[a-z]/.test(word) && /[A-Z0-9]/.test(word);
    if (word.length >= 32 && mixed && entropyBitsPerChar(word) > 4) return "a long random string";
  }
  return undefined;
}

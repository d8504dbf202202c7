/**
 * Small helpers for validating plain data loaded from YAML with errors that say where (file,
 * line, column, field), what was expected, what was found, and what the alternatives are.
 * Shared by connector.yaml and connector config validation.
 *
 * @module
 */
import { closest, distance } from "fastest-levenshtein";
import type { DvtErrorOptions, InputError, SourceLocation } from "../errors.ts";

/** Error class thrown for a problem (ManifestError, ConfigError, ...). */
export type FieldErrorClass = new (message: string, options?: DvtErrorOptions) => InputError;

/** Describes a found value briefly for "expected X, found Y" messages. */
export function describeFound(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return `a list (${JSON.stringify(value).slice(0, 60)})`;
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  if (typeof value === "number" && Number.isInteger(value)) return `the integer ${value}`;
  return `${typeof value} ${String(value)}`;
}

/**
 * Suggests the closest known name when it is near enough to be a likely typo.
 *
 * @example
 * ```ts
 * import { didYouMean } from "./field_check.ts";
 * didYouMean("discovr", ["discover", "read"]); // "discover"
 * ```
 */
export function didYouMean(found: string, known: readonly string[]): string | undefined {
  if (!known.length) return undefined;
  const best = closest(found, [...known]);
  const limit = Math.max(2, Math.floor(best.length / 3));
  return distance(found, best) <= limit ? best : undefined;
}

/** Formats `valid: a, b, c` with an optional did-you-mean for `found`. */
export function alternatives(found: string, known: readonly string[]): string {
  const suggestion = didYouMean(found, known);
  const list = `valid: ${known.join(", ")}`;
  return suggestion ? `did you mean "${suggestion}"? ${list}` : list;
}

/** True for a plain mapping (not a list, not null). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Throws when `value` has keys outside `known`, naming the first unknown key's own position and
 * suggesting the closest valid key.
 */
export function rejectUnknownKeys(
  value: Record<string, unknown>,
  known: readonly string[],
  where: (key: string) => SourceLocation,
  errorClass: FieldErrorClass,
  what = "key",
): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    throw new errorClass(`unknown ${what} "${key}"`, {
      location: where(key),
      hint: alternatives(key, known),
    });
  }
}

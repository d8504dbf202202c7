/**
 * SQL quoting. Every identifier and string literal dvt puts into SQL goes through these, so a
 * name from a source can never end a quote early.
 *
 * @module
 */

/**
 * Quotes an identifier for DuckDB: double quotes, embedded quotes doubled.
 *
 * @example
 * ```ts
 * import { quoteIdentifier } from "./sql.ts";
 * if (quoteIdentifier('a"b') !== '"a""b"') throw new Error();
 * ```
 */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Quotes a string literal for DuckDB: single quotes, embedded quotes doubled. NUL bytes cannot
 * appear in DuckDB strings and are rejected.
 *
 * @example
 * ```ts
 * import { quoteLiteral } from "./sql.ts";
 * if (quoteLiteral("it's") !== "'it''s'") throw new Error();
 * ```
 */
export function quoteLiteral(value: string): string {
  if (value.includes("\0")) throw new Error("SQL string literals cannot contain NUL bytes");
  return `'${value.replaceAll("'", "''")}'`;
}

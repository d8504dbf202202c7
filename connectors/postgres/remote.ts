/**
 * REMOTE: how DuckDB's postgres extension attaches the same database at query time,
 * `ATTACH '<libpq connection string>' AS postgres (TYPE postgres, READ_ONLY)`. The connection
 * string never holds the password: libpq reads it from PGPASSWORD, named as `token_env`.
 *
 * @module
 */
import type { ConnectionSettings } from "./settings.ts";

/** Quotes a libpq keyword value when it is empty or holds spaces, quotes or backslashes. */
function value(text: string): string {
  if (text !== "" && !/[\s'\\]/.test(text)) return text;
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

/**
 * `host=... port=... dbname=... user=... sslmode=...` for the settings, without a password.
 *
 * @example
 * ```ts
 * import { libpqConnectionString } from "./remote.ts";
 * const url = libpqConnectionString({
 *   host: "127.0.0.1", port: 5432, database: "shop", user: "me", sslmode: "prefer",
 *   schemas: ["public"], parallel: 1, password: "secret",
 * });
 * if (url !== "host=127.0.0.1 port=5432 dbname=shop user=me sslmode=prefer") throw new Error(url);
 * ```
 */
export function libpqConnectionString(settings: ConnectionSettings): string {
  return [
    `host=${value(settings.host)}`,
    `port=${settings.port}`,
    `dbname=${value(settings.database)}`,
    `user=${value(settings.user)}`,
    `sslmode=${value(settings.sslmode)}`,
  ].join(" ");
}

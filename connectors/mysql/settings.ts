/**
 * Connection settings from config keys, falling back to the MySQL client's environment variables
 * (MYSQL_HOST, MYSQL_TCP_PORT, MYSQL_DATABASE, MYSQL_USER); the password only from MYSQL_PWD.
 * Also the mapping and parallelism choices. Invalid values are configuration errors (exit 2).
 *
 * @module
 */
import { type ConnectorConfig, type ConnectorContext, InputError } from "../../mod.ts";
import type { MappingOptions, ZeroDates } from "./column_types.ts";

/** The mysql connector's config (see connector.yaml). */
export interface MysqlConfig extends ConnectorConfig {
  host?: string;
  port?: number | string;
  database?: string;
  user?: string;
  parallel?: number;
  reader_thread?: boolean;
  zero_dates?: ZeroDates;
  tinyint1_as_boolean?: boolean;
  sslmode?: string;
  ssl_ca?: string;
}

/**
 * TLS modes, named and meant as the MySQL client's `--ssl-mode`: disabled (plain), preferred
 * (TLS when the server offers it, else plain; the default), required (TLS, certificate not
 * checked), verify_ca (TLS, certificate signed by a trusted CA), verify_identity (verify_ca and
 * the certificate names the host).
 */
export const SSL_MODES = [
  "disabled",
  "preferred",
  "required",
  "verify_ca",
  "verify_identity",
] as const;

/** One of {@linkcode SSL_MODES}. */
export type SslMode = typeof SSL_MODES[number];

/** Where and as whom to connect; `password` never leaves the driver options. */
export interface MysqlSettings {
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string;
  /** Readers per table; undefined lets the connector choose by table size. */
  parallel?: number;
  /** Decode rows in a reader thread; undefined lets the connector choose by table size. */
  readerThread?: boolean;
  mapping: MappingOptions;
  sslMode: SslMode;
  /** PEM file of the CA(s) that sign the server's certificate (verify modes); absent: system CAs. */
  sslCa?: string;
}

/** The environment variable that holds the password; remote() names it, never its value. */
export const PASSWORD_ENV = "MYSQL_PWD";

function fail(field: string, problem: string, hint: string): never {
  throw new InputError(`mysql config ${field}: ${problem}`, { hint });
}

/** Resolves config and environment into settings, or explains what to set. */
export function resolveSettings(ctx: ConnectorContext, config: MysqlConfig): MysqlSettings {
  const host = config.host ?? ctx.env("MYSQL_HOST") ?? "localhost";
  const portText = String(config.port ?? ctx.env("MYSQL_TCP_PORT") ?? "3306");
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    fail("port", `"${portText}" is not a TCP port`, "set port (or MYSQL_TCP_PORT) to 1-65535");
  }
  const database = config.database ?? ctx.env("MYSQL_DATABASE");
  if (!database) {
    fail(
      "database",
      "no database is set",
      "set database in the source config (or MYSQL_DATABASE)",
    );
  }
  const user = config.user ?? ctx.env("MYSQL_USER") ?? "root";
  const parallel = config.parallel;
  if (parallel !== undefined && (!Number.isInteger(parallel) || parallel < 1 || parallel > 32)) {
    fail("parallel", `${parallel} is not a reader count`, "set parallel to an integer 1-32");
  }
  const readerThread = config.reader_thread;
  if (readerThread !== undefined && typeof readerThread !== "boolean") {
    fail(
      "reader_thread",
      `${readerThread} is not true or false`,
      "set reader_thread: true or false",
    );
  }
  const zeroDates = config.zero_dates ?? "null";
  if (zeroDates !== "null" && zeroDates !== "error") {
    fail("zero_dates", `"${zeroDates}" is not a choice`, "set zero_dates to null or error");
  }
  const { sslMode, sslCa } = resolveTls(config);
  return {
    host,
    port,
    database,
    user,
    password: ctx.env(PASSWORD_ENV),
    parallel,
    readerThread,
    mapping: { zeroDates, tinyint1AsBoolean: config.tinyint1_as_boolean ?? true },
    sslMode,
    sslCa,
  };
}

function resolveTls(config: MysqlConfig): { sslMode: SslMode; sslCa?: string } {
  // Accepted as the MySQL client spells it too: REQUIRED, VERIFY-CA, ...
  const text = String(config.sslmode ?? "preferred").toLowerCase().replaceAll("-", "_");
  const sslMode = SSL_MODES.find((mode) => mode === text);
  if (!sslMode) {
    fail(
      "sslmode",
      `"${config.sslmode}" is not a TLS mode`,
      `set sslmode to one of ${SSL_MODES.join(", ")}`,
    );
  }
  const sslCa = config.ssl_ca;
  if (sslCa !== undefined && (typeof sslCa !== "string" || !sslCa)) {
    fail("ssl_ca", "must be the path of a PEM file", "set ssl_ca to e.g. /etc/mysql/ca.pem");
  }
  if (sslCa && sslMode !== "verify_ca" && sslMode !== "verify_identity") {
    fail(
      "ssl_ca",
      `is only used to verify the server, but sslmode is ${sslMode}`,
      "set sslmode to verify_ca or verify_identity, or remove ssl_ca",
    );
  }
  return { sslMode, sslCa };
}

/** `user@host:port/database`, for messages (never the password). */
export function describeTarget(settings: MysqlSettings): string {
  return `${settings.user}@${settings.host}:${settings.port}/${settings.database}`;
}

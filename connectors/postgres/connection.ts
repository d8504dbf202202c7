/**
 * Opens sessions of the `pg` npm driver (node-postgres), reads COPY from its socket
 * (copy_out.ts), and turns driver failures into errors that say what to fix. Both drivers were
 * measured on the same binary COPY (README): `pg` lets a query take socket-sized chunks of many
 * rows, where `postgres` (porsager) pushes one Buffer per row, which cost 1.7x the time end to
 * end. The driver stays behind this file: the rest of the connector sees {@linkcode Session}.
 *
 * @module
 */
import { ConnectorError, InputError } from "../../mod.ts";
import { CopyOutQuery } from "./copy_out.ts";
import { type ConnectionSettings, redact } from "./settings.ts";

/** One connection to the server. */
export interface Session {
  /** Runs a statement with text parameters and returns its rows. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs `COPY ... TO STDOUT` and streams its bytes with backpressure. */
  copyOut(sql: string): AsyncIterable<Uint8Array>;
  /** Closes the connection (idempotent). */
  end(): Promise<void>;
}

// The slice of node-postgres this file uses (the package ships no types).
interface PgClient {
  connect(): Promise<void>;
  query(sql: unknown, params?: unknown[]): unknown;
  end(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): void;
}
interface PgModule {
  Client: new (config: Record<string, unknown>) => PgClient;
}

/** Undecoded COPY bytes held before the socket is paused: enough to keep the decoder busy. */
export const COPY_BUFFER_BYTES = 1 << 20;

/**
 * Opens a session; `prefer`/`allow` try TLS first and fall back to a plain connection.
 * `copyBufferBytes` bounds the undecoded COPY bytes held before the socket pauses.
 */
export async function openSession(
  settings: ConnectionSettings,
  copyBufferBytes = COPY_BUFFER_BYTES,
): Promise<Session> {
  const { default: pg } = await import("pg") as { default: PgModule };
  const tls = settings.sslmode !== "disable" && settings.sslmode !== "allow";
  try {
    return await connect(pg, settings, tls, copyBufferBytes);
  } catch (error) {
    if (!tls || settings.sslmode !== "prefer" || !notSupportingTls(error)) throw error;
    return await connect(pg, settings, false, copyBufferBytes);
  }
}

function notSupportingTls(error: unknown): boolean {
  return /does not support SSL/i.test(String((error as Error)?.message));
}

async function connect(
  pg: PgModule,
  settings: ConnectionSettings,
  tls: boolean,
  copyBufferBytes: number,
): Promise<Session> {
  const client = new pg.Client({
    host: settings.host,
    port: settings.port,
    database: settings.database,
    user: settings.user,
    // Always explicit: the driver would otherwise read PGPASSWORD (or a .pgpass file) itself.
    password: settings.password ?? "",
    ssl: tls ? { rejectUnauthorized: settings.sslmode.startsWith("verify") } : false,
    // Generous: a busy machine (or event loop) can take seconds to finish TLS and SCRAM.
    connectionTimeoutMillis: 30_000,
    application_name: "dvt",
    options: "-c TimeZone=UTC -c DateStyle=ISO -c extra_float_digits=3",
  });
  // A connection lost between queries is reported by the next query; without a listener the
  // driver's "error" event would end the process.
  client.on("error", () => {});
  await client.connect();
  let ended = false;
  return {
    async query<T>(sql: string, params?: unknown[]) {
      const result = await client.query(sql, params) as { rows: T[] };
      return result.rows;
    },
    copyOut(sql: string) {
      const copy = new CopyOutQuery(sql, copyBufferBytes);
      client.query(copy);
      return copy;
    },
    async end() {
      if (ended) return;
      ended = true;
      await client.end().catch(() => {});
    },
  };
}

interface DriverError {
  code?: string;
  message?: string;
  severity?: string;
}

/** Where the error happened, for the message: connecting, or reading a table. */
export type Phase = { table?: string };

/**
 * Describes a driver error as a dvt error. Bad configuration (unknown host or database,
 * authentication, TLS) is an InputError (exit 2); a server that is down or a failed read is a
 * ConnectorError (exit 1). The password never appears in the result.
 */
export function explainError(
  error: unknown,
  settings: ConnectionSettings,
  phase: Phase = {},
): InputError | ConnectorError {
  const { code = "", message = String(error) } = (error ?? {}) as DriverError;
  const server = `${settings.host}:${settings.port}`;
  const text = redact(message, settings);
  // The driver's own words, redacted: the CLI prints the cause chain.
  const cause = new Error(text);
  const on = phase.table ? `table "${phase.table}": ` : "";
  switch (code) {
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new InputError(`cannot resolve the PostgreSQL host "${settings.host}"`, {
        hint: "check the host config key or PGHOST",
        cause,
      });
    case "ECONNREFUSED":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "CONNECT_TIMEOUT":
    case "ETIMEDOUT":
      return new ConnectorError(`cannot reach PostgreSQL at ${server} (${code})`, {
        hint:
          "check that the server is running and that host and port (or PGHOST/PGPORT) are right",
        cause,
      });
    case "28P01":
      return new InputError(
        `authentication failed for user "${settings.user}" on PostgreSQL at ${server}`,
        { hint: "check the user config key (or PGUSER) and the password in PGPASSWORD", cause },
      );
    case "28000":
      if (/no encryption|SSL off/i.test(message)) {
        return new InputError(`PostgreSQL at ${server} requires TLS: ${text}`, {
          hint: "set sslmode: require (or PGSSLMODE=require)",
          cause,
        });
      }
      return new InputError(`PostgreSQL at ${server} refused user "${settings.user}": ${text}`, {
        hint: "ask the administrator for access in pg_hba.conf, or use another user",
        cause,
      });
    case "3D000":
      return new InputError(`database "${settings.database}" does not exist on ${server}`, {
        hint: "check the database config key or PGDATABASE",
        cause,
      });
    case "42501":
      return new ConnectorError(`${on}permission denied: ${text}`, {
        hint: `grant it: GRANT SELECT ON <table> TO "${settings.user}" (and USAGE on its schema)`,
        cause,
      });
    case "42P01":
    case "3F000":
      return new ConnectorError(`${on}${text}; it was dropped or renamed since discovery`, {
        hint: "run again to discover the current tables, or remove it from the tables list",
        cause,
      });
    case "57P01":
    case "57P02":
    case "57P03":
    case "ECONNRESET":
    case "EPIPE":
      return new ConnectorError(
        `${on}the connection to PostgreSQL at ${server} was lost: ${text}`,
        {
          hint: "the previous data of the table is kept; run again when the server is available",
          cause,
        },
      );
  }
  if (/Connection terminated|connection closed|ended unexpectedly/i.test(message)) {
    return new ConnectorError(`${on}the connection to PostgreSQL at ${server} was lost: ${text}`, {
      hint: "the previous data of the table is kept; run again when the server is available",
      cause,
    });
  }
  if (/timeout expired/i.test(message)) {
    return new ConnectorError(`cannot reach PostgreSQL at ${server} (timed out)`, {
      hint: "check that the server is running and that host and port (or PGHOST/PGPORT) are right",
      cause,
    });
  }
  if (/does not support SSL/i.test(message)) {
    return new InputError(`PostgreSQL at ${server} does not accept TLS connections`, {
      hint: "set sslmode: prefer or disable (or PGSSLMODE), or enable ssl on the server",
      cause,
    });
  }
  if (/SASL|password must be a string|client password/i.test(message)) {
    return new InputError(
      `PostgreSQL at ${server} asks user "${settings.user}" for a password and PGPASSWORD is not set`,
      { hint: "export PGPASSWORD with the user's password", cause },
    );
  }
  return new ConnectorError(`${on}PostgreSQL error${code ? ` ${code}` : ""}: ${text}`, { cause });
}

/** True for errors this connector already explained (they pass through unchanged). */
export function isExplained(error: unknown): error is InputError | ConnectorError {
  return error instanceof InputError || error instanceof ConnectorError;
}

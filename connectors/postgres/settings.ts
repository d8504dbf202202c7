/**
 * Connection settings from the connector config, each key falling back to the libpq environment
 * variable of the same meaning (config wins). The password comes only from `PGPASSWORD`.
 *
 * @module
 */
import type { ConnectorContext } from "../../mod.ts";
import { InputError } from "../../mod.ts";

/** The postgres connector's config (see connector.yaml). */
export interface PostgresConfig {
  host?: string;
  port?: number | string;
  database?: string;
  user?: string;
  schemas?: string[] | string;
  sslmode?: string;
  parallel?: number;
  reader_thread?: boolean;
  [key: string]: unknown;
}

/** libpq's sslmode values. */
export const SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];

/** Resolved settings of one source. */
export interface ConnectionSettings {
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string;
  sslmode: string;
  schemas: string[];
  /** Readers per plain table (ctid ranges); 1 reads it whole. */
  parallel: number;
  /**
   * Whether COPY reads run in the reader thread (reader_thread.ts). Off unless set: with the
   * direct Parquet writer, 10M rows in 4 ranges on this 2-CPU machine took 0.6-3.4 s more CPU in
   * all and 490-512 MiB with the thread, against a main thread of 6.8-7.5 s (not the limit any
   * more) and 327-350 MiB without it (BENCHMARKS.md).
   */
  readerThread?: boolean;
}

/**
 * Readers per table unless `parallel` says otherwise. One: the readers share one JavaScript thread
 * that decodes and encodes Parquet, so more readers only overlap server work; measured
 * (BENCHMARKS.md), 4 readers took the same CPU as one, no less time, and more memory.
 */
export const DEFAULT_READERS = 1;

/** Resolves config + environment into settings, or throws a InputError saying what to fix. */
export function resolveSettings(ctx: ConnectorContext, config: PostgresConfig): ConnectionSettings {
  const env = (name: string) => ctx.env(name) || undefined;
  const user = config.user ?? env("PGUSER") ?? env("USER") ?? "postgres";
  const portText = String(config.port ?? env("PGPORT") ?? 5432);
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InputError(`port must be a TCP port number (1-65535), found "${portText}"`, {
      hint: "set the port config key or PGPORT to the server's port, e.g. 5432",
    });
  }
  const sslmode = config.sslmode ?? env("PGSSLMODE") ?? "prefer";
  if (!SSL_MODES.includes(sslmode)) {
    throw new InputError(`sslmode must be one of ${SSL_MODES.join(", ")}, found "${sslmode}"`, {
      hint: "set the sslmode config key or PGSSLMODE to a libpq sslmode",
    });
  }
  const schemas = typeof config.schemas === "string"
    ? config.schemas.split(",").map((s) => s.trim()).filter(Boolean)
    : config.schemas ?? ["public"];
  if (!schemas.length) {
    throw new InputError("schemas must list at least one schema", {
      hint: "set schemas: [public] or leave it out",
    });
  }
  return {
    host: config.host ?? env("PGHOST") ?? "localhost",
    port,
    database: config.database ?? env("PGDATABASE") ?? user,
    user,
    password: env("PGPASSWORD"),
    sslmode,
    schemas,
    parallel: parseParallel(config.parallel),
    readerThread: parseReaderThread(config.reader_thread),
  };
}

function parseParallel(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_READERS;
  const readers = Number(value);
  if (!Number.isInteger(readers) || readers < 1 || readers > 64) {
    throw new InputError(`parallel must be a number of readers from 1 to 64, found "${value}"`, {
      hint: "set parallel: 1 to read each table with one reader, or e.g. parallel: 4",
    });
  }
  return readers;
}

function parseReaderThread(value: unknown): boolean | undefined {
  if (value === undefined || value === null || typeof value === "boolean") {
    return value ?? undefined;
  }
  throw new InputError(`reader_thread must be true or false, found "${value}"`, {
    hint: "set reader_thread: true to decode in a second thread, false to decode on the main one",
  });
}

/** Replaces the password wherever it appears in `text` (drivers may echo connection details). */
export function redact(text: string, settings: ConnectionSettings): string {
  return settings.password ? text.replaceAll(settings.password, "***") : text;
}

/**
 * A small wrapper around the embedded DuckDB engine: one instance plus one connection, opened
 * with {@linkcode DuckDB.create} and released with `close()` or `await using`. Native failures
 * become `Failed to <verb>: <reason>` errors so callers can report them as they are.
 *
 * @module
 */
import type { DuckDBConnection, DuckDBInstance, DuckDBValue, Json } from "@duckdb/node-api";
import { errorMessage } from "../errors.ts";

let nodeApi: Promise<typeof import("@duckdb/node-api")> | undefined;

/**
 * DuckDB's package and native addon, loaded on first use rather than with this module: much
 * of dvt imports this wrapper, and loading the addon is the largest part of start-up (measured,
 * BENCHMARKS.md), paid only by the runs that open a database on this thread.
 */
function duckdbApi(): Promise<typeof import("@duckdb/node-api")> {
  return nodeApi ??= import("@duckdb/node-api");
}

/**
 * Starts loading DuckDB's package and native addon without opening a database, so that a thread
 * that will need DuckDB pays for it while it does something else.
 */
export async function preloadDuckDB(): Promise<void> {
  await duckdbApi();
}

/** Options for {@linkcode DuckDB.create}. */
export interface DuckDBOptions {
  /** Open the database file read-only (safe while another process writes elsewhere). */
  readOnly?: boolean;
  /** Extra DuckDB settings applied at open time, e.g. `{ threads: "2" }`. */
  settings?: Record<string, string>;
}

/** A row returned by {@linkcode DuckDB.all}: column name -> JS value. */
export type Row = Record<string, unknown>;

/** A query's result read chunk by chunk, so memory does not grow with the number of rows. */
export interface QueryStream {
  /** Column names in order. */
  columns: string[];
  /** DuckDB type of each column, as SQL spells it (`INTEGER`, `DECIMAL(10,2)`). */
  types: string[];
  /** Rows as display text (DuckDB's own rendering); `null` for SQL NULL. */
  textRows(): AsyncIterable<(string | null)[][]>;
  /** Rows as JSON-safe values (bigints and decimals as strings, timestamps ISO). */
  jsonRows(): AsyncIterable<Json[][]>;
}

/**
 * Runs `work` and turns any native failure into `Failed to <verb>: <reason>`.
 *
 * @example
 * ```ts
 * import { failure } from "./duckdb.ts";
 * try {
 *   await failure("open x.duckdb", () => Promise.reject(new Error("locked")));
 * } catch (error) {
 *   if ((error as Error).message !== "Failed to open x.duckdb: locked") throw error;
 * }
 * ```
 */
export async function failure<T>(verb: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const reason = errorMessage(error);
    throw new Error(`Failed to ${verb}: ${reason}`, { cause: error });
  }
}

/**
 * One DuckDB database (a file or `:memory:`) with one connection.
 *
 * @example
 * ```ts
 * import { DuckDB } from "./duckdb.ts";
 * await using db = await DuckDB.create(":memory:");
 * const rows = await db.all("SELECT 42 AS answer");
 * if (rows[0].answer !== 42) throw new Error("unexpected");
 * ```
 */
export class DuckDB implements AsyncDisposable {
  #instance: DuckDBInstance;
  #connection: DuckDBConnection;
  #closed = false;
  /** The path the database was opened with. */
  readonly path: string;

  private constructor(path: string, instance: DuckDBInstance, connection: DuckDBConnection) {
    this.path = path;
    this.#instance = instance;
    this.#connection = connection;
  }

  /** Opens (or creates) the database at `path`; `:memory:` for an in-memory one. */
  static async create(path: string, options: DuckDBOptions = {}): Promise<DuckDB> {
    const settings: Record<string, string> = { ...options.settings };
    if (options.readOnly) settings.access_mode = "READ_ONLY";
    const { DuckDBInstance } = await duckdbApi();
    const instance = await failure(`open ${path}`, () => DuckDBInstance.create(path, settings));
    try {
      const connection = await failure(`connect to ${path}`, () => instance.connect());
      return new DuckDB(path, instance, connection);
    } catch (error) {
      instance.closeSync();
      throw error;
    }
  }

  /** Runs one or more statements, discarding results. */
  async run(sql: string, params?: DuckDBValue[]): Promise<void> {
    await failure(`run ${summarise(sql)}`, () => this.#connection.run(sql, params));
  }

  /** Runs a query and returns every row as a JS object. */
  async all(sql: string, params?: DuckDBValue[]): Promise<Row[]> {
    const reader = await failure(
      `query ${summarise(sql)}`,
      () => this.#connection.runAndReadAll(sql, params),
    );
    return reader.getRowObjectsJS() as Row[];
  }

  /**
   * Runs a query and streams its rows. Only one of `textRows()` / `jsonRows()` may be read.
   *
   * @example
   * ```ts
   * import { DuckDB } from "./duckdb.ts";
   * await using db = await DuckDB.create(":memory:");
   * const result = await db.stream("SELECT 1.50::DECIMAL(4,2) AS price");
   * for await (const rows of result.textRows()) if (rows[0][0] !== "1.50") throw new Error();
   * ```
   */
  async stream(sql: string): Promise<QueryStream> {
    const result = await failure(`query ${summarise(sql)}`, () => this.#connection.stream(sql));
    return {
      columns: result.columnNames(),
      types: result.columnTypes().map((type) => type.toString()),
      async *textRows() {
        for await (const rows of result.yieldRows()) {
          yield rows.map((row) => row.map((value) => value === null ? null : String(value)));
        }
      },
      jsonRows: () => result.yieldRowsJson(),
    };
  }

  /** Closes the connection and the instance; safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#connection.closeSync();
    this.#instance.closeSync();
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}

/** First words of a statement, for error messages that name what failed. */
function summarise(sql: string): string {
  const flat = sql.replace(/\s+/g, " ").trim();
  return flat.length > 80 ? `${flat.slice(0, 77)}...` : flat;
}

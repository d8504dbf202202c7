/**
 * One mysql2 connection: opened with the session settings reads rely on (UTC time zone, utf8mb4,
 * text protocol values as strings where JavaScript numbers would lose digits), metadata queries,
 * and streaming a SELECT (as a prepared statement: binary rows) straight into Arrow column buffers.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import type { Connection, QueryError } from "mysql2";
import type { BatchTarget } from "./batch_queue.ts";
import { binaryRowDecoder, type WireColumn } from "./binary_rows.ts";
import type { ColumnPlan, ColumnSink } from "./column_types.ts";
import { explainError } from "./mysql_errors.ts";
import type { MysqlSettings } from "./settings.ts";
import { isNoTlsSupport, type TlsOptions, tlsOptions } from "./tls_options.ts";

type ArrowModule = typeof Arrow;

/** The part of mysql2's Packet a row decoder reads. */
interface RowPacket {
  buffer: Uint8Array;
  offset: number;
  isEOF(): boolean;
}

/** The part of mysql2's Execute command the row decoding hooks into. */
interface ExecuteState {
  _fields: WireColumn[][];
  _resultIndex: number;
  readField: (packet: RowPacket, connection: unknown) => unknown;
}

/** An open connection. Close it with {@linkcode MysqlClient.close}. */
export class MysqlClient {
  #connection: Connection;
  #settings: MysqlSettings;

  private constructor(connection: Connection, settings: MysqlSettings) {
    this.#connection = connection;
    this.#settings = settings;
  }

  /**
   * Connects (TLS as `sslmode` says) and prepares the session; driver errors become explained
   * DvtErrors. In the preferred mode a server without TLS is connected to again in plain TCP.
   */
  static async connect(settings: MysqlSettings, table?: string): Promise<MysqlClient> {
    const ssl = await tlsOptions(settings);
    try {
      return await MysqlClient.#open(settings, ssl);
    } catch (error) {
      if (ssl && settings.sslMode === "preferred" && isNoTlsSupport(error)) {
        try {
          return await MysqlClient.#open(settings, undefined);
        } catch (plainError) {
          throw explainError(plainError, settings, table);
        }
      }
      throw explainError(error, settings, table);
    }
  }

  static async #open(settings: MysqlSettings, ssl?: TlsOptions): Promise<MysqlClient> {
    const mysql = (await import("mysql2")).default;
    const connection = mysql.createConnection({
      host: settings.host,
      port: settings.port,
      user: settings.user,
      password: settings.password,
      database: settings.database,
      ssl,
      charset: "utf8mb4",
      connectTimeout: 10_000,
      supportBigNumbers: true,
      bigNumberStrings: true,
      decimalNumbers: false,
      dateStrings: true,
      jsonStrings: true,
    });
    const client = new MysqlClient(connection, settings);
    try {
      await new Promise<void>((resolve, reject) =>
        connection.connect((error) => (error ? reject(error) : resolve()))
      );
      // TIMESTAMP values come in UTC; DATETIME values are wall-clock and unaffected.
      await client.query("SET time_zone = '+00:00'");
    } catch (error) {
      connection.destroy();
      throw error;
    }
    connection.on("error", () => {}); // reported through the query that was running
    return client;
  }

  /** The server's id of this connection (what KILL takes). */
  get threadId(): number {
    return this.#connection.threadId ?? -1;
  }

  /** Runs a statement and returns its rows as objects. */
  query<T = Record<string, unknown>>(sql: string, values: unknown[] = []): Promise<T[]> {
    return new Promise((resolve, reject) => {
      this.#connection.query({ sql, values, rowsAsArray: false }, (error, rows) => {
        if (error) reject(explainError(error, this.#settings));
        else resolve(rows as T[]);
      });
    });
  }

  /**
   * Streams `sql` into `queue` as record batches of `batchSize` rows with `schema`; `plans` are
   * the selected columns in order. Resolves when the query ended or failed (reported to queue).
   */
  stream(
    arrow: ArrowModule,
    sql: string,
    plans: ColumnPlan[],
    schema: Arrow.Schema,
    batchSize: number,
    queue: BatchTarget,
    table: string,
  ): Promise<void> {
    const sinks: ColumnSink[] = plans.map((plan) => plan.sink(batchSize, table));
    const structType = new arrow.Struct(schema.fields);
    let rows = 0;
    const connection = this.#connection;
    const makeBatch = () => {
      const children = sinks.map((sink) => sink.buffer.flush());
      const data = arrow.makeData({ type: structType, length: rows, nullCount: 0, children });
      rows = 0;
      return new arrow.RecordBatch(schema, data);
    };
    return new Promise<void>((resolve) => {
      let settled = false;
      const settle = (error?: unknown) => {
        if (settled) return;
        settled = true;
        if (error !== undefined) queue.fail(error);
        else {
          if (rows > 0) queue.push(makeBatch(), connection);
          queue.finish();
        }
        resolve();
      };
      // A prepared statement: its rows come in the binary protocol, which costs the server less
      // (no number or date formatting) and is decoded here from the packet bytes straight into
      // the column buffers, without mysql2's row objects.
      const query = connection.execute({ sql });
      const execute = query as unknown as ExecuteState;
      const proto = Object.getPrototypeOf(query);
      let readRow: (bytes: Uint8Array, offset: number) => void = () => {};
      const decodeRow = (packet: RowPacket, state: unknown) => {
        if (packet.isEOF()) return proto.row.call(query, packet, state);
        if (settled) return decodeRow;
        try {
          readRow(packet.buffer, packet.offset);
        } catch (error) {
          // A value the mapping refuses fails the table; stop the server sending the rest.
          connection.destroy();
          settle(explainError(error, this.#settings, table));
          return decodeRow;
        }
        if (++rows >= batchSize) queue.push(makeBatch(), connection);
        if (queue.failed) {
          connection.destroy();
          settle();
        }
        return decodeRow;
      };
      // mysql2 reads the column definitions in `readField` and then enters `fieldsEOF`, after
      // which rows follow: rows go to decodeRow instead of mysql2's row parser.
      const fieldsEOF = (packet: RowPacket, state: unknown) => {
        if (!packet.isEOF()) return proto.fieldsEOF.call(query, packet, state);
        try {
          readRow = binaryRowDecoder(execute._fields[execute._resultIndex], sinks);
        } catch (error) {
          connection.destroy();
          settle(explainError(error, this.#settings, table));
        }
        return decodeRow;
      };
      const readField = (packet: RowPacket, state: unknown): unknown => {
        const next = proto.readField.call(query, packet, state);
        return next === proto.fieldsEOF ? fieldsEOF : next === proto.readField ? readField : next;
      };
      execute.readField = readField;
      // Rows must never reach mysql2's own parser (they would be dropped, not written).
      query.on("result", () => {
        connection.destroy();
        settle(new Error("mysql: a row bypassed the binary row decoder"));
      });
      query.on("error", (error: QueryError) => settle(explainError(error, this.#settings, table)));
      query.on("end", () => settle());
      // A socket closed under a running query must never look like the end of the data.
      connection.once(
        "end",
        () =>
          settle(
            explainError(
              { code: "PROTOCOL_CONNECTION_LOST", message: "connection closed" },
              this.#settings,
              table,
            ),
          ),
      );
    });
  }

  /** Closes the connection; a connection still streaming is destroyed. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#connection.end(() => {
        this.#connection.destroy();
        resolve();
      });
    });
  }

  /** Drops the connection at once (a read abandoned midway). */
  destroy(): void {
    this.#connection.destroy();
  }
}

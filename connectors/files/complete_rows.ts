/**
 * Reads a SELECT's rows chunk by chunk and proves the read was complete.
 *
 * @duckdb/node-api's streaming `fetchChunk()` cannot tell an error from the end of the data: when
 * the query fails mid-way (a malformed row after the sniffing sample), it returns an empty chunk
 * exactly as at the end, and the error DuckDB keeps on the result is not exposed. So the SELECT
 * runs to completion first, into a temporary table (a materialized `run` reports its errors;
 * DuckDB spills the table to disk beyond its memory limit), and only that table is streamed.
 * Streaming it can still end early (out of memory, a spill-file error), so the rows streamed are
 * counted and compared with the table's row count before the read counts as done.
 *
 * @module
 */
import type { DuckDBConnection, DuckDBDataChunk } from "@duckdb/node-api";
import { ConnectorError, quoteIdentifier } from "../../mod.ts";

let sequence = 0;

/**
 * Yields the chunks of `sql`'s result in order. Errors of the query itself are thrown by the
 * first `next()`; a stream that ends short of the row count throws a ConnectorError.
 */
export async function* completeRows(
  connection: DuckDBConnection,
  sql: string,
  what: string,
): AsyncGenerator<DuckDBDataChunk> {
  const table = quoteIdentifier(`dvt_read_${++sequence}`);
  await connection.run(`CREATE TEMPORARY TABLE ${table} AS ${sql}`);
  try {
    const counted = await connection.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM ${table}`);
    const expected = Number(counted.getRowObjects()[0].n);
    const result = await connection.stream(`SELECT * FROM ${table}`);
    let streamed = 0;
    while (streamed < expected) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      streamed += chunk.rowCount;
      yield chunk;
    }
    if (streamed !== expected) {
      throw new ConnectorError(
        `reading ${what} stopped after ${streamed} of ${expected} rows: DuckDB ended the stream early`,
        { hint: "run again; if it repeats, run with --debug and report it" },
      );
    }
  } finally {
    await connection.run(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
  }
}

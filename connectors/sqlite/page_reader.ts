/**
 * The read loop shared by `read()` and the parallel readers (read_worker.ts): runs the SELECT of
 * select_sql.ts page by page and appends each value to its column's sink, reporting every time a
 * batch is full. Pages are small ({@linkcode PAGE_ROWS}) whatever the batch size: a page is the
 * only place node:sqlite allocates (one array per row, one string per text value), so small
 * pages keep that garbage young and cheap to collect and the heap small (measured in
 * BENCHMARKS.md: 50,000-row pages cost a third more CPU and 110 MiB more RSS than 4,096; 1,024
 * cost the same CPU as 4,096 and 40 MiB less RSS with two reader threads).
 *
 * @module
 */
import type { StatementSync } from "node:sqlite";
import { ConnectorError } from "../../mod.ts";
import type { ColumnSink, SqliteValue } from "./affinity.ts";

/** Rows per `all()` call. */
export const PAGE_ROWS = 1024;

/** The rowid after which a rowid-paged read starts: every rowid is greater. */
export const BEFORE_FIRST_ROWID: bigint = -(2n ** 63n);

/** How a statement of select_sql.ts pages. */
export interface PagedStatement {
  statement: StatementSync;
  table: string;
  /** `rowid`: bind (after, [upper,] limit); `offset`: bind (limit, offset). */
  page: "rowid" | "offset";
  /** With `rowid` pages: the rowid's index in a row, and the leading columns that are not data. */
  key?: number;
  skip?: number;
  /** Rowid-paged reads start after this rowid (default: before the first). */
  after?: bigint | number;
  /** Rowid-paged reads of a range also bind this inclusive upper rowid (selectSql `upper`). */
  upper?: bigint | number;
  /** Pass each row's rowid, not its position, to the sinks (errors name the rowid). */
  rowidInErrors?: boolean;
}

/** One page of rows; integers beyond 2^53 (which make number mode throw) come as bigints. */
function readPage(
  statement: StatementSync,
  bind: (number | bigint)[],
): (SqliteValue | null)[][] {
  try {
    return statement.all(...bind) as unknown as (SqliteValue | null)[][];
  } catch (error) {
    if ((error as { code?: string }).code !== "ERR_OUT_OF_RANGE") throw error;
    statement.setReadBigInts(true);
    try {
      return statement.all(...bind) as unknown as (SqliteValue | null)[][];
    } finally {
      statement.setReadBigInts(false);
    }
  }
}

/** Prepares a statement for {@linkcode fillBatches}: numbers for integers, arrays for rows. */
export function configure(statement: StatementSync): StatementSync {
  // Integers as numbers (no bigint per value); a page holding one beyond 2^53 makes all()
  // throw, and that page is read again with bigints.
  statement.setReadBigInts(false);
  // Arrays, not objects per row; in Deno's node:sqlite but not yet in its type declarations.
  (statement as unknown as { setReturnArrays(on: boolean): void }).setReturnArrays(true);
  return statement;
}

/**
 * Reads every row into `sinks`, yielding the number of buffered rows each time `batchRows` are
 * buffered, and once more for the rest (if any). Pages use `all()`: `iterate()` would hide a
 * failing step as the end of the data.
 */
export function* fillBatches(
  read: PagedStatement,
  sinks: ColumnSink[],
  batchRows: number,
): Generator<number> {
  const { statement } = read;
  const keyed = read.page === "rowid";
  const skip = read.skip ?? 0;
  const key = read.key ?? 0;
  const rowids = keyed && read.rowidInErrors === true;
  let after: bigint | number = read.after ?? BEFORE_FIRST_ROWID;
  let rows = 0;
  let total = 0;
  while (true) {
    let page: (SqliteValue | null)[][];
    try {
      const bind = !keyed
        ? [PAGE_ROWS, total]
        : read.upper === undefined
        ? [after, PAGE_ROWS]
        : [after, read.upper, PAGE_ROWS];
      page = readPage(statement, bind);
    } catch (error) {
      throw new ConnectorError(
        `table "${read.table}": reading failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
    for (const values of page) {
      total++;
      const row = rowids ? values[key] as number | bigint : total;
      for (let i = 0; i < sinks.length; i++) {
        const value = values[i + skip];
        if (value === null) sinks[i].buffer.appendNull();
        else sinks[i].append(value, row);
      }
      if (++rows >= batchRows) {
        yield rows;
        rows = 0;
      }
    }
    if (page.length < PAGE_ROWS) break;
    if (keyed) after = page[page.length - 1][key] as number | bigint;
  }
  if (rows > 0) yield rows;
}

/**
 * Write dispositions: how a run's new rows combine with the table's previous data.
 * - replace: the new file alone.
 * - append: the previous part files plus the new one. Nothing is rewritten, so an incremental
 *   run costs what it reads, not the table's size; the view unions the parts by name.
 * - merge: one new file where rows sharing a primary key are replaced by the newest, computed
 *   by DuckDB streaming over the previous parts and the new file. Deletes (optional): a key
 *   whose newest row carries the table's deleted flag is removed, and a run that read the whole
 *   table with `deletes: detect` keeps only the keys it read, so the table matches the source.
 * - history (SCD type 2): see history.ts.
 *
 * @module
 */
import { DuckDB } from "../parquet/duckdb.ts";
import { ExtractError } from "../errors.ts";
import { quoteIdentifier, quoteLiteral } from "../util/sql.ts";

/** How a merge treats rows deleted at the source. */
export interface MergeDeletes {
  /** The run read the whole table: keys it did not read are removed. */
  dropMissing?: boolean;
  /** A BOOLEAN column whose true value on a key's newest row removes that key. */
  deletedFlag?: string;
}

/**
 * Writes to `output` the union of `previous` files and `incoming` (one file, or the parts of
 * one run), keeping per primary key the row from the newest file (the last part wins among
 * previous parts; within one file the last row wins), less the deleted keys (see
 * {@linkcode MergeDeletes}). Returns the row count written.
 */
export async function mergeByPrimaryKey(
  table: string,
  previous: string[],
  incoming: string | string[],
  primaryKey: string[] | undefined,
  output: string,
  deletes: MergeDeletes = {},
): Promise<number> {
  if (!primaryKey?.length) {
    throw new ExtractError(`table "${table}" cannot be merged: it declares no primary key`, {
      table,
      hint: "declare primaryKey in discover(), or use the replace or append disposition",
    });
  }
  // Parts of one run hold disjoint rows, so their order among themselves does not matter.
  const files = [...previous, ...[incoming].flat()];
  const list = `[${files.map(quoteLiteral).join(", ")}]`;
  const keys = primaryKey.map(quoteIdentifier).join(", ");
  const kept = ["__dvt_rank = 1"];
  // Incoming files come after the previous ones: a key read this run ranks from one of them.
  if (deletes.dropMissing) kept.push(`__dvt_file > ${previous.length}`);
  if (deletes.deletedFlag) {
    kept.push(`NOT coalesce(${quoteIdentifier(deletes.deletedFlag)}::BOOLEAN, false)`);
  }
  const sql = `COPY (
    SELECT * EXCLUDE (__dvt_rank, __dvt_file, __dvt_row) FROM (
      SELECT *, row_number() OVER (PARTITION BY ${keys}
        ORDER BY __dvt_file DESC, __dvt_row DESC) AS __dvt_rank
      FROM (
        SELECT * EXCLUDE (filename, file_row_number),
          list_position(${list}, filename) AS __dvt_file, file_row_number AS __dvt_row
        FROM read_parquet(${list}, union_by_name = true, filename = true, file_row_number = true)
      )
    ) WHERE ${kept.join(" AND ")}
  ) TO ${quoteLiteral(output)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)`;
  await using db = await DuckDB.create(":memory:");
  await db.run(sql);
  const [row] = await db.all(
    `SELECT count(*)::BIGINT AS n FROM read_parquet(${quoteLiteral(output)})`,
  );
  return Number(row.n);
}

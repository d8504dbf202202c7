/**
 * The `history` disposition (SCD type 2): every version of a row is kept, with
 * `_dvt_valid_from` (the run's start), `_dvt_valid_to` (NULL while current), `_dvt_is_current`
 * and `_dvt_row_hash` (a hash of the row's columns, so a row delivered again unchanged makes no
 * new version).
 *
 * Storage: a table's files are *closed parts* (versions no longer current, append-only: one
 * part per run that closed something) and one *current part* (the current version of every
 * key, rewritten by each run). A run reads only the current part and its own rows, so its cost
 * follows the number of live keys, not the length of the history; the view `<table>` unions
 * every part, `<table>_current` reads the current part alone. Closed parts are compacted into
 * one when there are more than {@linkcode MAX_CLOSED_PARTS}, so the number of files stays
 * bounded. Every output is a new file (see publish.ts): the published parts are never touched.
 *
 * One DuckDB statement computes the run: the current part left-joined with the run's rows (one
 * per key, the last delivered) yields each current version kept or closed, the run's rows
 * anti-joined on (key, hash) yield the new versions, and `COPY ... PARTITION_BY
 * (_dvt_is_current)` writes the closed and the current rows to their two files in one pass.
 *
 * @module
 */
import { DuckDB } from "../parquet/duckdb.ts";
import { ExtractError } from "../errors.ts";
import { quoteIdentifier, quoteLiteral } from "../util/sql.ts";

/** Columns every history table carries after its source columns. */
export const HISTORY_COLUMNS = [
  "_dvt_valid_from",
  "_dvt_valid_to",
  "_dvt_is_current",
  "_dvt_row_hash",
] as const;

/** `<table>_current`: the view of a history table's current versions. */
export const CURRENT_VIEW_SUFFIX = "_current";

/** More closed parts than this are compacted into one by the next run that closes versions. */
export const MAX_CLOSED_PARTS = 8;

/** DuckDB settings for the merge: bounded memory, spilling to the run's temp directory. */
const MEMORY_LIMIT = "512MB";

/** Whether a file (relative or absolute path) is a current part of a history table. */
export function isCurrentPart(file: string): boolean {
  return /-current(-[0-9]+)?\.parquet$/.test(file);
}

/** What one history run is computed from. */
export interface HistoryMerge {
  /** Source table name, for errors. */
  table: string;
  /** Absolute paths of the table's published current part(s); empty on the first run. */
  current: string[];
  /** Absolute paths of this run's Parquet files. */
  incoming: string[];
  primaryKey: string[];
  /** The run's start: `_dvt_valid_from` of new versions, `_dvt_valid_to` of closed ones. */
  validFrom: Date;
  /** Keys absent from the run's rows are deleted: the run read the whole table. */
  closeMissing: boolean;
  /** A BOOLEAN column whose true value marks a delivered row as a delete. */
  deletedFlag?: string;
  /** An absent directory the outputs are written under (a temp name, cleaned after crashes). */
  workDir: string;
  /**
   * The run delivered some key more than once: the last delivered row wins. Set by
   * {@linkcode mergeHistory} (the check is cheap; the de-duplication is not).
   */
  duplicateKeys?: boolean;
}

/** The files one history run wrote (absolute paths under `workDir`). */
export interface HistoryOutput {
  /** Versions this run closed (possibly none). */
  closed: string[];
  /** The current version of every live key (always at least one file, maybe with 0 rows). */
  current: string[];
  /** Rows in `current`. */
  currentRows: number;
  /** Rows in `closed`. */
  closedRows: number;
}

/**
 * Computes one run of a history table: writes the versions it closes and the new current part
 * under `workDir`.
 *
 * @example
 * ```ts ignore
 * const out = await mergeHistory({ table: "customers", current: [], incoming: ["/x/run.parquet"],
 *   primaryKey: ["id"], validFrom: new Date(), closeMissing: true, workDir: "/x/.tmp-r1-h" });
 * ```
 */
export async function mergeHistory(merge: HistoryMerge): Promise<HistoryOutput> {
  if (!merge.primaryKey.length) {
    throw new ExtractError(`table "${merge.table}" cannot keep history: it has no primary key`, {
      table: merge.table,
      hint: "set primary_key for it under tables: in dvt.yaml, or declare primaryKey in discover()",
    });
  }
  await Deno.mkdir(merge.workDir, { recursive: true });
  await using db = await DuckDB.create(":memory:", {
    // Row order within the outputs means nothing, and keeping it costs time and memory.
    settings: {
      memory_limit: MEMORY_LIMIT,
      temp_directory: `${merge.workDir}/spill`,
      preserve_insertion_order: "false",
    },
  });
  const columns = await describe(db, merge.incoming);
  checkColumns(merge, columns.map((column) => column.name));
  const shape = { incoming: columns, current: await currentColumns(db, merge.current) };
  merge = { ...merge, duplicateKeys: await hasDuplicateKeys(db, merge) };
  const partitioned = `${merge.workDir}/out`;
  await db.run(
    `COPY (${historySql(merge, shape)}) TO ${quoteLiteral(partitioned)} (FORMAT parquet, ` +
      `COMPRESSION zstd, ROW_GROUP_SIZE 122880, PARTITION_BY (_dvt_is_current), ` +
      `WRITE_PARTITION_COLUMNS true)`,
  );
  const closed = await partitionFiles(`${partitioned}/_dvt_is_current=false`);
  let current = await partitionFiles(`${partitioned}/_dvt_is_current=true`);
  if (!current.length) {
    // Every key is deleted: an empty current part keeps the `_current` view's columns.
    const empty = `${merge.workDir}/empty-current.parquet`;
    await db.run(
      `COPY (SELECT * FROM (${historySql(merge, shape)}) LIMIT 0) TO ${quoteLiteral(empty)} ` +
        `(FORMAT parquet, COMPRESSION zstd)`,
    );
    current = [empty];
  }
  return {
    closed,
    current,
    currentRows: await countRows(db, current),
    closedRows: await countRows(db, closed),
  };
}

/**
 * Rewrites closed parts into one file at `output` (same rows, same columns, unioned by name).
 * Returns its row count.
 */
export async function compactClosedParts(parts: string[], output: string): Promise<number> {
  await using db = await DuckDB.create(":memory:", { settings: { memory_limit: MEMORY_LIMIT } });
  await db.run(
    `COPY (SELECT * FROM read_parquet(${fileList(parts)}, union_by_name = true, ` +
      `hive_partitioning = false)) TO ` +
      `${quoteLiteral(output)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)`,
  );
  return await countRows(db, [output]);
}

/** A column as DuckDB describes it. */
export interface Column {
  name: string;
  /** SQL type, e.g. `DECIMAL(12,2)`. */
  type: string;
}

/** The source columns of the run's files and of the current part (absent on a first run). */
export interface HistoryShape {
  incoming: Column[];
  current?: Column[];
}

/**
 * The hash a current row is compared with: the stored `_dvt_row_hash` when the current part has
 * the run's columns, else a hash of the current row over the run's columns (NULL for those it
 * lacks, cast to the run's types), so a column added or retyped changes no row by itself. The
 * kept rows store it, so the next run compares like with like.
 */
function currentHashSql(hashed: Column[], current: Column[] | undefined): string {
  const same = current !== undefined && current.length === hashed.length &&
    current.every((column, i) => column.name === hashed[i].name && column.type === hashed[i].type);
  if (same || current === undefined) return "_dvt_row_hash";
  const names = new Set(current.map((column) => column.name));
  const values = hashed.map((column) =>
    names.has(column.name)
      ? `TRY_CAST(${quoteIdentifier(column.name)} AS ${column.type})`
      : `NULL::${column.type}`
  );
  return `hash(${values.join(", ")})`;
}

/** The SELECT producing every row the run writes: current rows kept or closed, new versions. */
export function historySql(merge: HistoryMerge, shape: HistoryShape): string {
  const at = `${quoteLiteral(merge.validFrom.toISOString())}::TIMESTAMPTZ`;
  const keys = merge.primaryKey.map(quoteIdentifier);
  const keyAliases = keys.map((_, i) => `__dvt_k${i}`);
  const joinOn = (left: string, right: string) =>
    keys.map((key, i) => `${left}.${key} IS NOT DISTINCT FROM ${right}.${keyAliases[i]}`)
      .join(" AND ");
  const aliased = keys.map((key, i) => `${key} AS ${keyAliases[i]}`).join(", ");
  const hashedColumns = shape.incoming.filter((column) => column.name !== merge.deletedFlag);
  const hashed = hashedColumns.map((column) => quoteIdentifier(column.name)).join(", ");
  const currentWithout = shape.current?.filter((column) => column.name !== merge.deletedFlag);
  const currentHash = currentHashSql(hashedColumns, currentWithout);
  const deleted = merge.deletedFlag
    ? `coalesce(${quoteIdentifier(merge.deletedFlag)}::BOOLEAN, false)`
    : "false";
  const incoming = fileList(merge.incoming);
  const hashes = `hash(${hashed}) AS __dvt_hash, ${deleted} AS __dvt_deleted`;
  const changes = !merge.duplicateKeys
    ? `SELECT *, ${hashes}
    FROM read_parquet(${incoming}, union_by_name = true, hive_partitioning = false)`
    : `SELECT * EXCLUDE (__dvt_file, __dvt_row, __dvt_rank), ${hashes}
    FROM (
      SELECT *, row_number() OVER (PARTITION BY ${keys.join(", ")}
        ORDER BY __dvt_file DESC, __dvt_row DESC) AS __dvt_rank
      FROM (
        SELECT * EXCLUDE (filename, file_row_number),
          list_position(${incoming}, filename) AS __dvt_file, file_row_number AS __dvt_row
        FROM read_parquet(${incoming}, union_by_name = true, filename = true,
          file_row_number = true, hive_partitioning = false)
      )
    ) WHERE __dvt_rank = 1`;
  const fresh = (oldHash: string) =>
    `SELECT * EXCLUDE (__dvt_hash, __dvt_deleted, __dvt_old_hash, ${keyAliases.join(", ")}),
      ${at} AS _dvt_valid_from, NULL::TIMESTAMPTZ AS _dvt_valid_to, true AS _dvt_is_current,
      __dvt_hash AS _dvt_row_hash
    FROM ${oldHash}
    WHERE NOT __dvt_deleted AND __dvt_old_hash IS DISTINCT FROM __dvt_hash`;
  if (!merge.current.length) {
    return `WITH changes AS (${changes})
      ${
      fresh(`(SELECT *, NULL::UBIGINT AS __dvt_old_hash, ${
        keyAliases.map((alias) => `NULL AS ${alias}`).join(", ")
      } FROM changes)`)
    }`;
  }
  const current = `read_parquet(${fileList(merge.current)}, union_by_name = true, ` +
    `hive_partitioning = false)`;
  const missing = merge.closeMissing ? "true" : "false";
  return `WITH changes AS (${changes}),
    matched AS (
      SELECT *, CASE WHEN __dvt_hit IS NULL THEN ${missing}
        ELSE __dvt_deleted OR __dvt_hash IS DISTINCT FROM __dvt_current_hash END AS __dvt_closes
      FROM (SELECT *, ${currentHash} AS __dvt_current_hash FROM ${current}) c
      LEFT JOIN (SELECT ${aliased}, __dvt_hash, __dvt_deleted, true AS __dvt_hit FROM changes) m
        ON ${joinOn("c", "m")}
    ),
    kept AS (
      SELECT * EXCLUDE (__dvt_closes, __dvt_current_hash, __dvt_hit, __dvt_hash, __dvt_deleted,
          ${keyAliases.join(", ")})
        REPLACE (
          CASE WHEN __dvt_closes THEN ${at} ELSE _dvt_valid_to END AS _dvt_valid_to,
          NOT __dvt_closes AS _dvt_is_current,
          __dvt_current_hash AS _dvt_row_hash)
      FROM matched
    ),
    fresh AS (${
    fresh(`(SELECT n.*, o.* FROM changes n
        LEFT JOIN (SELECT ${aliased}, ${currentHash} AS __dvt_old_hash FROM ${current}) o
        ON ${joinOn("n", "o")})`)
  })
    SELECT * FROM kept UNION ALL BY NAME SELECT * FROM fresh`;
}

/** Columns of Parquet files (unioned by name), in order. */
async function describe(db: DuckDB, files: string[]): Promise<Column[]> {
  const rows = await db.all(
    `DESCRIBE SELECT * FROM read_parquet(${fileList(files)}, union_by_name = true, ` +
      `hive_partitioning = false)`,
  );
  return rows.map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
}

/** The source columns of the current part, or undefined when there is none yet. */
async function currentColumns(db: DuckDB, current: string[]): Promise<Column[] | undefined> {
  if (!current.length) return undefined;
  const reserved: readonly string[] = HISTORY_COLUMNS;
  return (await describe(db, current)).filter((column) => !reserved.includes(column.name));
}

/** Whether some key occurs more than once in the run's files. */
async function hasDuplicateKeys(db: DuckDB, merge: HistoryMerge): Promise<boolean> {
  const keys = merge.primaryKey.map(quoteIdentifier).join(", ");
  const rows = await db.all(
    `SELECT 1 FROM read_parquet(${fileList(merge.incoming)}, union_by_name = true, ` +
      `hive_partitioning = false) GROUP BY ${keys} HAVING count(*) > 1 LIMIT 1`,
  );
  return rows.length > 0;
}

/** Fails the table when a configured column is missing or a source column is dvt's own. */
function checkColumns(merge: HistoryMerge, columns: string[]): void {
  const reserved = columns.find((c) => (HISTORY_COLUMNS as readonly string[]).includes(c));
  if (reserved) {
    throw new ExtractError(
      `table "${merge.table}" has a column "${reserved}", which history tables add themselves`,
      { table: merge.table, hint: "leave the column out, or use the merge disposition" },
    );
  }
  for (const column of [...merge.primaryKey, merge.deletedFlag ?? []].flat()) {
    if (!columns.includes(column)) {
      throw new ExtractError(`table "${merge.table}" has no column "${column}"`, {
        table: merge.table,
        hint: `its columns: ${columns.join(", ")}`,
      });
    }
  }
}

/** Parquet files DuckDB wrote into one partition directory; none when it wrote no rows. */
async function partitionFiles(dir: string): Promise<string[]> {
  try {
    const entries = await Array.fromAsync(Deno.readDir(dir));
    return entries.filter((e) => e.name.endsWith(".parquet")).map((e) => `${dir}/${e.name}`)
      .sort();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

async function countRows(db: DuckDB, files: string[]): Promise<number> {
  if (!files.length) return 0;
  const [row] = await db.all(
    `SELECT count(*)::BIGINT AS n FROM read_parquet(${fileList(files)}, union_by_name = true, ` +
      `hive_partitioning = false)`,
  );
  return Number(row.n);
}

function fileList(files: string[]): string {
  return `[${files.map(quoteLiteral).join(", ")}]`;
}

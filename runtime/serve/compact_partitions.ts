/**
 * Keeps a served table's partition count small. Each fold adds a file per table, and a view over
 * thousands of small files makes every query — and every fold, which rebuilds the views — open
 * each file's footer. When a month holds more than {@linkcode COMPACT_AFTER} files that folds
 * wrote (`...-w<seq>.parquet`), they are merged into one (DuckDB, zstd, in their order), named
 * with the highest log position they cover. Merges are tiered: a merged file has a level
 * (`<month>-<unique>.l<level>-w<seq>.parquet`) and only files of one level are merged into the
 * next, so a month keeps at most {@linkcode COMPACT_AFTER} files per level and each row is
 * rewritten only a few times however long `dvt serve` runs. The merged file replaces them in the
 * catalog the fold publishes; the old files are removed after that, as superseded generations
 * are.
 *
 * @module
 */
import { join } from "node:path";
import { DuckDB } from "../parquet/duckdb.ts";
import { type OutputLayout, TEMP_PREFIX } from "../extract/layout.ts";
import { quoteLiteral } from "../util/sql.ts";

/** Fold-written files of one month beyond which they are merged. */
export const COMPACT_AFTER = 32;

/** month, level (absent: 0), log position. Unique suffixes contain no dot. */
const SERVED = /^(\d{4}-\d{2})-[^.]*?(?:\.l(\d+))?-w(\d+)\.parquet$/;

/**
 * Returns `files` (relative paths of one table) with each month's fold-written files merged
 * into one when there are more than `threshold` of them. `engine`: the DuckDB to merge with (a
 * fold thread's, see fold_engine.ts); by default one is opened per merge.
 */
export async function compactPartitions(
  layout: OutputLayout,
  files: readonly string[],
  threshold = COMPACT_AFTER,
  engine?: DuckDB,
): Promise<string[]> {
  const groups = new Map<string, string[]>();
  for (const file of files) {
    const match = SERVED.exec(file.slice(file.lastIndexOf("/") + 1));
    if (!match) continue;
    const key = `${match[1]}/${Number(match[2] ?? 0)}`;
    groups.set(key, [...groups.get(key) ?? [], file]);
  }
  let result = [...files];
  for (const [key, group] of groups) {
    if (group.length <= threshold) continue;
    const [month, level] = key.split("/");
    const merged = await mergeFiles(layout, month, Number(level) + 1, group, engine);
    const first = result.indexOf(group[0]);
    result = result.filter((file) => !group.includes(file));
    result.splice(first, 0, merged);
  }
  return result;
}

async function mergeFiles(
  layout: OutputLayout,
  month: string,
  level: number,
  group: string[],
  engine: DuckDB | undefined,
): Promise<string> {
  const seq = Math.max(...group.map((file) => Number(SERVED.exec(file.split("/").pop()!)![3])));
  const dir = group[0].slice(0, group[0].lastIndexOf("/"));
  const unique = `${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 7)}`;
  const name = `${month}-${unique}.l${level}-w${seq}.parquet`;
  const temp = layout.absolute(join(dir, `${TEMP_PREFIX}${name}.part`));
  const list = group.map((file) => quoteLiteral(layout.absolute(file))).join(", ");
  await using own = engine ? undefined : await DuckDB.create(":memory:");
  const db = engine ?? own!;
  await db.run(
    `COPY (SELECT * FROM read_parquet([${list}], union_by_name = true)) TO ${
      quoteLiteral(temp)
    } (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)`,
  );
  await Deno.rename(temp, layout.absolute(`${dir}/${name}`));
  return `${dir}/${name}`;
}

/**
 * Publishing protocol: how a run replaces the previous extract so that a crash or `kill -9` at
 * any instant leaves a complete, consistent extract readable.
 *
 * 1. Start: remove leftovers of crashed runs — `data/.tmp-*` files, `extract.duckdb.tmp-*`
 *    databases, `.dvt/*.tmp-*` files — and generation files no view of the published
 *    `extract.duckdb` references (written by a run that died before publishing, or superseded
 *    by a run that died before its final clean-up).
 * 2. Data: each table is written to `data/.tmp-<run>-<name>.part`, fsynced, then renamed to a
 *    name unique to this run, `data/<name>.<run>.parquet`. No file the published database
 *    references is ever rewritten, renamed or deleted, so its views keep reading valid files.
 *    (A fixed `data/<name>.parquet` renamed in place would change what the *old* views read
 *    before the new `_meta` describes it — a window where rows and `_meta` disagree, or where
 *    a view's columns changed under it.)
 * 3. Catalog: the new `extract.duckdb` is built aside as `extract.duckdb.tmp-<run>`,
 *    CHECKPOINTed and closed, then renamed over `extract.duckdb` — one atomic rename; the old
 *    database is never deleted first. Readers that opened the old file keep its inode.
 * 4. State: `.dvt/state.json` and schema snapshots are written (temp file + rename) after the
 *    catalog is published. State carries the run id of the catalog it describes; if a crash
 *    lands between 3 and 4, the next run sees the mismatch and rebuilds state from `_meta`
 *    (whose cursor columns are published atomically with the data).
 * 5. Clean-up: generation files the new catalog no longer references are deleted last.
 *
 * Stream tables follow the same rule: partitions are written under a temp name and renamed into
 * `data/<name>/`, but the view reads only the partition files `_meta` lists (never a glob), so
 * a partition finished by a run that then fails is invisible, and removed as unreferenced at
 * the next clean-up. An existing partition is never reopened or rewritten.
 *
 * @module
 */
import { basename, join } from "node:path";
import { GENERATION_FILE, type OutputLayout, TEMP_PREFIX } from "./layout.ts";

/** Renames `from` to `to`, replacing `to` atomically (POSIX rename semantics). */
export async function renameOver(from: string, to: string): Promise<void> {
  await Deno.rename(from, to);
}

/**
 * Publishes a database built aside: drops its (empty, after CHECKPOINT) WAL, drops a stale WAL
 * of the old database so DuckDB never replays it onto the new file, then renames over.
 */
export async function publishDatabase(tempPath: string, finalPath: string): Promise<void> {
  await removeIfExists(`${tempPath}.wal`);
  await removeIfExists(`${finalPath}.wal`);
  await renameOver(tempPath, finalPath);
}

/** Removes a file, ignoring "not found". */
export async function removeIfExists(path: string): Promise<void> {
  try {
    await Deno.remove(path, { recursive: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/**
 * Removes leftovers of crashed runs, and generation files and stream partitions not in
 * `referenced` (relative paths as stored in `_meta`, e.g. `data/orders.r1-a.parquet`,
 * `data/events/2026-01-<unique>.parquet`). Returns what it removed.
 */
export async function cleanUpStaleFiles(
  layout: OutputLayout,
  referenced: ReadonlySet<string>,
): Promise<string[]> {
  const removed: string[] = [];
  const remove = async (path: string) => {
    await removeIfExists(path);
    removed.push(path);
  };
  for (const entry of await listDir(layout.root)) {
    if (entry.name.startsWith(`${basename(layout.database)}${TEMP_PREFIX}`)) {
      await remove(join(layout.root, entry.name));
    }
  }
  for (const entry of await listDir(layout.stateDir)) {
    if (entry.name.includes(TEMP_PREFIX)) await remove(join(layout.stateDir, entry.name));
  }
  for (const entry of await listDir(layout.schemasDir)) {
    if (entry.name.includes(TEMP_PREFIX)) await remove(join(layout.schemasDir, entry.name));
  }
  for (const entry of await listDir(layout.dataDir)) {
    const path = join(layout.dataDir, entry.name);
    if (entry.name.startsWith(TEMP_PREFIX)) {
      await remove(path);
    } else if (entry.isFile && GENERATION_FILE.test(entry.name)) {
      if (!referenced.has(`data/${entry.name}`)) await remove(path);
    } else if (entry.isDirectory) {
      // Extracts written before partitions were listed reference the whole directory by glob.
      const wholeDirectory = referenced.has(`data/${entry.name}/*.parquet`);
      for (const part of await listDir(path)) {
        const unreferenced = !wholeDirectory && part.name.endsWith(".parquet") &&
          !referenced.has(`data/${entry.name}/${part.name}`);
        if (part.name.startsWith(TEMP_PREFIX) || unreferenced) await remove(join(path, part.name));
      }
    }
  }
  return removed;
}

async function listDir(path: string): Promise<Deno.DirEntry[]> {
  try {
    return await Array.fromAsync(Deno.readDir(path));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

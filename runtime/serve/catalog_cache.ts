/**
 * The catalog a fold last published, kept in memory so the next fold need not open
 * `extract.duckdb` to read it back (a DuckDB open, query and close per fold, the largest part of
 * a fold's time). It is used only while the published file is still the one this fold wrote:
 * same inode, size, modification and change time. Anything else that publishes (`dvt extract`, another
 * fold) renames a new file over it, and the catalog is read from the file again.
 *
 * @module
 */
import type { Catalog } from "../extract/catalog.ts";
import { readCatalog } from "../extract/catalog.ts";
import type { DuckDB } from "../parquet/duckdb.ts";

interface Cached {
  path: string;
  identity: string;
  catalog: Catalog;
}

let cached: Cached | undefined;

/** The catalog published at `path`: the remembered one when the file is unchanged. */
export async function publishedCatalog(path: string, engine?: DuckDB): Promise<Catalog> {
  if (cached?.path === path && cached.identity === await identityOf(path)) return cached.catalog;
  cached = undefined;
  return await readCatalog(path, engine);
}

/** Remembers `catalog` as what was just published at `path`. */
export async function rememberPublished(path: string, catalog: Catalog): Promise<void> {
  cached = { path, identity: await identityOf(path), catalog };
}

/** Forgets what was remembered (after a fold that failed midway). */
export function forgetPublished(): void {
  cached = undefined;
}

async function identityOf(path: string): Promise<string> {
  try {
    const info = await Deno.stat(path);
    return `${info.ino}/${info.size}/${info.mtime?.getTime()}/${info.ctime?.getTime()}`;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "absent";
    throw error;
  }
}

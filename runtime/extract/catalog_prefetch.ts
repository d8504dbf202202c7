/**
 * A published catalog read ahead, before the run holds its lock, and used only while the
 * database is provably the one that was read. Reading extract.duckdb is the first thing a run
 * waits for once its lock is taken; the catalog thread can do it while the pipeline still loads
 * and the connector discovers. Publishing replaces the file by rename (a new inode), and anything
 * writing into it in place changes its size or modification time, or leaves a WAL beside it: the
 * identity of both files, taken before and after the read, tells whether the read still holds.
 *
 * @module
 */
import type { Catalog } from "./catalog.ts";

/** What identifies a file's content for this purpose; "absent" when there is none. */
type FileIdentity = string;

async function identityOf(path: string): Promise<FileIdentity> {
  try {
    const info = await Deno.stat(path);
    return [info.dev, info.ino, info.size, info.mtime?.getTime(), info.ctime?.getTime()].join(":");
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "absent";
    throw error;
  }
}

/** The identity of a database file and of its write-ahead log. */
export async function databaseIdentity(path: string): Promise<FileIdentity> {
  return `${await identityOf(path)}|${await identityOf(`${path}.wal`)}`;
}

/** Catalogs read ahead, by path; each is handed out at most once. */
export class CatalogPrefetch {
  readonly #ahead = new Map<string, { identity: FileIdentity; catalog: Catalog }>();

  /** Reads `path` with `read` and keeps the catalog if the database did not change meanwhile. */
  async fetch(path: string, read: (path: string) => Promise<Catalog>): Promise<void> {
    this.#ahead.delete(path);
    const before = await databaseIdentity(path);
    const catalog = await read(path);
    if (await databaseIdentity(path) === before) {
      this.#ahead.set(path, { identity: before, catalog });
    }
  }

  /** The catalog read ahead for `path` if the database is still the one read, else undefined. */
  async take(path: string): Promise<Catalog | undefined> {
    const ahead = this.#ahead.get(path);
    this.#ahead.delete(path);
    if (!ahead) return undefined;
    return await databaseIdentity(path) === ahead.identity ? ahead.catalog : undefined;
  }
}

/**
 * The published catalog kept as JSON (`.dvt/catalog.json`) beside the database it describes, so
 * that the next run reads it without DuckDB. Reading extract.duckdb needs DuckDB's native addon
 * loaded on the catalog thread (~0.3 s of CPU from the start of the process): with the pipeline
 * loading faster than that, the run waited for it before it could read a single table. DuckDB is
 * still loaded for the build at publish, which comes much later.
 *
 * The snapshot holds the identity (device, inode, size, modification and change times) of
 * extract.duckdb and of its WAL right after this run published it (catalog_prefetch.ts). It is
 * used only while both are still those files: any publish is a rename (a new inode), anything
 * writing into the database changes its size or times or leaves a WAL. Whatever else is found
 * — no file, a file cut short by a crash, another version, another database — means reading
 * extract.duckdb as before. The rows are the ones the database was built from (catalog.ts's
 * `metaRow`, `remoteRow`), read back through the same functions as the database's rows.
 *
 * @module
 */
import { join } from "node:path";
import {
  type Catalog,
  type CatalogEntry,
  entryFromMetaRow,
  type MetaRow,
  metaRow,
  remoteFromRow,
  remoteRow,
} from "./catalog.ts";
import { databaseIdentity } from "./catalog_prefetch.ts";
import type { OutputLayout } from "./layout.ts";
import type { RemoteAttachInfo } from "../protocol.ts";
import { TEMPORARY_INFIX } from "../util/atomic_write.ts";

const VERSION = 1;

/** What `.dvt/catalog.json` holds. */
interface CatalogSnapshot {
  version: number;
  /** databaseIdentity() of extract.duckdb when the snapshot was written. */
  database: string;
  runId: string;
  meta: MetaRow[];
  remote: ReturnType<typeof remoteRow>[];
}

/** Where the snapshot of an output directory's catalog is kept. */
export function catalogSnapshotFile(layout: OutputLayout): string {
  return join(layout.stateDir, "catalog.json");
}

/**
 * Records the catalog just published at `layout.database` (call right after the rename). Not
 * synced: after a crash the file is this one, an older one or a cut one, and none of those
 * match the database's identity or parse, so the next run reads extract.duckdb.
 */
export async function saveCatalogSnapshot(
  layout: OutputLayout,
  runId: string,
  entries: readonly CatalogEntry[],
  remote: readonly RemoteAttachInfo[],
): Promise<void> {
  const snapshot: CatalogSnapshot = {
    version: VERSION,
    database: await databaseIdentity(layout.database),
    runId,
    meta: entries.map(metaRow).sort((a, b) => compare(a.table_name, b.table_name)),
    remote: remote.map(remoteRow),
  };
  const file = catalogSnapshotFile(layout);
  const temporary = `${file}${TEMPORARY_INFIX}${crypto.randomUUID().slice(0, 8)}`;
  try {
    await Deno.writeTextFile(temporary, JSON.stringify(snapshot));
    await Deno.rename(temporary, file);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
}

/**
 * The catalog published at `layout.database`, from its snapshot; undefined unless the snapshot
 * exists, parses, and describes the database and WAL as they are now.
 */
export async function readCatalogSnapshot(layout: OutputLayout): Promise<Catalog | undefined> {
  let snapshot: CatalogSnapshot;
  try {
    snapshot = JSON.parse(await Deno.readTextFile(catalogSnapshotFile(layout)));
  } catch {
    return undefined; // none, unreadable or cut short: the database is read instead
  }
  if (
    snapshot?.version !== VERSION || !Array.isArray(snapshot.meta) ||
    !Array.isArray(snapshot.remote) || typeof snapshot.runId !== "string"
  ) {
    return undefined;
  }
  if (await databaseIdentity(layout.database) !== snapshot.database) return undefined;
  return {
    runId: snapshot.runId,
    entries: snapshot.meta.map(entryFromMetaRow),
    remote: snapshot.remote.map(remoteFromRow),
  };
}

/** The order of `ORDER BY table_name` for the names dvt publishes (lower-case ASCII). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A table whose name changed (a new `destination`) takes its kept files along: each earlier
 * file is hard-linked (copied where links are not possible) under the new name, so the view
 * and every file it reads carry the new name. The old files stay until the new catalog is
 * published, and are then removed as unreferenced; a crash in between leaves only unreferenced
 * new links, which the next run cleans up.
 *
 * @module
 */
import type { CatalogEntry } from "./catalog.ts";
import { type OutputLayout, TEMP_PREFIX } from "./layout.ts";

/** Links `from` to `to`, replacing a leftover at `to`; copies when hard links fail. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  await Deno.remove(to).catch(() => {});
  try {
    await Deno.link(from, to);
  } catch {
    await Deno.copyFile(from, to);
  }
}

/** The files an entry lists, with a legacy `<dir>/*.parquet` glob expanded to its partitions. */
async function listedFiles(layout: OutputLayout, entry: CatalogEntry): Promise<string[]> {
  const files: string[] = [];
  for (const file of entry.files) {
    if (!file.endsWith("/*.parquet")) {
      files.push(file);
      continue;
    }
    const dir = file.slice(0, -"/*.parquet".length);
    for await (const part of Deno.readDir(layout.absolute(dir))) {
      if (part.name.endsWith(".parquet") && !part.name.startsWith(TEMP_PREFIX)) {
        files.push(`${dir}/${part.name}`);
      }
    }
  }
  return files.sort();
}

/** `data/<old>.<gen>.parquet` -> `data/<new>.<gen>.parquet`; `data/<old>/<p>` -> `data/<new>/<p>`. */
function renamedPath(file: string, oldName: string, newName: string): string {
  const prefix = `data/${oldName}`;
  if (!file.startsWith(prefix)) return file;
  return `data/${newName}${file.slice(prefix.length)}`;
}

/**
 * The previous entry as seen under `name`: unchanged when the name did not change, else with
 * its files linked under the new name (same generation suffixes and partition names).
 */
export async function carryOverRenamed(
  layout: OutputLayout,
  previous: CatalogEntry | undefined,
  name: string,
): Promise<CatalogEntry | undefined> {
  if (!previous || previous.name === name || previous.queryMode !== "local") return previous;
  const files: string[] = [];
  for (const file of await listedFiles(layout, previous)) {
    const renamed = renamedPath(file, previous.name, name);
    if (renamed !== file) {
      if (renamed.startsWith(`data/${name}/`)) {
        await Deno.mkdir(layout.absolute(layout.streamDir(name)), { recursive: true });
      }
      await linkOrCopy(layout.absolute(file), layout.absolute(renamed));
    }
    files.push(renamed);
  }
  return { ...previous, name, files };
}

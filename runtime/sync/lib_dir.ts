/**
 * Placing JARs in a lib directory (`$DVT_HOME/lib/jdbc/`, `.../native/`). Files are copied from
 * the cache under a temporary name and renamed, so a reader never sees a partial JAR. A manifest
 * (`.dvt-manifest.json`) records which files dvt placed, with their sha256: only those are ever
 * removed when no longer needed; files a user put there are left alone.
 *
 * @module
 */
import { join } from "node:path";
import { InputError } from "../errors.ts";
import { hashFile } from "../maven/checksums.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";
import { readTextIfExists } from "../maven/local_cache.ts";

/** Name of the manifest file in each lib directory. */
export const MANIFEST_NAME = ".dvt-manifest.json";

/** A file that must be in the lib directory. */
export interface LibFile {
  fileName: string;
  /** Verified source in the cache. */
  sourcePath: string;
  sha256: string;
  size: number;
}

/** What placing changed. */
export interface PlaceResult {
  /** Files copied in this run. */
  placed: string[];
  /** Files dvt had placed earlier and removed as no longer needed. */
  removed: string[];
}

interface Manifest {
  files: Record<string, string>;
}

/** The files dvt placed in a directory earlier (name -> sha256). */
export async function readManifest(directory: string): Promise<Record<string, string>> {
  const text = await readTextIfExists(join(directory, MANIFEST_NAME));
  if (text === undefined) return {};
  try {
    const files = (JSON.parse(text) as Manifest).files;
    if (typeof files !== "object" || !files) return {};
    // Only plain file names inside this directory: a tampered manifest must not steer deletion.
    return Object.fromEntries(Object.entries(files).filter(([name]) => isPlainFileName(name)));
  } catch {
    return {}; // a damaged manifest only means dvt forgets what it owned: never deletes more
  }
}

/** Temporary copies a crashed run may have left (`.<name>.tmp-<8 hex>`): dvt's own, removed. */
async function removeLeftoverTemporaries(directory: string): Promise<void> {
  for await (const entry of Deno.readDir(directory)) {
    if (entry.isFile && /^\..+\.tmp-[0-9a-f]{8}$/.test(entry.name)) {
      await Deno.remove(join(directory, entry.name)).catch(() => {});
    }
  }
}

function isPlainFileName(name: string): boolean {
  return /^[A-Za-z0-9_+-][A-Za-z0-9_.+-]*$/.test(name);
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await Deno.stat(path)).size;
  } catch {
    return undefined;
  }
}

/** Makes `directory` hold exactly `files` among the files dvt owns there. */
export async function placeLibFiles(directory: string, files: readonly LibFile[]) {
  await Deno.mkdir(directory, { recursive: true });
  await removeLeftoverTemporaries(directory);
  const owned = await readManifest(directory);
  const result: PlaceResult = { placed: [], removed: [] };
  for (const file of files) {
    const target = join(directory, file.fileName);
    const size = await sizeOf(target);
    if (size !== undefined && await alreadyInPlace(file, target, size, owned[file.fileName])) {
      continue;
    }
    const temporary = join(directory, `.${file.fileName}.tmp-${crypto.randomUUID().slice(0, 8)}`);
    try {
      await Deno.copyFile(file.sourcePath, temporary);
      await Deno.rename(temporary, target);
    } catch (error) {
      await Deno.remove(temporary).catch(() => {});
      throw error;
    }
    result.placed.push(file.fileName);
  }
  const wanted = new Set(files.map((file) => file.fileName));
  for (const name of Object.keys(owned)) {
    if (wanted.has(name)) continue;
    await Deno.remove(join(directory, name)).catch(() => {});
    result.removed.push(name);
  }
  const manifest: Manifest = {
    files: Object.fromEntries(
      [...files].sort((a, b) => a.fileName.localeCompare(b.fileName)).map((f) => [
        f.fileName,
        f.sha256,
      ]),
    ),
  };
  await writeFileAtomic(join(directory, MANIFEST_NAME), JSON.stringify(manifest, null, 2) + "\n");
  return result;
}

/**
 * Whether the target already holds the right bytes. A dvt-owned file is trusted by sha256 and
 * size; a file dvt did not place is hashed, adopted when identical, and otherwise refused
 * (dvt never overwrites a user's file).
 */
async function alreadyInPlace(
  file: LibFile,
  target: string,
  size: number,
  ownedSha256: string | undefined,
): Promise<boolean> {
  if (ownedSha256 !== undefined) return ownedSha256 === file.sha256 && size === file.size;
  if ((await hashFile(target)).sha256 === file.sha256) return true;
  throw new InputError(
    `${target} exists, was not placed by dvt and differs from ${file.fileName}`,
    {
      hint: "move or remove that file, then run dvt sync again",
    },
  );
}

/**
 * What is at a path, the one check for it: a file, a directory, something else, or nothing.
 *
 * @module
 */

/** The kind of thing a path names, symlinks followed. */
export type PathKind = "file" | "directory" | "other";

/**
 * What is at `path`, or `undefined` when nothing is there that dvt may see (missing, a broken
 * link, no permission): every caller treats those alike, as "not found".
 *
 * @example
 * ```ts
 * import { pathKind } from "./path_kind.ts";
 * if (await pathKind(Deno.cwd()) !== "directory") throw new Error("unreachable");
 * ```
 */
export async function pathKind(path: string): Promise<PathKind | undefined> {
  const info = await Deno.stat(path).catch(() => undefined);
  if (!info) return undefined;
  return info.isFile ? "file" : info.isDirectory ? "directory" : "other";
}

/** True when `path` is a regular file (or a link to one). */
export async function isFile(path: string): Promise<boolean> {
  return await pathKind(path) === "file";
}

/** True when `path` is a directory (or a link to one). */
export async function isDirectory(path: string): Promise<boolean> {
  return await pathKind(path) === "directory";
}

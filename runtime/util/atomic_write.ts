/**
 * Writing a whole file so that readers, and a crash, only ever see the old content or the new:
 * write a temporary sibling, fsync it, rename it over. Extract state, schema snapshots, the
 * Maven cache, dvt.lock and connector bundles all write through here.
 *
 * @module
 */
import { dirname } from "node:path";

/**
 * Infix of temporary siblings: `<file>.tmp-<8 hex>`. The leftover cleanup of extracts
 * (publish.ts) and of lib directories (sync/lib_dir.ts) recognises it.
 */
export const TEMPORARY_INFIX = ".tmp-";

/**
 * Replaces `path` with `data` atomically (on one file system), creating its directory. The
 * temporary file is removed when anything fails.
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from "./atomic_write.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/state.json`, "{}");
 * if (await Deno.readTextFile(`${dir}/state.json`) !== "{}") throw new Error();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const temporary = `${path}${TEMPORARY_INFIX}${crypto.randomUUID().slice(0, 8)}`;
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  try {
    const file = await Deno.open(temporary, { write: true, createNew: true });
    try {
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      // Durable before it becomes visible: a crash after the rename never exposes a short file.
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
}

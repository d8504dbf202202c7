/**
 * One run at a time per output directory. A second concurrent run would clean up the first
 * one's temp files (they look like leftovers of a crash) and race on the catalog, so it is
 * refused. A lock left by a killed run is taken over: its process no longer exists.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { ExtractError } from "../errors.ts";

/** Contents of `.dvt/lock`. */
interface LockInfo {
  pid: number;
  hostname: string;
  startedAt: string;
}

/** Whether the process that wrote `info` may still run. Unknown (other host, no /proc): yes. */
async function holderAlive(info: LockInfo): Promise<boolean> {
  if (info.hostname !== Deno.hostname()) return true;
  try {
    await Deno.stat(`/proc/${info.pid}`);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return Deno.build.os !== "linux";
    return true;
  }
}

/** A held lock; release it with `await using` or `release()`. */
export interface RunLock extends AsyncDisposable {
  release(): Promise<void>;
}

/** Takes the lock of a state directory, or throws ExtractError naming the holder. */
export async function acquireRunLock(stateDir: string): Promise<RunLock> {
  await Deno.mkdir(stateDir, { recursive: true });
  const path = join(stateDir, "lock");
  const info: LockInfo = {
    pid: Deno.pid,
    hostname: Deno.hostname(),
    startedAt: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await Deno.writeTextFile(path, JSON.stringify(info), { createNew: true });
      let released = false;
      const release = async () => {
        if (released) return;
        released = true;
        await Deno.remove(path).catch(() => {});
      };
      return { release, [Symbol.asyncDispose]: release };
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      const holder = await readLock(path);
      if (holder && await holderAlive(holder)) {
        throw new ExtractError(
          `another dvt extract (pid ${holder.pid} on ${holder.hostname}, started ${holder.startedAt}) is writing ${
            dirname(stateDir)
          }`,
          { hint: `wait for it to finish; if it is not running, delete ${path}` },
        );
      }
      await Deno.remove(path).catch(() => {});
    }
  }
  throw new ExtractError(`could not take the lock ${path}`, { hint: `delete ${path} and retry` });
}

async function readLock(path: string): Promise<LockInfo | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as LockInfo;
  } catch {
    return undefined;
  }
}

/**
 * One run at a time per output directory. A second concurrent run would clean up the first
 * one's temp files (they look like leftovers of a crash) and race on the catalog, so it is
 * refused. A lock left by a killed run is taken over: its process no longer exists. `dvt serve`
 * holds the same lock only while it folds events into the extract (a brief hold, marked so in the
 * lock file): a run that finds a brief holder waits for it instead of failing.
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
  /** The command holding the lock; absent in locks written before it was recorded: extract. */
  holder?: string;
  /** The hold lasts a moment (a serve flush), so others wait for it. */
  brief?: boolean;
}

/** Options of {@linkcode acquireRunLock}. */
export interface RunLockOptions {
  /** The command taking the lock, named to whoever finds it held. Default "dvt extract". */
  holder?: string;
  /** This hold is short: others wait for it instead of failing. */
  brief?: boolean;
  /** How long to wait for a live holder; default: 0, or 60 s when the holder's hold is brief. */
  waitMs?: number;
}

/** How long a run waits for a brief holder (a serve flush takes well under a second). */
const BRIEF_WAIT_MS = 60_000;
const POLL_MS = 50;

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

/** The lock is held by a live process (named in the message). */
export class LockHeldError extends ExtractError {}

/** A held lock; release it with `await using` or `release()`. */
export interface RunLock extends AsyncDisposable {
  release(): Promise<void>;
}

/** Takes the lock of a state directory, or throws ExtractError naming the holder. */
export async function acquireRunLock(
  stateDir: string,
  options: RunLockOptions = {},
): Promise<RunLock> {
  await Deno.mkdir(stateDir, { recursive: true });
  const path = join(stateDir, "lock");
  const info: LockInfo = {
    pid: Deno.pid,
    hostname: Deno.hostname(),
    startedAt: new Date().toISOString(),
    holder: options.holder ?? "dvt extract",
    ...options.brief ? { brief: true } : {},
  };
  const started = Date.now();
  for (let takeovers = 0; takeovers < 2;) {
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
        const waitMs = Math.max(options.waitMs ?? 0, holder.brief ? BRIEF_WAIT_MS : 0);
        if (Date.now() - started < waitMs) {
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
          continue;
        }
        throw new LockHeldError(
          `another ${
            holder.holder ?? "dvt extract"
          } (pid ${holder.pid} on ${holder.hostname}, started ${holder.startedAt}) is writing ${
            dirname(stateDir)
          }`,
          { hint: `wait for it to finish; if it is not running, delete ${path}` },
        );
      }
      // An unreadable lock is being written right now, or its writer died mid-write.
      if (!holder && await justCreated(path)) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        continue;
      }
      takeovers++;
      await Deno.remove(path).catch(() => {});
    }
  }
  throw new ExtractError(`could not take the lock ${path}`, { hint: `delete ${path} and retry` });
}

/** Whether the file was created a moment ago (its writer may not have written it yet). */
async function justCreated(path: string): Promise<boolean> {
  const stat = await Deno.stat(path).catch(() => undefined);
  return !!stat?.mtime && Date.now() - stat.mtime.getTime() < 2_000;
}

async function readLock(path: string): Promise<LockInfo | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as LockInfo;
  } catch {
    return undefined;
  }
}

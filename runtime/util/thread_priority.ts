/**
 * Lowers the OS scheduling priority of the calling thread alone (Linux: `setpriority` on the
 * thread's id, which applies per thread; threads it starts afterwards inherit it). For work that
 * must not take a core from a latency-sensitive thread of the same process. Elsewhere (no
 * `/proc/thread-self`) it does nothing and says so.
 *
 * @module
 */
import { setPriority } from "node:os";

/** Sets the calling thread's niceness (0-19); returns whether it was applied. */
export function lowerThreadPriority(niceness: number): boolean {
  let tid: number;
  try {
    // "/proc/thread-self" links to "<pid>/task/<tid>".
    tid = Number(Deno.readLinkSync("/proc/thread-self").split("/").pop());
  } catch {
    return false;
  }
  if (!Number.isInteger(tid) || tid <= 0) return false;
  try {
    setPriority(tid, niceness);
    return true;
  } catch {
    // Not permitted (a lower niceness than now needs privileges): run at the current one.
    return false;
  }
}

/** The niceness of a thread of this process (Linux), or undefined where it cannot be read. */
export function threadNiceness(tid: number): number | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/self/task/${tid}/stat`);
    // Fields after the command name (which may contain spaces) in parentheses; nice is field 19.
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
  } catch {
    return undefined;
  }
}

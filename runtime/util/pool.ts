/**
 * Bounded concurrency, the one helper for it: tables extracted in parallel, artifacts
 * downloaded, POMs fetched, each with at most N in flight.
 *
 * @module
 */

/** Runs the tasks handed to it with at most a fixed number running at once. */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/**
 * Returns a limiter: tasks start in the order they were submitted, at most `limit` at a time.
 *
 * @example
 * ```ts
 * import { createLimiter } from "./pool.ts";
 * const run = createLimiter(2);
 * const doubled = await Promise.all([1, 2, 3].map((n) => run(async () => n * 2)));
 * if (doubled.join() !== "2,4,6") throw new Error("unreachable");
 * ```
 */
export function createLimiter(limit: number): Limiter {
  const cap = Math.max(1, Math.floor(limit));
  let running = 0;
  const waiting: Array<() => void> = [];
  // A finishing task hands its slot straight to the next waiter, so the cap is never exceeded.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= cap) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await task();
    } finally {
      release();
    }
  };
}

/** Runs `work` over `items` with at most `limit` at a time; rejects with the first failure. */
export async function pool<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const run = createLimiter(limit);
  await Promise.all(items.map((item) => run(() => work(item))));
}

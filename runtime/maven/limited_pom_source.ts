/**
 * A {@linkcode PomSource} wrapper that caps how many fetches run at once: the resolver asks for
 * a whole breadth-first level of POMs together, and a repository should not see dozens of
 * simultaneous requests from one client.
 *
 * @module
 */
import type { FetchedPom, PomSource } from "./pom_source.ts";

/** Wraps a source so that at most `limit` of its fetches are in flight. */
export function limitPomSource(source: PomSource, limit: number): PomSource {
  const run = createLimiter(Math.max(1, Math.floor(limit)));
  return {
    repositories: source.repositories,
    fetchPom: (groupId, artifactId, version): Promise<FetchedPom | undefined> =>
      run(() => source.fetchPom(groupId, artifactId, version)),
    fetchMetadata: (groupId, artifactId): Promise<string | undefined> =>
      run(() => source.fetchMetadata(groupId, artifactId)),
  };
}

/** Runs tasks with at most `limit` running at once, in the order they were submitted. */
export function createLimiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  // A finishing task hands its slot straight to the next waiter, so the cap is never exceeded.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await task();
    } finally {
      release();
    }
  };
}

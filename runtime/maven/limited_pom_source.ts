/**
 * A {@linkcode PomSource} wrapper that caps how many fetches run at once: the resolver asks for
 * a whole breadth-first level of POMs together, and a repository should not see dozens of
 * simultaneous requests from one client.
 *
 * @module
 */
import { createLimiter } from "../util/pool.ts";
import type { FetchedPom, PomSource } from "./pom_source.ts";

/** Wraps a source so that at most `limit` of its fetches are in flight. */
export function limitPomSource(source: PomSource, limit: number): PomSource {
  const run = createLimiter(limit);
  return {
    repositories: source.repositories,
    fetchPom: (groupId, artifactId, version): Promise<FetchedPom | undefined> =>
      run(() => source.fetchPom(groupId, artifactId, version)),
    fetchMetadata: (groupId, artifactId): Promise<string | undefined> =>
      run(() => source.fetchMetadata(groupId, artifactId)),
  };
}

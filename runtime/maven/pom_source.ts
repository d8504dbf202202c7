/**
 * Where the resolver gets POMs and version lists from. The HTTP repository client, the local
 * cache and the directory-backed source used by tests all implement this one interface.
 *
 * @module
 */

/** A POM's text and the repository it came from. */
export interface FetchedPom {
  /** The raw POM XML. */
  xml: string;
  /** Base URL (or directory) of the repository that had it. */
  repository: string;
}

/** Supplies POMs and `maven-metadata.xml` files to the resolver. */
export interface PomSource {
  /** Raw POM XML, or undefined when no repository has it. `repository` = base URL it came from. */
  fetchPom(groupId: string, artifactId: string, version: string): Promise<FetchedPom | undefined>;
  /** Raw maven-metadata.xml (for version ranges), or undefined. */
  fetchMetadata(groupId: string, artifactId: string): Promise<string | undefined>;
  /** The repositories this source tries, in order; named in "not found" errors when present. */
  readonly repositories?: readonly string[];
}

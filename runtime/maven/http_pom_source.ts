/**
 * The resolver's PomSource over HTTP repositories with the local cache in front: a POM is read
 * from the cache when present (POMs of a release never change), else from the repositories in
 * order, verified against the checksums the repository publishes, and stored in the cache.
 * `maven-metadata.xml` changes over time, so it is fetched fresh online and read from the cache
 * only offline.
 *
 * @module
 */
import { hashBytes } from "./checksums.ts";
import { metadataPath, pomPath } from "./coordinates.ts";
import { verify } from "./download.ts";
import type { LocalCache } from "./local_cache.ts";
import type { FetchedPom, PomSource } from "./pom_source.ts";
import {
  fetchBytes,
  type FetchFunction,
  fetchPublishedChecksums,
  fetchText,
} from "./repository_client.ts";
import type { Repository } from "./repositories.ts";

/** Options of {@linkcode HttpPomSource}. */
export interface HttpPomSourceOptions {
  repositories: readonly Repository[];
  cache: LocalCache;
  fetch: FetchFunction;
  /** Only the cache; never contact a repository. */
  offline: boolean;
}

const decoder = new TextDecoder();

/** PomSource backed by the local cache and HTTP repositories. */
export class HttpPomSource implements PomSource {
  readonly repositories: readonly string[];
  #options: HttpPomSourceOptions;
  #poms = new Map<string, Promise<FetchedPom | undefined>>();
  #metadata = new Map<string, Promise<string | undefined>>();

  constructor(options: HttpPomSourceOptions) {
    this.#options = options;
    this.repositories = options.offline
      ? [options.cache.root]
      : options.repositories.map((repo) => repo.url);
  }

  /** A POM from the cache or the first repository that has it. Memoised per run. */
  fetchPom(groupId: string, artifactId: string, version: string): Promise<FetchedPom | undefined> {
    const relative = pomPath(groupId, artifactId, version);
    let pending = this.#poms.get(relative);
    if (!pending) {
      pending = this.#loadPom(relative, `${groupId}:${artifactId}:pom:${version}`);
      this.#poms.set(relative, pending);
    }
    return pending;
  }

  /** `maven-metadata.xml`: fresh from the first repository having it, or cached when offline. */
  fetchMetadata(groupId: string, artifactId: string): Promise<string | undefined> {
    const relative = metadataPath(groupId, artifactId);
    let pending = this.#metadata.get(relative);
    if (!pending) {
      pending = this.#loadMetadata(relative, `${groupId}:${artifactId} maven-metadata.xml`);
      this.#metadata.set(relative, pending);
    }
    return pending;
  }

  async #loadPom(relative: string, what: string): Promise<FetchedPom | undefined> {
    const { cache, offline } = this.#options;
    const [xml, origin] = await Promise.all([cache.readText(relative), cache.origin(relative)]);
    if (xml !== undefined && origin) return { xml, repository: origin.repository };
    if (offline) return undefined;
    for (const repository of this.#options.repositories) {
      const bytes = await this.#fetchVerified(repository, relative, what);
      if (bytes === undefined) continue;
      await cache.writeBytes(relative, bytes);
      await cache.writeOrigin(relative, {
        repository: repository.url,
        sha256: hashBytes(bytes).sha256,
        size: bytes.length,
      });
      return { xml: decoder.decode(bytes), repository: repository.url };
    }
    return undefined;
  }

  async #fetchVerified(
    repository: Repository,
    relative: string,
    what: string,
  ): Promise<Uint8Array | undefined> {
    const { fetch } = this.#options;
    const bytes = await fetchBytes(fetch, repository, relative, what);
    if (bytes === undefined) return undefined;
    const published = await fetchPublishedChecksums(fetch, repository, relative, what);
    const digests = hashBytes(bytes);
    // POMs without any published checksum are accepted (they only steer resolution); JARs,
    // which run, are held to the stricter rule in download.ts.
    if (Object.keys(published).length === 0) return bytes;
    verify(what, repository, published, digests);
    return bytes;
  }

  async #loadMetadata(relative: string, what: string): Promise<string | undefined> {
    const { cache, offline, fetch } = this.#options;
    if (offline) return cache.readText(relative);
    for (const repository of this.#options.repositories) {
      const text = await fetchText(fetch, repository, relative, what);
      if (text === undefined) continue;
      await cache.writeText(relative, text);
      return text;
    }
    return undefined;
  }
}

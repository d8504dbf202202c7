/**
 * Getting one artifact into the local cache, verified: from the cache when it was verified
 * before, otherwise from the repositories in order into a `.part` file (resumable), checked
 * against every checksum the repository publishes and against the sha256 dvt.lock pins, and
 * renamed to its real name only then. A repository that publishes no checksum at all is refused
 * unless dvt.lock already pins the artifact's sha256.
 *
 * @module
 */
import { dirname } from "node:path";
import { IntegrityError, ResolveError } from "../errors.ts";
import type { ProgressReporter } from "../util/progress.ts";
import { CHECKSUM_ALGORITHMS, type Digests, hashFile } from "./checksums.ts";
import {
  artifactFileName,
  artifactPath,
  type Coordinates,
  formatCoordinates,
} from "./coordinates.ts";
import type { LocalCache } from "./local_cache.ts";
import {
  downloadToPart,
  type FetchFunction,
  fetchPublishedChecksums,
  type PublishedChecksums,
} from "./repository_client.ts";
import type { Repository } from "./repositories.ts";

/** What downloads need: where from, where to, how. */
export interface DownloadContext {
  repositories: readonly Repository[];
  cache: LocalCache;
  fetch: FetchFunction;
  /** Never contact a repository; only verified cache entries count. */
  offline: boolean;
  /** Accept artifacts whose repository publishes no checksum (trust on first use). */
  trustUnverified?: boolean;
  progress: ProgressReporter;
}

/** One artifact to fetch. */
export interface ArtifactRequest {
  coordinates: Coordinates;
  /** Repository that served its POM; tried first. */
  repository?: string;
  /** sha256 pinned in dvt.lock, when the lock has this artifact. */
  pinnedSha256?: string;
}

/** A verified artifact in the cache. */
export interface CachedArtifact {
  coordinates: Coordinates;
  /** Absolute path in the cache. */
  path: string;
  fileName: string;
  sha256: string;
  size: number;
  repository: string;
  /** True when this run downloaded it; false when it came from the cache. */
  downloaded: boolean;
  /** True when its repository published no checksum and it was trusted on first use. */
  unverified?: boolean;
}

/**
 * A repository published no checksum for an artifact and nothing pins it: it is refused unless
 * the user trusts it on first use. Carries what the user needs to decide: where it came from
 * and its sha256.
 */
export class UnverifiedArtifactError extends IntegrityError {
  readonly artifact: string;
  readonly repository: string;
  readonly sha256: string;
  constructor(artifact: string, repository: string, sha256: string) {
    super(
      `repository ${repository} publishes no checksum (.sha512/.sha256/.sha1) for ${artifact}; ` +
        "refusing an unverified artifact",
      {
        hint: `check its sha256 ${sha256} with the publisher, then run dvt sync ` +
          "--trust-unverified to pin it in dvt.lock",
      },
    );
    this.artifact = artifact;
    this.repository = repository;
    this.sha256 = sha256;
  }
}

function pinMismatch(what: string, pinned: string, actual: string): IntegrityError {
  return new IntegrityError(
    `${what} has sha256 ${actual}, but dvt.lock pins ${pinned}`,
    {
      hint: "the artifact changed since it was locked; if the change is expected, remove its " +
        "entry from dvt.lock and run dvt sync again (never with --locked)",
    },
  );
}

/** Fetches (or finds in the cache) one artifact, verified. */
export async function fetchArtifact(
  request: ArtifactRequest,
  context: DownloadContext,
): Promise<CachedArtifact> {
  const relative = artifactPath(request.coordinates);
  const what = formatCoordinates(request.coordinates);
  const base = {
    coordinates: request.coordinates,
    path: context.cache.path(relative),
    fileName: artifactFileName(request.coordinates),
  };
  const origin = await context.cache.origin(relative);
  if (origin) {
    if (request.pinnedSha256 && origin.sha256 !== request.pinnedSha256) {
      throw pinMismatch(`cached ${what}`, request.pinnedSha256, origin.sha256);
    }
    return { ...base, ...origin, downloaded: false };
  }
  if (context.offline) {
    throw new ResolveError(`${what} is not in the local cache (${context.cache.root})`, {
      coordinates: what,
      hint: "run dvt sync once without --offline to fill the cache",
    });
  }
  for (const repository of orderRepositories(context.repositories, request.repository)) {
    const found = await downloadFrom(repository, relative, what, request, context);
    if (found) {
      await context.cache.writeOrigin(relative, found);
      return { ...base, ...found, downloaded: true };
    }
  }
  throw new ResolveError(
    `${what} was not found in ${context.repositories.map((repo) => repo.url).join(", ")}`,
    {
      coordinates: what,
      hint: "check the coordinates in dvt.yaml sync.adapters, or add the repository hosting it",
    },
  );
}

function orderRepositories(all: readonly Repository[], preferred?: string): Repository[] {
  const first = all.filter((repo) => repo.url === preferred);
  return [...first, ...all.filter((repo) => repo.url !== preferred)];
}

async function downloadFrom(
  repository: Repository,
  relative: string,
  what: string,
  request: ArtifactRequest,
  context: DownloadContext,
): Promise<
  { repository: string; sha256: string; size: number; unverified?: boolean } | undefined
> {
  const finalPath = context.cache.path(relative);
  const partPath = `${finalPath}.part`;
  await Deno.mkdir(dirname(finalPath), { recursive: true });
  // A .part left by an interrupted run is resumed; if the result does not verify, that old
  // prefix may be the culprit, so the file is fetched once more from scratch before failing.
  const resumed = await Deno.stat(partPath).then((stat) => stat.size > 0, () => false);
  const [published, found] = await Promise.all([
    fetchPublishedChecksums(context.fetch, repository, relative, what),
    downloadToPart(context.fetch, repository, relative, partPath, what, context.progress),
  ]);
  if (!found) return undefined;
  let digests: Digests;
  let unverified = false;
  try {
    digests = await hashFile(partPath);
    unverified = verify(what, repository, published, digests, request.pinnedSha256, {
      trustUnverified: context.trustUnverified,
    });
  } catch (error) {
    await Deno.remove(partPath).catch(() => {});
    if (resumed && error instanceof IntegrityError) {
      return downloadFrom(repository, relative, what, request, context);
    }
    context.progress.finish(what, "failed");
    throw error;
  }
  await Deno.rename(partPath, finalPath);
  const size = (await Deno.stat(finalPath)).size;
  context.progress.finish(what, "ok");
  return {
    repository: repository.url,
    sha256: digests.sha256,
    size,
    ...(unverified ? { unverified } : {}),
  };
}

/**
 * Checks a downloaded file against every published checksum and the lockfile's pin. Returns true
 * when nothing could verify it and it was trusted on first use.
 */
export function verify(
  what: string,
  repository: Repository,
  published: PublishedChecksums,
  digests: Digests,
  pinnedSha256?: string,
  options: { trustUnverified?: boolean } = {},
): boolean {
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const expected = published[algorithm];
    if (expected && expected !== digests[algorithm]) {
      throw new IntegrityError(
        `${what} from ${repository.url} does not match its published ${algorithm}: ` +
          `expected ${expected}, got ${digests[algorithm]}`,
        { hint: "the download or the repository is corrupt; nothing was installed; try again" },
      );
    }
  }
  if (pinnedSha256 && pinnedSha256 !== digests.sha256) {
    throw pinMismatch(`${what} from ${repository.url}`, pinnedSha256, digests.sha256);
  }
  const anyPublished = CHECKSUM_ALGORITHMS.some((algorithm) => published[algorithm]);
  if (anyPublished || pinnedSha256) return false;
  if (options.trustUnverified) return true;
  throw new UnverifiedArtifactError(what, repository.url, digests.sha256);
}

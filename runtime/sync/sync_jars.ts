/**
 * `dvt sync` end to end: read profiles.yml, buckets.yml and dvt.yaml; resolve each group's JARs
 * (Maven mediation within the group); check them against dvt.lock; download and verify
 * everything into the cache; only then place the JARs in the lib directories and write the lock.
 * Any failure before placing leaves the lib directories untouched.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { IntegrityError, UsageError } from "../errors.ts";
import type { ProgressReporter } from "../util/progress.ts";
import { pool } from "../util/pool.ts";
import { createRetryingFetch } from "../util/retrying_fetch.ts";
import { artifactFileName, type Coordinates, formatCoordinates } from "../maven/coordinates.ts";
import {
  type CachedArtifact,
  type DownloadContext,
  fetchArtifact,
  UnverifiedArtifactError,
} from "../maven/download.ts";
import { HttpPomSource } from "../maven/http_pom_source.ts";
import { LocalCache } from "../maven/local_cache.ts";
import {
  entryInGroups,
  lockDifferences,
  type LockEntry,
  type Lockfile,
  readLockfile,
  writeLockfile,
} from "../maven/lockfile.ts";
import { connectRepositories, effectiveRepositories } from "../maven/repositories.ts";
import type { FetchFunction } from "../maven/repository_client.ts";
import { resolveDependencies } from "../maven/resolver.ts";
import { readBucketsConfig } from "./buckets.ts";
import { placeLibFiles, readManifest } from "./lib_dir.ts";
import { adapterTypes, findProfiles, profileCandidates, readProfileOutputs } from "./profiles.ts";
import { loadSyncConfig } from "./sync_config.ts";
import type { SyncEventSink } from "./sync_events.ts";
import {
  type AdapterRoots,
  buildSyncPlan,
  checkAdapterSpelling,
  type SyncGroup,
} from "./sync_plan.ts";

/**
 * The environment POM profiles are activated against. The JARs run on a Spark cluster (Linux,
 * JDK 17), not on the machine that syncs, and a fixed target keeps dvt.lock identical whether
 * a laptop or CI resolved it.
 */
const SPARK_TARGET = {
  jdk: "17",
  os: { name: "Linux", family: "unix", arch: "amd64", version: "" },
} as const;
/** Inputs of {@linkcode syncJars}. */
export interface SyncJarsOptions {
  cwd: string;
  /** dvt home (`DVT_HOME` or ~/.dvt). */
  home: string;
  profiles?: string;
  buckets?: string;
  project?: string;
  jdbc: boolean;
  native: boolean;
  locked: boolean;
  offline: boolean;
  /** Accept and pin JARs whose repository publishes no checksum (trust on first use). */
  trustUnverified?: boolean;
  /** Parallel downloads. */
  threads: number;
  emit: SyncEventSink;
  progress: ProgressReporter;
  readEnv?: (name: string) => string | undefined;
  fetch?: FetchFunction;
}

/** One adapter's outcome in one group. */
export interface AdapterResult {
  adapter: string;
  status: "ok";
  /** The adapter's main JAR (the driver or the connector). */
  jar: string;
  /** Every JAR this adapter needs in the group's lib directory. */
  files: string[];
}

/** What sync did. */
export interface SyncResult {
  jdbc: AdapterResult[];
  native: AdapterResult[];
  /** Absolute paths of every JAR in use, jdbc first, for spark-submit --jars. */
  classpath: string[];
  lockfile: string;
  downloaded: number;
  removed: string[];
}

interface GroupArtifact {
  coordinates: Coordinates;
  key: string;
  fileName: string;
  repository?: string;
  neededBy: Set<string>;
  cached?: CachedArtifact;
}

/** Runs a sync; see the module description. */
export async function syncJars(options: SyncJarsOptions): Promise<SyncResult> {
  const readEnv = options.readEnv ?? ((name: string) => Deno.env.get(name));
  const config = await loadSyncConfig(options.project, options.cwd);
  const profilesPath = await findProfiles(
    profileCandidates(options.profiles, config.profiles, options.cwd, readEnv),
  );
  const adapters = adapterTypes(await readProfileOutputs(profilesPath));
  checkAdapterSpelling(adapters, config.adapters, profilesPath);
  const bucketsPath = options.buckets
    ? resolve(options.cwd, options.buckets)
    : config.buckets ?? join(dirname(profilesPath), "buckets.yml");
  const buckets = await readBucketsConfig(bucketsPath);
  const repositories = connectRepositories(
    effectiveRepositories(config.repositories, readEnv("DVT_MAVEN_REPOS")),
    readEnv,
  );
  const cache = LocalCache.forHome(options.home);
  if (options.offline) await requireFilledCache(cache.root);
  const fetcher = options.fetch ?? createRetryingFetch();
  const source = new HttpPomSource({
    repositories,
    cache,
    fetch: fetcher,
    offline: options.offline,
  });
  const plan = buildSyncPlan(adapters, config.adapters, buckets, options, options.emit);
  const lockPath = join(dirname(config.file ?? profilesPath), "dvt.lock");
  const lock = await readLockfile(lockPath);
  const libJdbc = join(options.home, "lib", "jdbc");
  const libNative = join(options.home, "lib", "native");

  const jdbc = await resolveGroup("jdbc", plan.jdbc, source, options.emit);
  const jdbcFiles = new Set([...jdbc.values()].map((artifact) => artifact.fileName));
  // With --no-jdbc, what jdbc/ already holds counts; otherwise jdbc/ is about to be replaced.
  if (!options.jdbc) {
    for (const name of Object.keys(await readManifest(libJdbc))) jdbcFiles.add(name);
  }
  const native = await resolveGroup("native", plan.native, source, options.emit);
  // A JAR jdbc/ already provides is not fetched again for native/.
  for (const [key, artifact] of native) if (jdbcFiles.has(artifact.fileName)) native.delete(key);

  const groups = [options.jdbc ? "jdbc" : "", options.native ? "native" : ""].filter((g) => g);
  const all = [...jdbc.values(), ...native.values()];
  if (options.locked) {
    const problems = lockDifferences(lock, all.map((a) => toLockEntry(a, "")), groups);
    if (!lock) problems.unshift(`no ${lockPath}`);
    if (problems.length) throw lockedFailure(lockPath, problems);
  }
  const pins = new Map((lock?.artifacts ?? []).map((entry) => [entry.coordinates, entry.sha256]));
  const context: DownloadContext = {
    repositories,
    cache,
    fetch: fetcher,
    offline: options.offline,
    trustUnverified: options.trustUnverified,
    progress: options.progress,
  };
  // Every artifact is tried, so all unverified ones are listed at once, not one per run.
  const unverified: UnverifiedArtifactError[] = [];
  await pool(all, options.threads, async (artifact) => {
    try {
      artifact.cached = await fetchArtifact({
        coordinates: artifact.coordinates,
        repository: artifact.repository,
        pinnedSha256: pins.get(artifact.key),
      }, context);
    } catch (error) {
      if (!(error instanceof UnverifiedArtifactError)) throw error;
      unverified.push(error);
      return;
    }
    if (artifact.cached.unverified && artifact.cached.downloaded) {
      options.emit({
        name: "UnverifiedArtifactTrusted",
        coordinates: artifact.key,
        repository: artifact.cached.repository,
        sha256: artifact.cached.sha256,
      });
    }
    if (artifact.cached.downloaded) {
      options.emit({
        name: "ArtifactDownloaded",
        coordinates: artifact.key,
        repository: artifact.cached.repository,
        bytes: artifact.cached.size,
      });
    }
  });
  options.progress.close();
  if (unverified.length) throw unverifiedFailure(unverified);

  const removed: string[] = [];
  const results: SyncResult = {
    jdbc: [],
    native: [],
    classpath: [],
    lockfile: lockPath,
    downloaded: all.filter((a) => a.cached?.downloaded).length,
    removed,
  };
  for (
    const [group, dir, set, roots] of [
      ["jdbc", libJdbc, jdbc, plan.jdbc],
      ["native", libNative, native, plan.native],
    ] as const
  ) {
    if (!(group === "jdbc" ? options.jdbc : options.native)) continue;
    const files = [...set.values()].map((a) => ({
      fileName: a.fileName,
      sourcePath: a.cached!.path,
      sha256: a.cached!.sha256,
      size: a.cached!.size,
    }));
    const placed = await placeLibFiles(dir, files);
    for (const name of placed.removed) {
      options.emit({ name: "StaleJarRemoved", file: name, directory: dir });
    }
    removed.push(...placed.removed.map((name) => join(dir, name)));
    results[group] = adapterResults(group, roots, set, placed.placed, dir, options.emit);
    results.classpath.push(...files.map((file) => join(dir, file.fileName)).sort());
  }
  if (!options.locked) {
    const kept = (lock?.artifacts ?? []).filter((entry) => !entryInGroups(entry, groups));
    const entries = all.map((a) => toLockEntry(a, a.cached!.sha256, a.cached!.repository));
    const next: Lockfile = { version: 1, artifacts: mergeEntries([...kept, ...entries]) };
    // Nothing resolved and nothing locked before (say, only unknown adapters): no empty file.
    const worthWriting = next.artifacts.length > 0 || lock !== undefined;
    if (worthWriting && await writeLockfile(lockPath, next)) {
      options.emit({ name: "LockfileWritten", path: lockPath, artifacts: next.artifacts.length });
    }
  }
  return results;
}

async function resolveGroup(
  group: SyncGroup,
  adapters: readonly AdapterRoots[],
  source: HttpPomSource,
  emit: SyncEventSink,
): Promise<Map<string, GroupArtifact>> {
  const artifacts = new Map<string, GroupArtifact>();
  if (!adapters.length) return artifacts;
  const owners = new Map<string, string[]>();
  for (const { adapter, roots } of adapters) {
    for (const root of roots) {
      const key = formatCoordinates(root);
      owners.set(key, [...(owners.get(key) ?? []), adapter]);
    }
  }
  const requests = [...owners.keys()].map((key) => ({
    coordinates: adapters.flatMap((a) => a.roots).find((root) => formatCoordinates(root) === key)!,
  }));
  const resolved = await resolveDependencies(requests, source, {
    activation: SPARK_TARGET,
    // Maven cuts a dependency cycle where it closes and goes on; say so rather than hide it.
    onCycle: (trail) => emit({ name: "DependencyCycleCut", trail }),
  });
  const everyone = adapters.map((a) => a.adapter);
  for (const artifact of resolved) {
    const key = formatCoordinates(artifact.coordinates);
    const needers = owners.get(artifact.trail[0]) ?? everyone;
    artifacts.set(key, {
      coordinates: artifact.coordinates,
      key,
      fileName: artifactFileName(artifact.coordinates),
      repository: artifact.repository,
      neededBy: new Set(needers.map((adapter) => `${group}:${adapter}`)),
    });
  }
  return artifacts;
}

function adapterResults(
  group: SyncGroup,
  adapters: readonly AdapterRoots[],
  set: Map<string, GroupArtifact>,
  placed: readonly string[],
  directory: string,
  emit: SyncEventSink,
): AdapterResult[] {
  return adapters.map(({ adapter, roots }) => {
    const main = roots[0];
    const mainArtifact = [...set.values()].find((a) =>
      a.coordinates.groupId === main.groupId && a.coordinates.artifactId === main.artifactId
    );
    const jar = mainArtifact?.fileName ?? artifactFileName(main);
    const files = [...set.values()].filter((a) => a.neededBy.has(`${group}:${adapter}`))
      .map((a) => a.fileName).sort();
    if (placed.includes(jar)) {
      const name = group === "jdbc" ? "JdbcDriverDownloaded" : "NativeConnectorDownloaded";
      emit({ name, adapter, jar_name: jar, path: join(directory, jar) });
    }
    return { adapter, status: "ok" as const, jar, files };
  });
}

function toLockEntry(artifact: GroupArtifact, sha256: string, repository = ""): LockEntry {
  return {
    coordinates: artifact.key,
    file: artifact.fileName,
    repository,
    sha256,
    needed_by: [...artifact.neededBy].sort(),
  };
}

/** Joins entries of the same coordinates (an artifact both groups need). */
function mergeEntries(entries: readonly LockEntry[]): LockEntry[] {
  const merged = new Map<string, LockEntry>();
  for (const entry of entries) {
    const known = merged.get(entry.coordinates);
    if (!known) merged.set(entry.coordinates, { ...entry, needed_by: [...entry.needed_by] });
    else known.needed_by = [...new Set([...known.needed_by, ...entry.needed_by])].sort();
  }
  return [...merged.values()];
}

function lockedFailure(lockPath: string, problems: string[]): IntegrityError {
  return new IntegrityError(
    `dvt.lock does not match the resolved artifacts (--locked): ${problems.join("; ")}`,
    {
      location: { file: lockPath },
      hint: "run dvt sync without --locked to update dvt.lock, review the diff and commit it",
    },
  );
}

/** One error listing every unverified JAR with its sha256, and how to trust them. */
function unverifiedFailure(errors: UnverifiedArtifactError[]): IntegrityError {
  const sorted = [...errors].sort((a, b) => a.artifact.localeCompare(b.artifact));
  const lines = sorted.map((e) => `  ${e.artifact}  sha256 ${e.sha256}  (${e.repository})`);
  return new IntegrityError(
    `${sorted.length} JAR${sorted.length === 1 ? "" : "s"} from repositories that publish no ` +
      `checksum, so nothing verifies ${sorted.length === 1 ? "it" : "them"}:\n${lines.join("\n")}`,
    {
      hint: "compare these sha256 values with the publisher's, then run dvt sync " +
        "--trust-unverified to pin them in dvt.lock (later runs verify against the pins)",
    },
  );
}

/** `--offline` with nothing cached can only fail later with a puzzling message; say it now. */
async function requireFilledCache(root: string): Promise<void> {
  const empty = await (async () => {
    try {
      for await (const _ of Deno.readDir(root)) return false;
      return true;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return true;
      throw error;
    }
  })();
  if (empty) {
    throw new UsageError(`--offline, but the local cache ${root} is empty`, {
      hint: "run dvt sync once without --offline to fill the cache (DVT_HOME sets where it is)",
    });
  }
}

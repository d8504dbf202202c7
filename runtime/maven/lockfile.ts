/**
 * `dvt.lock`: the artifacts `dvt sync` resolved, each with its coordinates, file name, the
 * repository it came from, its sha256 and which adapters need it. Users commit it; CI runs
 * `dvt sync --locked` to get exactly these bytes. The JSON is written deterministically (sorted
 * entries, sorted keys, two-space indent, final newline) so diffs stay small and stable.
 * Credentials never appear in it: repository URLs are stored without them.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";
import { readTextIfExists } from "./local_cache.ts";

/** Current lockfile format version. */
export const LOCKFILE_VERSION = 1;

/** One locked artifact. */
export interface LockEntry {
  /** `group:artifact[:type[:classifier]]:version`. */
  coordinates: string;
  /** File name placed in the lib directory. */
  file: string;
  /** Base URL of the repository it was downloaded from (no credentials). */
  repository: string;
  /** Hex sha256 of the artifact, computed from the downloaded bytes. */
  sha256: string;
  /** Who needs it: `jdbc:<adapter>` or `native:<adapter>`, sorted. */
  needed_by: string[];
}

/** The whole lockfile. */
export interface Lockfile {
  version: number;
  artifacts: LockEntry[];
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Reads dvt.lock; undefined when it does not exist. A malformed file is a ConfigError. */
export async function readLockfile(path: string): Promise<Lockfile | undefined> {
  const text = await readTextIfExists(path);
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError("dvt.lock is not valid JSON", {
      location: { file: path },
      cause,
      hint: "restore it from version control, or delete it and run dvt sync to recreate it",
    });
  }
  return validateLockfile(value, path);
}

function validateLockfile(value: unknown, path: string): Lockfile {
  const fail = (field: string, problem: string) =>
    new ConfigError(problem, {
      location: { file: path, field },
      hint: "restore dvt.lock from version control, or delete it and run dvt sync to recreate it",
    });
  const record = value as Partial<Lockfile> | null;
  if (!record || typeof record !== "object" || !Array.isArray(record.artifacts)) {
    throw fail("artifacts", "expected an object with an artifacts list");
  }
  if (record.version !== LOCKFILE_VERSION) {
    throw fail("version", `unsupported lockfile version ${record.version}`);
  }
  record.artifacts.forEach((entry, index) => {
    const field = `artifacts[${index}]`;
    const strings = ["coordinates", "file", "repository", "sha256"] as const;
    for (const key of strings) {
      if (typeof entry?.[key] !== "string") throw fail(`${field}.${key}`, "expected a string");
    }
    if (!HEX64.test(entry.sha256)) throw fail(`${field}.sha256`, "expected 64 hex digits");
    if (!Array.isArray(entry.needed_by)) throw fail(`${field}.needed_by`, "expected a list");
  });
  return { version: LOCKFILE_VERSION, artifacts: record.artifacts };
}

/** Serialises a lockfile deterministically. */
export function formatLockfile(lock: Lockfile): string {
  const artifacts = [...lock.artifacts]
    .sort((a, b) => a.coordinates.localeCompare(b.coordinates, "en"))
    .map((entry) => ({
      coordinates: entry.coordinates,
      file: entry.file,
      needed_by: [...new Set(entry.needed_by)].sort(),
      repository: entry.repository,
      sha256: entry.sha256,
    }));
  return JSON.stringify({ version: LOCKFILE_VERSION, artifacts }, null, 2) + "\n";
}

/** Writes dvt.lock atomically, and only when its content changes. Returns true if written. */
export async function writeLockfile(path: string, lock: Lockfile): Promise<boolean> {
  const text = formatLockfile(lock);
  if (await readTextIfExists(path) === text) return false;
  await writeFileAtomic(path, text);
  return true;
}

/** Whether an entry belongs to a group (`jdbc` or `native`). */
export function entryInGroups(entry: LockEntry, groups: readonly string[]): boolean {
  return entry.needed_by.some((need) => groups.includes(need.split(":")[0]));
}

/**
 * What differs between the lock and a fresh resolution, limited to the groups synced: one line
 * per new, missing or changed artifact. Repositories may differ (mirrors are interchangeable;
 * the sha256 proves the bytes), so they are not compared.
 */
export function lockDifferences(
  lock: Lockfile | undefined,
  resolved: readonly LockEntry[],
  groups: readonly string[],
): string[] {
  const locked = new Map(
    (lock?.artifacts ?? []).filter((entry) => entryInGroups(entry, groups))
      .map((entry) => [entry.coordinates, entry]),
  );
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const entry of resolved) {
    seen.add(entry.coordinates);
    const pinned = locked.get(entry.coordinates);
    if (!pinned) lines.push(`new: ${entry.coordinates} (not in dvt.lock)`);
    else if (pinned.sha256 !== entry.sha256 && entry.sha256) {
      lines.push(`changed: ${entry.coordinates} sha256 ${entry.sha256}, locked ${pinned.sha256}`);
    }
  }
  for (const coordinates of locked.keys()) {
    if (!seen.has(coordinates)) lines.push(`missing: ${coordinates} is locked but not needed`);
  }
  return lines.sort();
}

/**
 * The shared local cache: a Maven 2 layout directory under `$DVT_HOME/repository/` (default
 * `~/.dvt/repository/`). Every file lands there through a temporary name and a rename, so a
 * crash never leaves a half-written file under its real name. Next to each verified artifact an
 * `<file>.origin.json` records the repository it came from and its sha256, so warm runs and
 * `--offline` need neither the network nor re-hashing.
 *
 * @module
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "../util/atomic_write.ts";

/** dvt's home directory: `DVT_HOME`, else `~/.dvt`. */
export function dvtHome(
  readEnv: (name: string) => string | undefined = (name) => Deno.env.get(name),
): string {
  const configured = readEnv("DVT_HOME");
  return configured ? configured : join(homedir(), ".dvt");
}

/** Where a cached artifact came from and what it hashes to. */
export interface CachedOrigin {
  /** Base URL of the repository (no credentials). */
  repository: string;
  sha256: string;
  size: number;
}

/** Reads a text file, or undefined when it does not exist. */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** The cache directory. Relative paths come from coordinates.ts, which validates them. */
export class LocalCache {
  /** Absolute root directory. */
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  /** The cache of a dvt home directory. */
  static forHome(home: string): LocalCache {
    return new LocalCache(join(home, "repository"));
  }

  /** Absolute path of a repository-relative path. */
  path(relative: string): string {
    return join(this.root, relative);
  }

  /** A cached text file (POM, metadata), or undefined. */
  readText(relative: string): Promise<string | undefined> {
    return readTextIfExists(this.path(relative));
  }

  /** Stores a text file atomically. */
  writeText(relative: string, text: string): Promise<void> {
    return writeFileAtomic(this.path(relative), text);
  }

  /** Stores a file atomically. */
  writeBytes(relative: string, bytes: Uint8Array): Promise<void> {
    return writeFileAtomic(this.path(relative), bytes);
  }

  /** The recorded origin of a cached artifact, when it was verified and the file is there. */
  async origin(relative: string): Promise<CachedOrigin | undefined> {
    const text = await readTextIfExists(`${this.path(relative)}.origin.json`);
    if (text === undefined) return undefined;
    try {
      const origin = JSON.parse(text) as CachedOrigin;
      const stat = await Deno.stat(this.path(relative));
      return stat.size === origin.size ? origin : undefined;
    } catch {
      return undefined; // missing artifact or damaged record: treat as not cached
    }
  }

  /** Records the origin of a verified artifact. */
  writeOrigin(relative: string, origin: CachedOrigin): Promise<void> {
    return writeFileAtomic(`${this.path(relative)}.origin.json`, JSON.stringify(origin) + "\n");
  }
}

/**
 * The `sync:` section of dvt.yaml: where profiles.yml is, which repositories to use (with
 * credential env var names), and per-adapter overrides of the built-in driver and connector
 * registries. Every problem is a ConfigError pointing at file:line:column.
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import { ConfigError, DvtError } from "../errors.ts";
import { parseCoordinates } from "../maven/coordinates.ts";
import { normaliseRepositoryUrl, type RepositoryConfig } from "../maven/repositories.ts";
import { readYamlFile, type YamlFile, type YamlPath } from "../util/yaml_file.ts";
import { BUCKET_TYPES, type BucketType } from "./native_connectors.ts";
import { isOneOf } from "../util/is_one_of.ts";
import { pathKind } from "../util/path_kind.ts";

/** An adapter's overrides: its JDBC driver, and its native connector plus dependencies. */
export interface AdapterOverride {
  jdbc?: string;
  /** First item: the connector; the rest: its extra dependencies. */
  native?: string[];
  bucket?: BucketType;
}

/** The sync settings of a project. */
export interface SyncConfig {
  /** The project file read, when there was one. */
  file?: string;
  /** profiles.yml named by the project, resolved against the project's directory. */
  profiles?: string;
  /** buckets.yml named by the project, resolved against the project's directory. */
  buckets?: string;
  repositories: RepositoryConfig[];
  adapters: Record<string, AdapterOverride>;
}

const SYNC_KEYS = ["profiles", "buckets", "repositories", "adapters"];
const REPOSITORY_KEYS = ["url", "username_env", "password_env", "token_env"];
const ADAPTER_KEYS = ["jdbc", "native", "bucket"];

/**
 * Loads the sync section of `projectPath`, or of ./dvt.yaml when no path is given (a missing
 * default file means an empty configuration; a missing explicit one is an error).
 */
export async function loadSyncConfig(projectPath: string | undefined, cwd: string) {
  const path = resolve(cwd, projectPath ?? "dvt.yaml");
  if (projectPath === undefined) {
    if (!await pathKind(path)) return { repositories: [], adapters: {} } satisfies SyncConfig;
  }
  return parseSyncConfig(await readYamlFile(path, ConfigError));
}

/** Validates the sync section of a parsed project file. */
export function parseSyncConfig(file: YamlFile): SyncConfig {
  const fail = (path: YamlPath, message: string, hint: string, key = false) =>
    new ConfigError(message, { location: key ? file.locateKey(path) : file.locate(path), hint });
  const root = file.value ?? {};
  if (!isRecord(root)) throw fail([], "expected a mapping at the top level", "see README");
  const sync = root.sync ?? {};
  if (!isRecord(sync)) throw fail(["sync"], "expected a mapping", 'see README "dvt sync"');
  checkKeys(sync, SYNC_KEYS, ["sync"], fail);
  const config: SyncConfig = { file: file.path, repositories: [], adapters: {} };
  for (const key of ["profiles", "buckets"] as const) {
    if (sync[key] === undefined) continue;
    if (typeof sync[key] !== "string") {
      throw fail(["sync", key], "expected a path", `write e.g. ./${key}.yml`);
    }
    config[key] = resolve(dirname(file.path), sync[key]);
  }
  config.repositories = parseRepositories(sync.repositories, file, fail);
  const adapters = sync.adapters ?? {};
  if (!isRecord(adapters)) throw fail(["sync", "adapters"], "expected a mapping", ADAPTER_HINT);
  for (const [name, value] of Object.entries(adapters)) {
    config.adapters[name] = parseAdapter(name, value, fail);
  }
  return config;
}

type Fail = (path: YamlPath, message: string, hint: string, key?: boolean) => ConfigError;

const ADAPTER_HINT = 'write e.g. postgres: { jdbc: "org.postgresql:postgresql:42.7.4" }';

function parseRepositories(value: unknown, file: YamlFile, fail: Fail): RepositoryConfig[] {
  if (value === undefined) return [];
  const path = ["sync", "repositories"];
  if (!Array.isArray(value)) throw fail(path, "expected a list of URLs", "see README");
  return value.map((item, index) => {
    const at = [...path, index];
    if (typeof item === "string") return { url: normaliseRepositoryUrl(item, file.locate(at)) };
    if (!isRecord(item) || typeof item.url !== "string") {
      throw fail(at, "expected a URL or { url, username_env, password_env, token_env }", "");
    }
    checkKeys(item, REPOSITORY_KEYS, at, fail);
    const repo: RepositoryConfig = { url: normaliseRepositoryUrl(item.url, file.locate(at)) };
    for (
      const [key, field] of [["username_env", "usernameEnv"], ["password_env", "passwordEnv"], [
        "token_env",
        "tokenEnv",
      ]] as const
    ) {
      const name = item[key];
      if (name === undefined) continue;
      if (typeof name !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw fail([...at, key], "expected an environment variable name", "e.g. NEXUS_USER");
      }
      repo[field] = name;
    }
    return repo;
  });
}

function parseAdapter(name: string, value: unknown, fail: Fail): AdapterOverride {
  const path = ["sync", "adapters", name];
  if (!isRecord(value)) throw fail(path, "expected a mapping", ADAPTER_HINT);
  checkKeys(value, ADAPTER_KEYS, path, fail);
  const override: AdapterOverride = {};
  if (value.jdbc !== undefined) override.jdbc = coordinatesAt(value.jdbc, [...path, "jdbc"], fail);
  if (value.native !== undefined) {
    const list = Array.isArray(value.native) ? value.native : [value.native];
    if (!list.length) throw fail([...path, "native"], "expected coordinates", ADAPTER_HINT);
    override.native = list.map((item, index) =>
      coordinatesAt(item, [...path, "native", index], fail)
    );
  }
  if (value.bucket !== undefined) {
    if (!isOneOf(BUCKET_TYPES, value.bucket)) {
      throw fail([...path, "bucket"], `expected one of ${BUCKET_TYPES.join(", ")}`, "");
    }
    override.bucket = value.bucket;
  }
  return override;
}

function coordinatesAt(value: unknown, path: YamlPath, fail: Fail): string {
  if (typeof value !== "string") throw fail(path, "expected Maven coordinates", ADAPTER_HINT);
  try {
    parseCoordinates(value);
  } catch (error) {
    if (error instanceof DvtError) throw fail(path, error.message, error.hint ?? ADAPTER_HINT);
    throw error;
  }
  return value;
}

function checkKeys(record: Record<string, unknown>, allowed: string[], at: YamlPath, fail: Fail) {
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) {
      throw fail([...at, key], `unknown key "${key}"`, `allowed: ${allowed.join(", ")}`, true);
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

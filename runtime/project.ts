/**
 * dvt.yaml: the project file. Parses `sources:` (connector, config, tables with their per-table
 * settings, incremental, disposition, out) and accepts `sync:` as raw data for `dvt sync`. Every error is a
 * ConfigError naming file:line:column, what was expected and what was found.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { ConfigError } from "./errors.ts";
import { isFile } from "./util/path_kind.ts";
import { settings } from "./util/env_settings.ts";
import { alternatives, describeFound, isMapping, rejectUnknownKeys } from "./util/field_check.ts";
import type { YamlFile, YamlPath } from "./util/yaml_file.ts";
import {
  parseTableSettings,
  type TableSettingKey,
  type TableSettings,
} from "./project/table_settings.ts";

export { WRITE_DISPOSITIONS } from "./project/table_settings.ts";
export type { TableSettings, WriteDisposition } from "./project/table_settings.ts";

const TOP_LEVEL_KEYS = ["sources", "sync"] as const;
const SOURCE_KEYS = [
  "connector",
  "config",
  "tables",
  "incremental",
  "disposition",
  "out",
  "threads",
] as const;
const SOURCE_NAME = /^[a-z][a-z0-9_-]*$/;

/** One `sources.<name>` entry. */
export interface ProjectSource {
  name: string;
  /** Builtin name, connector directory/yaml path or https URL, as written. */
  connector: string;
  config: Record<string, unknown>;
  /** Tables to extract (the `tables:` list or map's keys); undefined = every discovered one. */
  tables?: string[];
  /** Settings per source table: `tables:` map entries, `incremental:` and `disposition:`. */
  settings: Record<string, TableSettings>;
  /** Where each table's settings are written, relative to the file's root. */
  settingPaths: Record<string, Partial<Record<TableSettingKey, YamlPath>>>;
  /** Absolute output directory (default `<project dir>/extracts/<name>`). */
  out: string;
  /** What chose `out`: `DVT_OUT_DIR` (`$DVT_OUT_DIR/<name>`), `out:` in the file, or the default. */
  outFrom: "DVT_OUT_DIR" | "dvt.yaml" | "default";
  /** Tables read in parallel, when `threads:` is written. */
  threads?: number;
  /** Path of this source in the file, for errors in its config. */
  path: YamlPath;
}

/** A loaded dvt.yaml. */
export interface Project {
  /** Absolute path of the file. */
  path: string;
  /** Directory relative paths in the file resolve against. */
  dir: string;
  file: YamlFile;
  sources: Record<string, ProjectSource>;
  /** The raw `sync:` value (validated by `dvt sync`), undefined when absent. */
  sync?: unknown;
}

function fail(file: YamlFile, path: YamlPath, message: string, hint?: string): never {
  throw new ConfigError(message, { location: file.locate(path), hint });
}

/** What parsing takes from the environment (see util/env_settings.ts). */
export interface ProjectEnv {
  /** `DVT_OUT_DIR`, absolute: each source's extract goes to `<outDir>/<name>`. */
  outDir?: string;
}

function parseSource(
  file: YamlFile,
  dir: string,
  name: string,
  raw: unknown,
  env: ProjectEnv,
): ProjectSource {
  const path = ["sources", name];
  if (!SOURCE_NAME.test(name)) {
    throw new ConfigError(`invalid source name "${name}"`, {
      location: file.locateKey(path),
      hint: "source names are lower case: a letter, then letters, digits, _ or -",
    });
  }
  if (!isMapping(raw)) {
    fail(file, path, `expected a mapping { connector, config, ... }, found ${describeFound(raw)}`);
  }
  rejectUnknownKeys(raw, SOURCE_KEYS, (key) => file.locateKey([...path, key]), ConfigError);
  if (typeof raw.connector !== "string" || !raw.connector) {
    fail(
      file,
      [...path, "connector"],
      `expected a connector (builtin name, path or https URL), found ${
        describeFound(raw.connector)
      }`,
      "e.g. connector: files",
    );
  }
  const config = raw.config ?? {};
  if (!isMapping(config)) {
    fail(file, [...path, "config"], `expected a mapping, found ${describeFound(config)}`);
  }
  const tables = parseTableSettings(file, path, raw);
  if (raw.out !== undefined && typeof raw.out !== "string") {
    fail(file, [...path, "out"], `expected a directory path, found ${describeFound(raw.out)}`);
  }
  const threads = raw.threads;
  if (threads !== undefined && (!Number.isSafeInteger(threads) || (threads as number) < 1)) {
    fail(
      file,
      [...path, "threads"],
      `expected a whole number of tables to read in parallel, found ${describeFound(threads)}`,
      "e.g. threads: 4",
    );
  }
  return {
    name,
    connector: raw.connector as string,
    config: config as Record<string, unknown>,
    tables: tables.tables,
    settings: tables.settings,
    settingPaths: tables.paths,
    // The environment overrides the file: DVT_OUT_DIR moves every source's extract.
    out: env.outDir
      ? join(env.outDir, name)
      : resolve(dir, (raw.out as string | undefined) ?? `extracts/${name}`),
    outFrom: env.outDir ? "DVT_OUT_DIR" : raw.out !== undefined ? "dvt.yaml" : "default",
    threads: threads as number | undefined,
    path,
  };
}

/** Validates a parsed dvt.yaml; `env` supplies the settings the environment overrides. */
export function parseProject(file: YamlFile, absolutePath: string, env: ProjectEnv = {}): Project {
  const root = file.value ?? {};
  if (!isMapping(root)) {
    fail(file, [], `expected a mapping with sources: and sync:, found ${describeFound(root)}`);
  }
  rejectUnknownKeys(
    root,
    TOP_LEVEL_KEYS,
    (key) => file.locateKey([key]),
    ConfigError,
    "top-level key",
  );
  const dir = dirname(absolutePath);
  const rawSources = root.sources ?? {};
  if (!isMapping(rawSources)) {
    fail(
      file,
      ["sources"],
      `expected a mapping of source name -> source, found ${describeFound(rawSources)}`,
    );
  }
  const sources: Record<string, ProjectSource> = {};
  for (const [name, raw] of Object.entries(rawSources)) {
    sources[name] = parseSource(file, dir, name, raw, env);
  }
  return { path: absolutePath, dir, file, sources, sync: root.sync };
}

/**
 * Loads `projectPath` (resolved against `cwd`), or ./dvt.yaml when none is given. Returns
 * undefined when no path is given and ./dvt.yaml does not exist.
 *
 * @example
 * ```ts ignore
 * const project = await loadProject(undefined, Deno.cwd());
 * const shop = project && findSource(project, "shop");
 * ```
 */
export async function loadProject(
  projectPath: string | undefined,
  cwd: string = Deno.cwd(),
): Promise<Project | undefined> {
  const path = resolve(cwd, projectPath ?? "dvt.yaml");
  if (projectPath === undefined) {
    if (!await isFile(path)) return undefined;
  }
  // Errors show the path as the user wrote it (or dvt.yaml), not an absolute one.
  const given = projectPath ?? "dvt.yaml";
  // The YAML parser loads only when there is a project file to parse (~40-80 ms of start-up).
  const { readYamlFile } = await import("./util/yaml_file.ts");
  const file = await readYamlFile(resolve(given) === path ? given : path, ConfigError);
  const outDir = settings().outDir;
  return parseProject(file, path, { outDir: outDir ? resolve(cwd, outDir) : undefined });
}

/** Looks a source up by name; unknown names throw listing the available ones. */
export function findSource(project: Project, name: string): ProjectSource {
  const source = project.sources[name];
  if (source) return source;
  const known = Object.keys(project.sources);
  throw new ConfigError(`unknown source "${name}"`, {
    location: { ...project.file.locateKey(["sources"]), field: undefined },
    hint: known.length ? alternatives(name, known) : "dvt.yaml defines no sources yet",
  });
}

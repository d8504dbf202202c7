/**
 * `dvt config show`: a source's effective configuration — output directory, threads, log
 * level, connector config, environment variables and per-table settings — with the layer each
 * value came from (see effective_config.ts). Environment variables are shown as `env:NAME`
 * with whether they are set; their values never appear.
 *
 * @module
 */
import { resolveConnector } from "../connector/loader.ts";
import type { Manifest } from "../connector/manifest.ts";
import { formatLocation } from "../errors.ts";
import { loadProject } from "../project.ts";
import type { TableSettingKey } from "../project/table_settings.ts";
import { printJson, printResult } from "../util/output.ts";
import { formatTextTable } from "../util/text_table.ts";
import {
  connectorConfigOf,
  describeConfigOrigin,
  logLevelOf,
  outDirOf,
  type Sourced,
  threadsOf,
} from "./effective_config.ts";
import { type ExtractJob, planExtractJobs } from "./extract_jobs.ts";
import type { GlobalOptions } from "./options.ts";

/** Options of `dvt config show` as read from the command line. */
export interface ConfigShowOptions {
  connector?: string;
  config?: string;
  set: string[];
  out?: string;
  threads?: number;
  project?: string;
  json: boolean;
}

/** An environment variable the connector reads, by name. */
interface EnvEntry {
  value: string;
  set: boolean;
  required: boolean;
}

/** One source's effective configuration, as `--json` prints it. */
export interface EffectiveConfig {
  source: string;
  connector: { name: string; version: string; ref: string };
  settings: { out: Sourced<string>; threads: Sourced<number>; log_level: Sourced<string> };
  config: Record<string, Sourced<unknown>>;
  env: Record<string, EnvEntry>;
  tables?: Sourced<string[]>;
  table_settings: Record<string, Record<string, Sourced<unknown>>>;
}

/** dvt.yaml's names of the per-table settings. */
const TABLE_SETTING_NAMES: Record<TableSettingKey, string> = {
  destination: "destination",
  primaryKey: "primary_key",
  cursor: "cursor",
  disposition: "disposition",
  deletes: "deletes",
  deletedFlag: "deleted_flag",
};

/** Every variable the manifest reads from the environment: auth, grants, webhook secret. */
function envOf(manifest: Manifest): Record<string, EnvEntry> {
  const required = new Set(manifest.auth.envVars.filter((v) => v.required).map((v) => v.name));
  const names = new Set([
    ...manifest.auth.envVars.map((v) => v.name),
    ...manifest.permissions.env,
    ...(manifest.webhook ? [manifest.webhook.secretEnv] : []),
  ]);
  const env: Record<string, EnvEntry> = {};
  for (const name of [...names].sort()) {
    env[name] = { value: `env:${name}`, set: !!Deno.env.get(name), required: required.has(name) };
  }
  return env;
}

/** Where a dvt.yaml node is, as `file:line:column`. */
function place(job: ExtractJob, path: readonly (string | number)[]): string {
  const location = job.file!.locate(path);
  return formatLocation({ ...location, field: undefined }).replace(/: $/, "");
}

/** The configured tables and each one's settings, with where they are written. */
function tablesOf(job: ExtractJob): Pick<EffectiveConfig, "tables" | "table_settings"> {
  const source = job.source;
  if (!source || !job.file) return { table_settings: {} };
  const tableSettings: EffectiveConfig["table_settings"] = {};
  for (const [table, settings] of Object.entries(source.settings)) {
    const shown: Record<string, Sourced<unknown>> = {};
    for (const [key, value] of Object.entries(settings)) {
      const path = source.settingPaths[table]?.[key as TableSettingKey];
      shown[TABLE_SETTING_NAMES[key as TableSettingKey]] = {
        value,
        from: path ? place(job, path) : "dvt.yaml",
      };
    }
    tableSettings[table] = shown;
  }
  const tables = source.tables
    ? { value: source.tables, from: place(job, [...source.path, "tables"]) }
    : undefined;
  return { ...(tables ? { tables } : {}), table_settings: tableSettings };
}

/** Resolves one job's configuration without running anything. */
async function effectiveConfig(
  job: ExtractJob,
  options: ConfigShowOptions,
  globals: GlobalOptions,
): Promise<EffectiveConfig> {
  const loaded = await resolveConnector(job.connector, { projectDir: job.baseDir });
  const { manifest } = loaded;
  if (!job.source) job.name = manifest.name;
  const resolved = await connectorConfigOf(job, manifest, options);
  const config: Record<string, Sourced<unknown>> = {};
  for (const key of Object.keys(manifest.config).sort()) {
    const origin = resolved.origins[key];
    config[key] = origin
      ? {
        value: resolved.values[key],
        from: describeConfigOrigin(origin, {
          builtin: loaded.origin === "builtin",
          manifestPath: manifest.path,
          adHoc: !job.source,
        }),
      }
      : { value: null, from: "not set" };
  }
  return {
    source: job.name,
    connector: { name: manifest.name, version: manifest.version, ref: job.connector },
    settings: {
      out: outDirOf(job),
      threads: threadsOf(job, options),
      log_level: logLevelOf(globals),
    },
    config,
    env: envOf(manifest),
    ...tablesOf(job),
  };
}

/** A value as one cell: strings as they are, anything else as JSON. */
function cell(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The configuration as aligned text: one row per setting, with its layer. */
export function renderEffectiveConfig(effective: EffectiveConfig): string[] {
  const { connector } = effective;
  const rows: string[][] = [];
  for (const [key, { value, from }] of Object.entries(effective.settings)) {
    rows.push([key, cell(value), from]);
  }
  for (const [key, { value, from }] of Object.entries(effective.config)) {
    rows.push([`config.${key}`, value === null ? "" : cell(value), from]);
  }
  for (const [name, entry] of Object.entries(effective.env)) {
    const state = entry.set ? "set" : entry.required ? "not set, required" : "not set";
    rows.push([`env.${name}`, entry.value, `environment (${state})`]);
  }
  if (effective.tables) {
    rows.push(["tables", effective.tables.value.join(", "), effective.tables.from]);
  }
  for (const [table, settings] of Object.entries(effective.table_settings)) {
    for (const [key, { value, from }] of Object.entries(settings)) {
      rows.push([`tables.${table}.${key}`, cell(value), from]);
    }
  }
  return [
    `${effective.source}: connector ${connector.name} ${connector.version} (${connector.ref})`,
    ...formatTextTable([{ name: "setting" }, { name: "value" }, { name: "from" }], rows),
  ];
}

/**
 * Runs `dvt config show` and returns the exit code (0; bad input throws, exit 2).
 *
 * @example
 * ```ts ignore
 * const code = await runConfigShow("shop", { set: [], json: true }, globals);
 * ```
 */
export async function runConfigShow(
  source: string | undefined,
  options: ConfigShowOptions,
  globals: GlobalOptions,
): Promise<number> {
  const project = options.connector && !options.project
    ? undefined
    : await loadProject(options.project);
  const jobs = planExtractJobs(source, options, project);
  const shown: EffectiveConfig[] = [];
  for (const job of jobs) shown.push(await effectiveConfig(job, options, globals));
  if (options.json) {
    printJson(source || options.connector ? shown[0] : shown);
    return 0;
  }
  shown.forEach((effective, index) => {
    if (index) printResult("");
    for (const line of renderEffectiveConfig(effective)) printResult(line);
  });
  return 0;
}

/**
 * The layered configuration of one source, with where each value came from. Every setting
 * takes the first layer that sets it:
 *
 * | setting          | flag           | environment     | --config file | dvt.yaml         | default             |
 * | ---------------- | -------------- | --------------- | ------------- | ---------------- | ------------------- |
 * | output directory | `--out`        | `DVT_OUT_DIR`   |               | `out:`           | `extracts/<source>` |
 * | threads          | `--threads`    | `DVT_THREADS`   |               | `threads:`       | 4                   |
 * | log level        | `--log-level`  | `DVT_LOG_LEVEL` |               |                  | info                |
 * | connector config | `--set k=v`    |                 | its keys      | `config:`        | the manifest's      |
 *
 * Secrets are never configuration: connectors read them from environment variables, which are
 * shown by name only.
 *
 * @module
 */
import {
  type ConfigOrigin,
  resolveConnectorConfig,
  type ResolvedConfig,
} from "../connector/config.ts";
import type { Manifest } from "../connector/manifest.ts";
import { formatLocation } from "../errors.ts";
import { settings } from "../util/env_settings.ts";
import type { LogLevel } from "../util/output.ts";
import type { ExtractJob } from "./extract_jobs.ts";
import type { GlobalOptions } from "./options.ts";

/** Tables read in parallel when nothing sets it. */
export const DEFAULT_THREADS = 4;

/** A value and the layer it came from (`--threads`, `DVT_THREADS`, `dvt.yaml:4:14`, `default`). */
export interface Sourced<T> {
  value: T;
  from: string;
}

/** The flags that feed a source's configuration. */
export interface ConfigFlags {
  config?: string;
  set?: string[];
  threads?: number;
}

/** Where a dvt.yaml value is written, as `file:line:column`. */
function yamlPlace(job: ExtractJob, key: string): string {
  if (!job.file || !job.source) return "dvt.yaml";
  const location = job.file.locate([...job.source.path, key]);
  return formatLocation({ ...location, field: undefined }).replace(/: $/, "");
}

/** The output directory and the layer that chose it. */
export function outDirOf(job: ExtractJob): Sourced<string> {
  const from = job.outFrom === "dvt.yaml" ? yamlPlace(job, "out") : job.outFrom;
  return { value: job.out, from };
}

/** Tables read in parallel: --threads > DVT_THREADS > dvt.yaml `threads:` > 4. */
export function threadsOf(job: ExtractJob, flags: ConfigFlags): Sourced<number> {
  if (flags.threads !== undefined) return { value: flags.threads, from: "--threads" };
  const env = settings().threads;
  if (env !== undefined) return { value: env, from: "DVT_THREADS" };
  const threads = job.source?.threads;
  if (threads !== undefined) return { value: threads, from: yamlPlace(job, "threads") };
  return { value: DEFAULT_THREADS, from: "default" };
}

/** The log level and the layer that chose it (resolved once, in cli.ts). */
export function logLevelOf(globals: GlobalOptions): Sourced<LogLevel> {
  return { value: globals.logLevel, from: globals.logLevelFrom ?? "default" };
}

/**
 * The connector's config: --set > --config file > dvt.yaml `config:` > what dvt supplies
 * (`base_dir`: the directory of dvt.yaml) > the manifest's defaults.
 */
export async function connectorConfigOf(
  job: ExtractJob,
  manifest: Manifest,
  flags: ConfigFlags,
): Promise<ResolvedConfig> {
  // Connectors reading local files declare base_dir: relative paths follow dvt.yaml.
  const runDefaults = "base_dir" in manifest.config ? { base_dir: job.baseDir } : {};
  return await resolveConnectorConfig(manifest, {
    runDefaults,
    project: job.source
      ? { values: job.source.config, file: job.file, path: [...job.source.path, "config"] }
      : undefined,
    configFile: flags.config,
    sets: flags.set,
  });
}

/**
 * A config value's origin as `config show` prints it: `connector default` (with the manifest's
 * path for connectors that are not built in), `dvt (...)`, `--set key`, `--config file:line:col`
 * or `dvt.yaml:line:col`.
 */
export function describeConfigOrigin(
  origin: ConfigOrigin,
  connector: { builtin: boolean; manifestPath: string; adHoc: boolean },
): string {
  const { layer, location } = origin;
  switch (layer) {
    case "connector default":
      return connector.builtin
        ? "connector default"
        : `connector default (${connector.manifestPath})`;
    case "dvt default":
      return connector.adHoc ? "dvt (the working directory)" : "dvt (the directory of dvt.yaml)";
    case "--set":
      return location.field ?? "--set";
    default: {
      const place = formatLocation({ ...location, field: undefined }).replace(/: $/, "");
      return layer === "--config" ? `--config ${place}` : place;
    }
  }
}

/**
 * Shared by `dvt connector discover|test`: turns the <connector> argument (a source name from
 * dvt.yaml, a built-in, a path or a URL) plus --config/--set into a loaded connector and its
 * validated config. dvt.yaml is read minimally here: only `sources.<name>.connector|config`.
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import { buildConnectorConfig, type ConfigSources } from "../../connector/config.ts";
import { type LoadedConnector, resolveConnector } from "../../connector/loader.ts";
import { ConfigError } from "../../errors.ts";
import { isMapping } from "../../util/field_check.ts";
import type { ConnectorConfig } from "../../protocol.ts";
import { readYamlFile, type YamlFile } from "../../util/yaml_file.ts";
import { isFile } from "../../util/path_kind.ts";

/** Options shared by subcommands that instantiate a connector. */
export interface ConnectorTargetOptions {
  config?: string;
  set: string[];
  project?: string;
  json: boolean;
}

/** One source of dvt.yaml, as far as connector commands need it. */
export interface ProjectSource {
  name: string;
  connector: string;
  config: Record<string, unknown>;
  file: YamlFile;
}

/** dvt.yaml's directory and sources; undefined when no project file exists. */
export interface ProjectSources {
  path: string;
  dir: string;
  sources: ProjectSource[];
}

/** Reads the sources of dvt.yaml (`--project FILE` or ./dvt.yaml when present). */
export async function readProjectSources(project?: string): Promise<ProjectSources | undefined> {
  const path = resolve(project ?? "dvt.yaml");
  if (!project && !await isFile(path)) {
    return undefined;
  }
  const file = await readYamlFile(project ?? "dvt.yaml", ConfigError);
  const root = isMapping(file.value) ? file.value : {};
  const sources = isMapping(root.sources) ? root.sources : {};
  const list: ProjectSource[] = [];
  for (const [name, raw] of Object.entries(sources)) {
    if (!isMapping(raw)) continue;
    if (typeof raw.connector !== "string") {
      throw new ConfigError("expected a connector name, path or URL", {
        location: file.locate(["sources", name, "connector"]),
        hint: "e.g. connector: files",
      });
    }
    const config = raw.config === undefined ? {} : raw.config;
    if (!isMapping(config)) {
      throw new ConfigError("expected a mapping of config keys", {
        location: file.locate(["sources", name, "config"]),
      });
    }
    list.push({ name, connector: raw.connector, config, file });
  }
  return { path, dir: dirname(path), sources: list };
}

/** A connector with its validated config, ready to instantiate. */
export interface ConnectorTarget {
  loaded: LoadedConnector;
  config: ConnectorConfig;
  /** Source name when the argument named a dvt.yaml source. */
  source?: string;
}

/** Resolves the <connector> argument and builds its config from dvt.yaml, --config, --set. */
export async function resolveConnectorTarget(
  ref: string,
  options: { config?: string; set?: string[]; project?: string },
): Promise<ConnectorTarget> {
  const project = await readProjectSources(options.project);
  const source = project?.sources.find((candidate) => candidate.name === ref);
  const sources: ConfigSources = { configFile: options.config, sets: options.set ?? [] };
  let loaded: LoadedConnector;
  if (source && project) {
    loaded = await resolveConnector(source.connector, { projectDir: project.dir });
    sources.project = {
      values: source.config,
      file: source.file,
      path: ["sources", ref, "config"],
    };
  } else {
    loaded = await resolveConnector(ref, { projectDir: project?.dir });
  }
  const config = await buildConnectorConfig(loaded.manifest, sources);
  return { loaded, config, source: source?.name };
}

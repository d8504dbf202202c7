/**
 * Builds a connector's config from its layers — manifest defaults < dvt.yaml < --config file <
 * --set flags — and validates it against the manifest's config schema. Errors point at the
 * offending value: file:line:column in dvt.yaml or the --config file, or the `--set key` flag.
 *
 * @module
 */
import { ConfigError, type SourceLocation } from "../errors.ts";
import { alternatives, describeFound, isMapping } from "../util/field_check.ts";
import type { ConfigProperty, Manifest } from "./manifest.ts";
import { type ConfigType, matchesType } from "./manifest_sections.ts";
import type { ConnectorConfig } from "../protocol.ts";
import type { YamlFile, YamlPath } from "../util/yaml_file.ts";

/** Where config values come from, lowest precedence first. */
export interface ConfigSources {
  /** Values dvt supplies for the run (e.g. `base_dir`), over the manifest's defaults. */
  runDefaults?: Record<string, unknown>;
  /** `sources.<name>.config` of dvt.yaml; `file`/`path` locate it for errors. */
  project?: { values: Record<string, unknown>; file?: YamlFile; path?: YamlPath };
  /** A YAML or JSON file given with --config. */
  configFile?: string;
  /** `key=value` strings from --set (nested keys as `a.b=1`). */
  sets?: string[];
}

/** Points at a config key (or a part of its value) wherever it was set. */
type Origin = (sub: YamlPath, keyOnly?: boolean) => SourceLocation;

function fileOrigin(file: YamlFile | undefined, base: YamlPath, key: string): Origin {
  return (sub, keyOnly) => {
    const path = [...base, key, ...sub];
    if (!file) return { field: path.join(".") };
    return keyOnly ? file.locateKey(path) : file.locate(path);
  };
}

function fail(message: string, location: SourceLocation, hint?: string): never {
  throw new ConfigError(message, { location, hint });
}

function checkKnown(manifest: Manifest, key: string, location: SourceLocation): void {
  if (key in manifest.config) return;
  const known = Object.keys(manifest.config);
  fail(
    `unknown config key "${key}" for connector ${manifest.name}`,
    location,
    known.length ? alternatives(key, known) : `connector ${manifest.name} takes no config`,
  );
}

function parseScalar(raw: string): unknown {
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  if (raw === "true" || raw === "false") return raw === "true";
  return raw;
}

/** Turns a --set string into the declared type; throws naming the flag when it cannot. */
export function coerceSetValue(
  raw: string,
  type: ConfigType,
  flag: string,
  items?: ConfigType,
): unknown {
  const location = { field: flag };
  switch (type) {
    case "string":
      return raw;
    case "integer":
      if (/^-?\d+$/.test(raw.trim())) return Number(raw);
      return fail(`expected an integer, found ${JSON.stringify(raw)}`, location);
    case "number": {
      const value = Number(raw);
      if (raw.trim() && Number.isFinite(value)) return value;
      return fail(`expected a number, found ${JSON.stringify(raw)}`, location);
    }
    case "boolean": {
      const text = raw.trim().toLowerCase();
      if (["true", "1", "yes", "on"].includes(text)) return true;
      if (["false", "0", "no", "off"].includes(text)) return false;
      return fail(`expected true or false, found ${JSON.stringify(raw)}`, location);
    }
    case "array":
      return raw.split(",").map((item) => item.trim()).filter((item) => item)
        .map((item) => coerceSetValue(item, items ?? "string", flag));
    case "object":
      try {
        const value = JSON.parse(raw);
        if (isMapping(value)) return value;
      } catch { /* reported below */ }
      return fail(
        `expected an object, found ${JSON.stringify(raw)}`,
        location,
        `use --set ${flag.slice(6)}.<key>=<value> or a JSON object`,
      );
  }
}

function applySet(
  manifest: Manifest,
  setting: string,
  values: Record<string, unknown>,
  origins: Record<string, Origin>,
): void {
  const equals = setting.indexOf("=");
  const keyPath = equals < 0 ? setting : setting.slice(0, equals);
  const raw = equals < 0 ? "" : setting.slice(equals + 1);
  if (equals < 0 || !keyPath) {
    fail(`expected key=value, found ${JSON.stringify(setting)}`, { field: "--set" });
  }
  const [key, ...nested] = keyPath.split(".");
  const flag = `--set ${keyPath}`;
  checkKnown(manifest, key, { field: flag });
  const property = manifest.config[key];
  if (nested.length) {
    if (property.type !== "object") {
      fail(`${key} is a ${property.type}, not an object with keys`, { field: flag });
    }
    const target = structuredClone(isMapping(values[key]) ? values[key] : {}) as Record<
      string,
      unknown
    >;
    let node = target;
    for (const part of nested.slice(0, -1)) {
      node = (node[part] = isMapping(node[part]) ? node[part] : {}) as Record<string, unknown>;
    }
    node[nested[nested.length - 1]] = parseScalar(raw);
    values[key] = target;
  } else {
    values[key] = coerceSetValue(raw, property.type, flag, property.items?.type);
  }
  origins[key] = () => ({ field: flag });
}

async function readConfigFile(path: string): Promise<YamlFile> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (cause) {
    const missing = cause instanceof Deno.errors.NotFound;
    throw new ConfigError(missing ? `config file not found: ${path}` : `cannot read ${path}`, {
      cause: missing ? undefined : cause,
      hint: "--config takes a YAML or JSON file of key: value pairs",
    });
  }
  // The YAML parser loads only when a --config file is given (~40-80 ms of start-up).
  const { parseYamlText } = await import("../util/yaml_file.ts");
  const file = parseYamlText(text, path, ConfigError);
  if (!isMapping(file.value ?? {})) {
    fail(`expected a mapping of config keys, found ${describeFound(file.value)}`, {
      file: path,
      line: 1,
      column: 1,
    });
  }
  return file;
}

function mergeLayer(
  manifest: Manifest,
  layer: Record<string, unknown>,
  originOf: (key: string) => Origin,
  values: Record<string, unknown>,
  origins: Record<string, Origin>,
): void {
  for (const [key, value] of Object.entries(layer)) {
    checkKnown(manifest, key, originOf(key)([], true));
    // A list written as one string (`paths: data/*.csv`) means what `--set` makes of it.
    const property = manifest.config[key];
    values[key] = property.type === "array" && typeof value === "string"
      ? coerceSetValue(value, "array", key, property.items?.type)
      : value;
    origins[key] = originOf(key);
  }
}

const FORMAT_CHECKS: Record<string, (text: string) => boolean> = {
  uri: (text) => URL.canParse(text) && /^[a-z][a-z0-9+.-]*:/i.test(text),
  email: (text) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(text),
  hostname: (text) => /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(text) && text.length <= 253,
  date: (text) => /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(text)),
  "date-time": (text) =>
    /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(text) &&
    !Number.isNaN(Date.parse(text)),
  path: (text) => text.length > 0 && !text.includes("\0"),
};

function checkValue(key: string, value: unknown, property: ConfigProperty, origin: Origin): void {
  const expected = property.type === "integer" ? "an integer" : `a ${property.type}`;
  if (!matchesType(value, property.type)) {
    fail(`expected ${expected} for ${key}, found ${describeFound(value)}`, origin([]));
  }
  if (property.type === "array" && property.items) {
    (value as unknown[]).forEach((item, index) => {
      if (!matchesType(item, property.items!.type)) {
        fail(
          `expected ${key}[${index}] to be a ${property.items!.type}, found ${describeFound(item)}`,
          origin([index]),
        );
      }
    });
  }
  if (property.enum && !property.enum.some((choice) => choice === value)) {
    const choices = property.enum.map((choice) => String(choice));
    fail(
      `${describeFound(value)} is not an allowed value of ${key}`,
      origin([]),
      alternatives(String(value), choices),
    );
  }
  const check = property.format ? FORMAT_CHECKS[property.format] : undefined;
  if (check && typeof value === "string" && !check(value)) {
    fail(`expected ${key} in ${property.format} format, found ${describeFound(value)}`, origin([]));
  }
}

function checkRequired(
  manifest: Manifest,
  values: Record<string, unknown>,
  sources: ConfigSources,
): void {
  const missing = Object.entries(manifest.config)
    .filter(([key, property]) => property.required && values[key] === undefined);
  if (!missing.length) return;
  const list = missing
    .map(([key, property]) => property.description ? `${key} (${property.description})` : key)
    .join("; ");
  const project = sources.project;
  const location = project?.file && project.path ? project.file.locate(project.path) : undefined;
  fail(
    `missing required config for connector ${manifest.name}: ${list}`,
    location ?? {},
    `set ${
      missing.length > 1 ? "them" : "it"
    } in dvt.yaml (sources.<name>.config), a --config file, or with --set ${missing[0][0]}=...`,
  );
}

/** The layers a config value can come from, lowest precedence first. */
export const CONFIG_LAYERS = [
  "connector default",
  "dvt default",
  "dvt.yaml",
  "--config",
  "--set",
] as const;

/** One config layer. */
export type ConfigLayer = typeof CONFIG_LAYERS[number];

/** Where a config value came from: its layer and the place in it. */
export interface ConfigOrigin {
  layer: ConfigLayer;
  location: SourceLocation;
}

/** A connector's effective config with the origin of each value. */
export interface ResolvedConfig {
  values: ConnectorConfig;
  origins: Record<string, ConfigOrigin>;
}

/**
 * Merges config layers (--set > --config file > dvt.yaml > run defaults > manifest defaults),
 * validates the result against the manifest's config schema and says where each value came from.
 */
export async function resolveConnectorConfig(
  manifest: Manifest,
  sources: ConfigSources,
): Promise<ResolvedConfig> {
  const values: Record<string, unknown> = {};
  const origins: Record<string, Origin> = {};
  const layers: Record<string, ConfigLayer> = {};
  const track = (layer: ConfigLayer, keys: Iterable<string>) => {
    for (const key of keys) if (key in values) layers[key] = layer;
  };
  for (const [key, property] of Object.entries(manifest.config)) {
    if (property.default === undefined) continue;
    values[key] = structuredClone(property.default);
    origins[key] = () => ({ file: manifest.path, field: `config.${key}.default` });
    layers[key] = "connector default";
  }
  for (const [key, value] of Object.entries(sources.runDefaults ?? {})) {
    checkKnown(manifest, key, { field: key });
    values[key] = value;
    origins[key] = () => ({ field: key });
    layers[key] = "dvt default";
  }
  if (sources.project) {
    const { values: layer, file, path = [] } = sources.project;
    mergeLayer(manifest, layer, (key) => fileOrigin(file, path, key), values, origins);
    track("dvt.yaml", Object.keys(layer));
  }
  if (sources.configFile) {
    const file = await readConfigFile(sources.configFile);
    const layer = (file.value ?? {}) as Record<string, unknown>;
    mergeLayer(manifest, layer, (key) => fileOrigin(file, [], key), values, origins);
    track("--config", Object.keys(layer));
  }
  for (const setting of sources.sets ?? []) {
    applySet(manifest, setting, values, origins);
    track("--set", [setting.split("=")[0].split(".")[0]]);
  }
  for (const [key, value] of Object.entries(values)) {
    checkValue(key, value, manifest.config[key], origins[key]);
  }
  checkRequired(manifest, values, sources);
  const resolved: Record<string, ConfigOrigin> = {};
  for (const key of Object.keys(values)) {
    resolved[key] = { layer: layers[key], location: origins[key]([], true) };
  }
  return { values, origins: resolved };
}

/**
 * Merges config layers (--set > --config file > dvt.yaml > manifest defaults) and validates the
 * result against the manifest's config schema.
 *
 * @example
 * ```ts
 * import { parseManifest } from "./manifest_text.ts";
 * import { buildConnectorConfig } from "./config.ts";
 * const manifest = parseManifest(
 *   "name: d\nversion: 1.0.0\nentrypoint: ./c.ts\ncapabilities: [read]\nconfig:\n  limit: { type: integer, default: 5 }\n",
 *   "connector.yaml",
 * );
 * const config = await buildConnectorConfig(manifest, { sets: ["limit=7"] }); // { limit: 7 }
 * ```
 */
export async function buildConnectorConfig(
  manifest: Manifest,
  sources: ConfigSources,
): Promise<ConnectorConfig> {
  return (await resolveConnectorConfig(manifest, sources)).values;
}

/**
 * Throws ConfigError listing every required env var of the manifest's auth that is unset or
 * empty, each with its description.
 */
export function checkRequiredEnv(
  manifest: Manifest,
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): void {
  const missing = manifest.auth.envVars.filter((spec) => spec.required && !env(spec.name));
  if (!missing.length) return;
  const lines = missing.map((spec) =>
    `  ${spec.name}${spec.description ? ` — ${spec.description}` : ""}`
  );
  throw new ConfigError(
    `connector ${manifest.name} needs environment variable${missing.length > 1 ? "s" : ""} that ${
      missing.length > 1 ? "are" : "is"
    } not set:\n${lines.join("\n")}`,
    {
      location: { file: manifest.path, field: "auth.env_vars" },
      hint: `export ${missing.map((spec) => `${spec.name}=...`).join(" ")} before running dvt`,
    },
  );
}

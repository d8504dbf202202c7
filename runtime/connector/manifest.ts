/**
 * connector.yaml: load, validate and resolve the entrypoint. Every error names the file, line
 * and column, the field, what was expected and what was found, and lists the alternatives.
 *
 * @module
 */
import { ManifestError, type SourceLocation } from "../errors.ts";
import { alternatives, describeFound, isMapping, rejectUnknownKeys } from "../util/field_check.ts";
import {
  type AuthType,
  type ConfigProperty,
  type EnvVarSpec,
  expectString,
  type HealthCheck,
  type Locator,
  parseAuth,
  parseConfigSchema,
  parseHealthCheck,
  parsePermissions,
  parseWebhook,
  type WebhookSpec,
} from "./manifest_sections.ts";
import {
  type Capabilities,
  CAPABILITY_NAMES,
  type CapabilityName,
  capsFromNames,
} from "../protocol.ts";
import type { YamlFile } from "../util/yaml_file.ts";
import { isOneOf } from "../util/is_one_of.ts";

export type { AuthType, ConfigProperty, EnvVarSpec, HealthCheck, WebhookSpec };
export { AUTH_TYPES, CONFIG_FORMATS, CONFIG_TYPES } from "./manifest_sections.ts";

/** A validated connector.yaml. */
export interface Manifest {
  name: string;
  version: string;
  description: string;
  /** `builtin:<name>`, a path relative to the manifest, or an https URL. */
  entrypoint: string;
  /** `sha256-<base64 or hex>` of the entrypoint; required for remote entrypoints. */
  integrity?: string;
  /** Capability names as written, in canonical order. */
  capabilities: CapabilityName[];
  /** The same capabilities as bit flags. */
  caps: Capabilities;
  /** Sandbox grants: hosts and env var names. */
  permissions: { net: string[]; env: string[] };
  auth: { type: AuthType; envVars: EnvVarSpec[] };
  /** Config schema: property name -> declaration. */
  config: Record<string, ConfigProperty>;
  healthCheck?: HealthCheck;
  /** How `dvt serve` authenticates webhook deliveries; absent: the connector receives none. */
  webhook?: WebhookSpec;
  /** Path or URL of the connector.yaml this came from. */
  path: string;
}

/** Top-level keys of connector.yaml. */
export const MANIFEST_KEYS = [
  "name",
  "version",
  "description",
  "entrypoint",
  "integrity",
  "capabilities",
  "permissions",
  "auth",
  "config",
  "health_check",
  "webhook",
] as const;

const NAME = /^[a-z][a-z0-9_-]*$/;
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;
const INTEGRITY = /^sha(256|384|512)-([A-Za-z0-9+/]+={0,2}|[0-9a-fA-F]+)$/;
const ENTRY_EXTENSIONS = [".ts", ".js", ".mjs", ".mts"];

/** True for `https:` URLs, and `http:` on the loopback interface (local development). */
export function isRemoteUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.protocol === "https:") return true;
  return url.protocol === "http:" &&
    ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
}

/** How an entrypoint is reached. */
export type EntrypointKind = "builtin" | "local" | "remote";

/** Classifies a manifest's entrypoint, taking into account where the manifest itself came from. */
export function entrypointKind(manifest: Pick<Manifest, "entrypoint" | "path">): EntrypointKind {
  if (manifest.entrypoint.startsWith("builtin:")) return "builtin";
  if (isRemoteUrl(manifest.entrypoint) || isRemoteUrl(manifest.path)) return "remote";
  return "local";
}

function parseCapabilities(value: unknown, loc: Locator): CapabilityName[] {
  const path = ["capabilities"];
  if (!Array.isArray(value) || !value.length) {
    throw new ManifestError(
      `expected a non-empty list of capabilities, found ${describeFound(value)}`,
      {
        location: loc.at(path),
        hint: `valid: ${CAPABILITY_NAMES.join(", ")}`,
      },
    );
  }
  const names = new Set<CapabilityName>();
  value.forEach((item, index) => {
    const text = String(item);
    if (!isOneOf(CAPABILITY_NAMES, text)) {
      throw new ManifestError(`unknown capability ${describeFound(item)}`, {
        location: loc.at([...path, index]),
        hint: alternatives(text.toLowerCase(), CAPABILITY_NAMES),
      });
    }
    names.add(text as CapabilityName);
  });
  return CAPABILITY_NAMES.filter((name) => names.has(name));
}

function parseEntrypoint(value: unknown, loc: Locator): string {
  const what = "builtin:<name>, a relative path to a .ts/.js file, or an https URL";
  const entry = expectString(value, ["entrypoint"], loc, what);
  if (entry.startsWith("builtin:")) {
    if (NAME.test(entry.slice("builtin:".length))) return entry;
  } else if (/^[a-z][a-z0-9+.-]*:/i.test(entry)) {
    if (isRemoteUrl(entry)) return entry;
  } else if (!entry.startsWith("/") && ENTRY_EXTENSIONS.some((ext) => entry.endsWith(ext))) {
    return entry;
  }
  throw new ManifestError(`expected ${what}, found ${describeFound(entry)}`, {
    location: loc.at(["entrypoint"]),
    hint: "e.g. entrypoint: ./connector.ts (next to connector.yaml) or https://example.com/c.js",
  });
}

function parseIntegrity(value: unknown, loc: Locator, remote: boolean): string | undefined {
  if (value === undefined || value === null) {
    if (!remote) return undefined;
    throw new ManifestError("missing integrity: required for a remote entrypoint", {
      location: { ...loc.at([]), field: "integrity" },
      hint: "add integrity: sha256-<base64> (printed by `dvt connector build`)",
    });
  }
  const text = expectString(value, ["integrity"], loc, "sha256-<base64 or hex digest>");
  if (!INTEGRITY.test(text)) {
    throw new ManifestError(
      `expected sha256-<base64 or hex digest>, found ${describeFound(text)}`,
      {
        location: loc.at(["integrity"]),
        hint: "e.g. integrity: sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
      },
    );
  }
  return text;
}

function required(
  value: Record<string, unknown>,
  key: string,
  loc: Locator,
  what: string,
  pattern?: RegExp,
): string {
  if (value[key] === undefined) {
    throw new ManifestError(`missing ${key}: expected ${what}`, {
      location: { ...loc.at([]), field: key },
      hint: `add "${key}:" at the top level of connector.yaml`,
    });
  }
  const text = expectString(value[key], [key], loc, what);
  if (pattern && !pattern.test(text)) {
    throw new ManifestError(`expected ${what}, found ${describeFound(text)}`, {
      location: loc.at([key]),
    });
  }
  return text;
}

/**
 * Validates a parsed connector.yaml (manifest_text.ts parses the text). `file.path` (file path or
 * URL) is used in errors and to resolve the entrypoint. Kept apart from the YAML parser so that
 * the modules every extract loads never load it: built-in manifests come precompiled
 * (builtin_manifests.ts), and only a connector.yaml read from disk or a URL needs the parser.
 */
export function manifestFromYaml(file: YamlFile): Manifest {
  const path = file.path;
  const loc: Locator = { at: file.locate, key: file.locateKey };
  const value = file.value;
  if (!isMapping(value)) {
    throw new ManifestError(`expected a mapping of manifest keys, found ${describeFound(value)}`, {
      location: { file: path, line: 1, column: 1 },
      hint: `top-level keys: ${MANIFEST_KEYS.join(", ")}`,
    });
  }
  rejectUnknownKeys(value, MANIFEST_KEYS, (key) => loc.key([key]), ManifestError, "top-level key");
  const name = required(value, "name", loc, "a name matching [a-z][a-z0-9_-]*", NAME);
  const version = required(value, "version", loc, "a semantic version such as 1.0.0", SEMVER);
  const description = value.description === undefined
    ? ""
    : expectString(value.description, ["description"], loc, "a description string");
  const entrypoint = parseEntrypoint(value.entrypoint ?? missingEntrypoint(loc), loc);
  const capabilities = parseCapabilities(value.capabilities, loc);
  const permissions = parsePermissions(value.permissions, loc);
  const auth = parseAuth(value.auth, loc);
  const config = parseConfigSchema(value.config, loc);
  const remote = entrypointKind({ entrypoint, path }) === "remote";
  const integrity = parseIntegrity(value.integrity, loc, remote);
  const variables = [
    ...Object.keys(config),
    ...permissions.env,
    ...auth.envVars.map((spec) => spec.name),
  ];
  const healthCheck = parseHealthCheck(value.health_check, loc, variables);
  const webhook = parseWebhook(value.webhook, loc);
  return {
    name,
    version,
    description,
    entrypoint,
    integrity,
    capabilities,
    caps: capsFromNames(capabilities),
    permissions,
    auth,
    config,
    healthCheck,
    webhook,
    path,
  };
}

function missingEntrypoint(loc: Locator): never {
  const location: SourceLocation = { ...loc.at([]), field: "entrypoint" };
  throw new ManifestError("missing entrypoint: expected builtin:<name>, a relative path or a URL", {
    location,
    hint: "add e.g. entrypoint: ./connector.ts",
  });
}

/** Reads a manifest's text from a path, a `file:` URL or an http(s) URL. */
async function readManifestText(pathOrUrl: string): Promise<string> {
  if (isRemoteUrl(pathOrUrl)) {
    let response: Response;
    try {
      response = await fetch(pathOrUrl, { signal: AbortSignal.timeout(30_000) });
    } catch (cause) {
      throw new ManifestError(`cannot fetch ${pathOrUrl}`, {
        cause,
        hint: "check the URL and your network",
      });
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new ManifestError(`cannot fetch ${pathOrUrl}: HTTP ${response.status}`, {
        hint: "check the URL of the connector.yaml",
      });
    }
    return await response.text();
  }
  const target = pathOrUrl.startsWith("file:") ? new URL(pathOrUrl) : pathOrUrl;
  try {
    return await Deno.readTextFile(target);
  } catch (cause) {
    const missing = cause instanceof Deno.errors.NotFound;
    throw new ManifestError(
      missing ? `manifest not found: ${pathOrUrl}` : `cannot read ${pathOrUrl}`,
      {
        cause: missing ? undefined : cause,
        hint: missing
          ? "a connector directory needs a connector.yaml"
          : "check the file's permissions",
      },
    );
  }
}

/** The path a manifest read from `pathOrUrl` reports: a `file:` URL's path, else as given. */
export function shownManifestPath(pathOrUrl: string): string {
  return pathOrUrl.startsWith("file:")
    ? decodeURIComponent(new URL(pathOrUrl).pathname)
    : pathOrUrl;
}

/** Loads and validates a connector.yaml from a path or URL; throws ManifestError (exit 2). */
export async function loadManifest(pathOrUrl: string): Promise<Manifest> {
  const text = await readManifestText(pathOrUrl);
  // The YAML parser loads only when a manifest is read from text (~40-80 ms of start-up).
  const { parseManifest } = await import("./manifest_text.ts");
  return parseManifest(text, shownManifestPath(pathOrUrl));
}

/** Names of env vars the manifest grants: permissions.env and auth env_vars. */
export function grantedEnvNames(manifest: Manifest): string[] {
  return [...new Set([...manifest.permissions.env, ...manifest.auth.envVars.map((s) => s.name)])];
}

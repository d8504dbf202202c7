/**
 * Parsers for the nested sections of connector.yaml: permissions, auth, config schema and
 * health_check. Each takes the raw value and a locator and throws ManifestError with the
 * position, the field, what was expected and what was found.
 *
 * @module
 */
import { ManifestError, type SourceLocation } from "../errors.ts";
import { alternatives, describeFound, isMapping, rejectUnknownKeys } from "../util/field_check.ts";
import type { YamlPath } from "../util/yaml_file.ts";
import { isOneOf } from "../util/is_one_of.ts";

/** Points at a value (or its key) in the manifest file. */
export interface Locator {
  at(path: YamlPath): SourceLocation;
  key(path: YamlPath): SourceLocation;
}

/** Types a config property may declare. */
export const CONFIG_TYPES = ["string", "integer", "number", "boolean", "array", "object"] as const;
/** One config property type. */
export type ConfigType = typeof CONFIG_TYPES[number];
/** String formats config properties may declare. */
export const CONFIG_FORMATS = ["uri", "email", "hostname", "date", "date-time", "path"] as const;
/** Auth types a manifest may declare. */
export const AUTH_TYPES = ["token", "oauth", "basic", "service_account", "none"] as const;
/** One auth type. */
export type AuthType = typeof AUTH_TYPES[number];
/** HTTP methods a health check may use. */
export const HEALTH_METHODS = ["GET", "HEAD", "POST", "PUT", "OPTIONS"] as const;

/** One property of a connector's config schema (a JSON-Schema subset). */
export interface ConfigProperty {
  type: ConfigType;
  format?: string;
  required?: boolean;
  default?: unknown;
  enum?: unknown[];
  description?: string;
  /** Element type of an `array` property. */
  items?: { type: ConfigType };
}

/** An environment variable the connector's auth needs. */
export interface EnvVarSpec {
  name: string;
  required: boolean;
  description?: string;
}

/** An HTTP request proving the source is reachable and the credentials work. */
export interface HealthCheck {
  endpoint: string;
  method: string;
  headers: Record<string, string>;
  expectStatus: number;
  timeoutSeconds: number;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HOST =
  /^(\*\.)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d+)?$/;

function fail(message: string, location: SourceLocation, hint?: string): never {
  throw new ManifestError(message, { location, hint });
}

/** Requires a string; `found` is described in the message. */
export function expectString(value: unknown, path: YamlPath, loc: Locator, what: string): string {
  if (typeof value === "string") return value;
  return fail(`expected ${what}, found ${describeFound(value)}`, loc.at(path));
}

/** Requires a list of strings matching `pattern`. */
function stringList(
  value: unknown,
  path: YamlPath,
  loc: Locator,
  pattern: RegExp,
  what: string,
): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return fail(`expected a list of ${what}`, loc.at(path));
  return value.map((item, index) => {
    if (typeof item !== "string" || !pattern.test(item)) {
      return fail(`expected ${what}, found ${describeFound(item)}`, loc.at([...path, index]));
    }
    return item;
  });
}

/** Parses `permissions: { net: [hosts], env: [NAMES] }`; absent means none. */
export function parsePermissions(
  value: unknown,
  loc: Locator,
): { net: string[]; env: string[] } {
  if (value === undefined || value === null) return { net: [], env: [] };
  if (!isMapping(value)) {
    fail(
      `expected a mapping with net and env, found ${describeFound(value)}`,
      loc.at(["permissions"]),
    );
  }
  rejectUnknownKeys(value, ["net", "env"], (k) => loc.key(["permissions", k]), ManifestError);
  return {
    net: stringList(
      value.net,
      ["permissions", "net"],
      loc,
      HOST,
      "a host name (e.g. api.example.com)",
    ),
    env: stringList(
      value.env,
      ["permissions", "env"],
      loc,
      ENV_NAME,
      "an environment variable name",
    ),
  };
}

/** Parses `auth: { type, env_vars: [{ name, required, description }] }`. */
export function parseAuth(
  value: unknown,
  loc: Locator,
): { type: AuthType; envVars: EnvVarSpec[] } {
  if (value === undefined || value === null) return { type: "none", envVars: [] };
  if (!isMapping(value)) {
    fail(`expected a mapping, found ${describeFound(value)}`, loc.at(["auth"]));
  }
  rejectUnknownKeys(value, ["type", "env_vars"], (k) => loc.key(["auth", k]), ManifestError);
  const type = value.type ?? "none";
  if (!isOneOf(AUTH_TYPES, type)) {
    fail(
      `expected an auth type, found ${describeFound(type)}`,
      loc.at(["auth", "type"]),
      alternatives(String(type), AUTH_TYPES),
    );
  }
  const list = value.env_vars ?? [];
  if (!Array.isArray(list)) {
    fail("expected a list of { name, required, description }", loc.at(["auth", "env_vars"]));
  }
  const envVars = list.map((item, index) => parseEnvVar(item, ["auth", "env_vars", index], loc));
  return { type: type as AuthType, envVars };
}

function parseEnvVar(item: unknown, path: YamlPath, loc: Locator): EnvVarSpec {
  if (typeof item === "string") item = { name: item };
  if (!isMapping(item)) {
    return fail(
      `expected { name, required, description }, found ${describeFound(item)}`,
      loc.at(path),
    );
  }
  rejectUnknownKeys(
    item,
    ["name", "required", "description"],
    (k) => loc.key([...path, k]),
    ManifestError,
  );
  const name = expectString(item.name, [...path, "name"], loc, "an environment variable name");
  if (!ENV_NAME.test(name)) {
    fail(
      `expected an environment variable name, found ${describeFound(name)}`,
      loc.at([...path, "name"]),
    );
  }
  // Auth variables are credentials: required unless the manifest says otherwise.
  const required = item.required ?? true;
  if (typeof required !== "boolean") {
    fail(`expected true or false, found ${describeFound(required)}`, loc.at([...path, "required"]));
  }
  const description = item.description === undefined
    ? undefined
    : expectString(item.description, [...path, "description"], loc, "a description string");
  return { name, required, description };
}

/** True when `value` has the declared config type. */
export function matchesType(value: unknown, type: ConfigType): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "boolean":
      return typeof value === "boolean";
    case "array":
      return Array.isArray(value);
    case "object":
      return isMapping(value);
  }
}

function parseType(value: unknown, path: YamlPath, loc: Locator): ConfigType {
  if (isOneOf(CONFIG_TYPES, value)) {
    return value;
  }
  return fail(
    `expected a config type, found ${describeFound(value)}`,
    loc.at(path),
    alternatives(String(value), CONFIG_TYPES),
  );
}

const PROPERTY_KEYS = ["type", "format", "required", "default", "enum", "description", "items"];

/** Parses the `config:` schema: property name -> { type, format, required, default, enum, ... }. */
export function parseConfigSchema(value: unknown, loc: Locator): Record<string, ConfigProperty> {
  if (value === undefined || value === null) return {};
  if (!isMapping(value)) {
    fail(
      `expected a mapping of property name -> { type, ... }, found ${describeFound(value)}`,
      loc.at(["config"]),
    );
  }
  const schema: Record<string, ConfigProperty> = {};
  for (const [name, raw] of Object.entries(value)) {
    schema[name] = parseProperty(raw, ["config", name], loc);
  }
  return schema;
}

function parseProperty(raw: unknown, path: YamlPath, loc: Locator): ConfigProperty {
  if (!isMapping(raw)) {
    return fail(`expected { type, ... }, found ${describeFound(raw)}`, loc.at(path));
  }
  rejectUnknownKeys(
    raw,
    PROPERTY_KEYS,
    (k) => loc.key([...path, k]),
    ManifestError,
    "config schema key",
  );
  const property: ConfigProperty = { type: parseType(raw.type, [...path, "type"], loc) };
  if (raw.format !== undefined) {
    const format = expectString(raw.format, [...path, "format"], loc, "a format name");
    if (!isOneOf(CONFIG_FORMATS, format)) {
      fail(
        `unknown format "${format}"`,
        loc.at([...path, "format"]),
        alternatives(format, CONFIG_FORMATS),
      );
    }
    property.format = format;
  }
  if (raw.required !== undefined) {
    if (typeof raw.required !== "boolean") {
      fail(
        `expected true or false, found ${describeFound(raw.required)}`,
        loc.at([...path, "required"]),
      );
    }
    property.required = raw.required;
  }
  if (raw.description !== undefined) {
    property.description = expectString(
      raw.description,
      [...path, "description"],
      loc,
      "a description string",
    );
  }
  if (raw.items !== undefined) {
    if (property.type !== "array") {
      fail("items is only allowed on type: array", loc.key([...path, "items"]));
    }
    if (!isMapping(raw.items)) fail("expected items: { type: ... }", loc.at([...path, "items"]));
    property.items = { type: parseType(raw.items.type, [...path, "items", "type"], loc) };
  }
  if (raw.enum !== undefined) {
    if (!Array.isArray(raw.enum) || !raw.enum.length) {
      fail("expected a non-empty list of allowed values", loc.at([...path, "enum"]));
    }
    raw.enum.forEach((choice, index) => {
      if (!matchesType(choice, property.type)) {
        fail(
          `expected a ${property.type} enum value, found ${describeFound(choice)}`,
          loc.at([...path, "enum", index]),
        );
      }
    });
    property.enum = raw.enum;
  }
  if (raw.default !== undefined) {
    if (!matchesType(raw.default, property.type)) {
      fail(
        `expected a ${property.type} default, found ${describeFound(raw.default)}`,
        loc.at([...path, "default"]),
      );
    }
    property.default = raw.default;
  }
  return property;
}

const HEALTH_KEYS = ["endpoint", "method", "headers", "expect_status", "timeout_seconds"];

/** Finds the `${name}` references in a template string. */
export function templateVariables(template: string): string[] {
  return [...template.matchAll(/\$\{([^}]*)\}/g)].map((match) => match[1]);
}

/** Parses `health_check`; every `${var}` must name a config property or a granted env var. */
export function parseHealthCheck(
  value: unknown,
  loc: Locator,
  variables: readonly string[],
): HealthCheck | undefined {
  if (value === undefined || value === null) return undefined;
  const base = ["health_check"];
  if (!isMapping(value)) {
    return fail(`expected a mapping, found ${describeFound(value)}`, loc.at(base));
  }
  rejectUnknownKeys(value, HEALTH_KEYS, (k) => loc.key([...base, k]), ManifestError);
  const endpoint = expectString(
    value.endpoint,
    [...base, "endpoint"],
    loc,
    "an endpoint URL template",
  );
  const method = expectString(value.method ?? "GET", [...base, "method"], loc, "an HTTP method")
    .toUpperCase();
  if (!isOneOf(HEALTH_METHODS, method)) {
    fail(
      `expected an HTTP method, found ${describeFound(value.method)}`,
      loc.at([...base, "method"]),
      alternatives(method, HEALTH_METHODS),
    );
  }
  const headers: Record<string, string> = {};
  const rawHeaders = value.headers ?? {};
  if (!isMapping(rawHeaders)) {
    fail("expected a mapping of header name -> value", loc.at([...base, "headers"]));
  }
  for (const [name, header] of Object.entries(rawHeaders)) {
    headers[name] = expectString(header, [...base, "headers", name], loc, "a header value string");
  }
  const expectStatus = value.expect_status ?? 200;
  if (
    typeof expectStatus !== "number" || !Number.isInteger(expectStatus) || expectStatus < 100 ||
    expectStatus > 599
  ) {
    fail(
      `expected an HTTP status code (100-599), found ${describeFound(expectStatus)}`,
      loc.at([...base, "expect_status"]),
    );
  }
  const timeoutSeconds = value.timeout_seconds ?? 10;
  if (typeof timeoutSeconds !== "number" || !(timeoutSeconds > 0)) {
    fail(
      `expected a positive number of seconds, found ${describeFound(timeoutSeconds)}`,
      loc.at([...base, "timeout_seconds"]),
    );
  }
  const templates: [YamlPath, string][] = [
    [[...base, "endpoint"], endpoint],
    ...Object.entries(headers).map((
      [name, text],
    ): [YamlPath, string] => [[...base, "headers", name], text]),
  ];
  for (const [path, text] of templates) {
    for (const name of templateVariables(text)) {
      if (variables.includes(name)) continue;
      fail(
        `unknown variable \${${name}}: expected a config property or an env var the manifest declares`,
        loc.at(path),
        variables.length
          ? alternatives(name, variables)
          : "declare it under config: or auth.env_vars",
      );
    }
  }
  return { endpoint, method, headers, expectStatus, timeoutSeconds };
}

/** How `dvt serve` authenticates a connector's webhook senders (`webhook:` in connector.yaml). */
export interface WebhookSpec {
  /** Env var holding the shared secret; read by dvt serve, never logged. */
  secretEnv: string;
  /** Header carrying `sha256=<hex HMAC-SHA256 of the raw body>`. */
  signatureHeader: string;
  /** Header that stays the same across retries of one delivery; duplicates are written once. */
  deliveryIdHeader?: string;
}

const WEBHOOK_KEYS = ["secret_env", "signature_header", "delivery_id_header"];
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** Parses `webhook: { secret_env, signature_header, delivery_id_header }`; absent: undefined. */
export function parseWebhook(value: unknown, loc: Locator): WebhookSpec | undefined {
  if (value === undefined || value === null) return undefined;
  const base = ["webhook"];
  if (!isMapping(value)) {
    return fail(
      `expected a mapping with secret_env, signature_header and delivery_id_header, found ${
        describeFound(value)
      }`,
      loc.at(base),
    );
  }
  rejectUnknownKeys(value, WEBHOOK_KEYS, (k) => loc.key([...base, k]), ManifestError);
  const field = (key: string, pattern: RegExp, what: string, hint: string) => {
    if (value[key] === undefined) {
      return fail(
        `missing ${key}: expected ${what}`,
        { ...loc.at(base), field: `webhook.${key}` },
        hint,
      );
    }
    const text = expectString(value[key], [...base, key], loc, what);
    if (!pattern.test(text)) {
      fail(`expected ${what}, found ${describeFound(text)}`, loc.at([...base, key]), hint);
    }
    return text;
  };
  const secretEnv = field(
    "secret_env",
    ENV_NAME,
    "an environment variable name",
    "e.g. secret_env: JIRA_WEBHOOK_SECRET",
  );
  const signatureHeader = field(
    "signature_header",
    HEADER_NAME,
    "an HTTP header name",
    "e.g. signature_header: X-Hub-Signature",
  );
  const deliveryIdHeader = value.delivery_id_header === undefined ? undefined : field(
    "delivery_id_header",
    HEADER_NAME,
    "an HTTP header name",
    "e.g. delivery_id_header: X-Atlassian-Webhook-Identifier",
  );
  return { secretEnv, signatureHeader, deliveryIdHeader };
}

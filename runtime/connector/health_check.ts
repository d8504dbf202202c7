/**
 * Runs a manifest's health_check: one HTTP request with `${var}` interpolated from config and
 * the env vars the manifest grants. Secret values never appear in the result.
 *
 * @module
 */
import type { Manifest } from "./manifest.ts";
import type { ConnectorConfig } from "../protocol.ts";

/** Outcome of a health check. `url` and `message` are redacted. */
export interface HealthCheckResult {
  ok: boolean;
  status?: number;
  url: string;
  message: string;
  /** True when the manifest declares no health check. */
  skipped?: boolean;
}

/** Names of env vars the manifest grants: permissions.env and auth env_vars. */
export function grantedEnvNames(manifest: Manifest): string[] {
  return [...new Set([...manifest.permissions.env, ...manifest.auth.envVars.map((s) => s.name)])];
}

/** Replaces every occurrence of each secret (and its URL-encoded form) with `***`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets.filter((value) => value.length >= 3)) {
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      result = result.split(form).join("***");
    }
  }
  return result.replace(/\/\/([^/@\s:]+):([^/@\s]+)@/g, "//$1:***@");
}

function interpolate(
  template: string,
  lookup: (name: string) => string | undefined,
  missing: string[],
): string {
  return template.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
    const value = lookup(name);
    if (value === undefined) missing.push(name);
    return value ?? "";
  });
}

/**
 * Sends the health check request and compares the status with `expect_status`.
 *
 * @example
 * ```ts ignore
 * const result = await runHealthCheck(manifest, { url: "https://api.example.com" });
 * if (!result.ok) console.error(result.message);
 * ```
 */
export async function runHealthCheck(
  manifest: Manifest,
  config: ConnectorConfig,
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): Promise<HealthCheckResult> {
  const check = manifest.healthCheck;
  if (!check) {
    return {
      ok: true,
      skipped: true,
      url: "",
      message: `connector ${manifest.name} declares no health_check`,
    };
  }
  const granted = grantedEnvNames(manifest);
  const secrets = granted.map((name) => env(name)).filter((value): value is string => !!value);
  const lookup = (name: string): string | undefined => {
    if (name in config && config[name] !== undefined) {
      const value = config[name];
      return Array.isArray(value) ? value.join(",") : String(value);
    }
    return granted.includes(name) ? env(name) : undefined;
  };
  const missing: string[] = [];
  const url = interpolate(check.endpoint, lookup, missing);
  const headers = Object.fromEntries(
    Object.entries(check.headers).map((
      [name, value],
    ) => [name, interpolate(value, lookup, missing)]),
  );
  const shownUrl = redactSecrets(url, secrets);
  if (missing.length) {
    const names = [...new Set(missing)].join(", ");
    return {
      ok: false,
      url: shownUrl,
      message: `health check needs ${names}, which ${
        new Set(missing).size > 1 ? "are" : "is"
      } not set`,
    };
  }
  const label = `${check.method} ${shownUrl}`;
  try {
    const response = await fetch(url, {
      method: check.method,
      headers,
      signal: AbortSignal.timeout(check.timeoutSeconds * 1000),
    });
    await response.body?.cancel();
    const ok = response.status === check.expectStatus;
    const message = `${label} -> ${response.status}${
      ok ? "" : ` (expected ${check.expectStatus})`
    }`;
    return { ok, status: response.status, url: shownUrl, message };
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === "TimeoutError";
    const reason = timedOut
      ? `no response within ${check.timeoutSeconds} s`
      : error instanceof Error
      ? error.message
      : String(error);
    return {
      ok: false,
      url: shownUrl,
      message: redactSecrets(`${label} failed: ${reason}`, secrets),
    };
  }
}

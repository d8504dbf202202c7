/**
 * Runs a manifest's health_check: one HTTP request with `${var}` interpolated from config and
 * the env vars the manifest grants. Secret values never appear in the result.
 *
 * @module
 */
import { grantedEnvNames, type Manifest } from "./manifest.ts";
import { redactSecrets } from "../util/untrusted_text.ts";
import { isNetGranted } from "./net_grants.ts";
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

const MAX_REDIRECTS = 5;

/**
 * Fetches `url`, following redirects only to hosts the manifest grants (permissions.net), as
 * the connector's sandbox would; returns the refusal as a sentence when a host is not granted.
 */
async function fetchWithinGrants(
  manifest: Manifest,
  url: string,
  init: RequestInit,
): Promise<Response | string> {
  let target = new URL(url);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    if (!isNetGranted(target, manifest.permissions.net)) {
      return `health check of connector ${manifest.name} was not sent: ${
        hop ? "it was redirected to " : ""
      }${target.host}, which permissions.net in connector.yaml does not grant`;
    }
    const response = await fetch(target, { ...init, redirect: "manual" });
    const location = response.headers.get("location");
    if (response.status < 300 || response.status >= 400 || !location) return response;
    await response.body?.cancel();
    target = new URL(location, target);
  }
  return `health check of connector ${manifest.name} was redirected more than ${MAX_REDIRECTS} times`;
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
    const response = await fetchWithinGrants(manifest, url, {
      method: check.method,
      headers,
      signal: AbortSignal.timeout(check.timeoutSeconds * 1000),
    });
    if (typeof response === "string") {
      return { ok: false, url: shownUrl, message: redactSecrets(response, secrets) };
    }
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

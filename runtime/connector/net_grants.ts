/**
 * Whether a URL's host is among a manifest's `permissions.net` grants, read as Deno reads
 * `--allow-net`: `host` allows every port of that host, `host:port` only that port, `*.domain`
 * every subdomain of domain. dvt's own
 * requests on a connector's behalf (the health check) obey the same grants as its sandbox.
 *
 * @module
 */

const DEFAULT_PORTS: Record<string, string> = { "http:": "80", "https:": "443" };

function splitGrant(grant: string): { host: string; port?: string } {
  const trimmed = grant.trim().toLowerCase();
  const bracketed = /^(\[[^\]]+\])(?::(\d+))?$/.exec(trimmed);
  if (bracketed) return { host: bracketed[1], port: bracketed[2] };
  const hostPort = /^([^:]+):(\d+)$/.exec(trimmed);
  return hostPort ? { host: hostPort[1], port: hostPort[2] } : { host: trimmed };
}

/**
 * True when `url`'s host (and port) is granted by one of `grants`.
 *
 * @example
 * ```ts
 * import { isNetGranted } from "./net_grants.ts";
 * isNetGranted(new URL("https://api.example.com/v1"), ["api.example.com"]); // true
 * isNetGranted(new URL("http://127.0.0.1:9/"), ["127.0.0.1:8080"]); // false
 * ```
 */
export function isNetGranted(url: URL, grants: readonly string[]): boolean {
  const host = url.hostname.toLowerCase();
  const port = url.port || DEFAULT_PORTS[url.protocol] || "";
  return grants.some((grant) => {
    const wanted = splitGrant(grant);
    // "*.example.com" grants every subdomain at any depth, as Deno's sandbox does (measured:
    // a worker granted "*.amazonaws.com" may reach "a.b.amazonaws.com").
    const hostMatches = wanted.host.startsWith("*.")
      ? host.endsWith(wanted.host.slice(1))
      : wanted.host === host;
    return hostMatches && (wanted.port === undefined || wanted.port === port);
  });
}

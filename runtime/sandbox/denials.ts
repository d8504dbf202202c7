/**
 * Turns Deno's permission errors from a sandboxed connector into dvt's words. Deno advises "run
 * again with the --allow-read flag", which means nothing to a dvt user: say which connector
 * tried what, and that connector.yaml's `permissions` is the only way to grant network hosts and
 * env vars (files, processes, system information and native code are never granted).
 *
 * @module
 */

const DENIAL =
  /(?:(?:NotCapable|PermissionDenied): )?Requires (\w+) access(?: to "?([^",]*)"?)?, run again with the --allow-\w+ flag/g;

/** What a computed `import(...)` throws once confine_module.ts lowered it (esbuild's words). */
const LOWERED_IMPORT = /(?:Error: )?Dynamic require of "([^"]*)" is not supported/g;

const NEVER: Record<string, string> = {
  read: "read the file",
  write: "write the file",
  run: "run the program",
  ffi: "load the native library",
  sys: "read the system information",
  import: "import the module",
};

function explain(connector: string, kind: string, target: string | undefined): string {
  const what = target ? ` ${target}` : "";
  if (kind === "net") {
    return `connector ${connector} tried to reach${
      what || " a network host"
    }, which its manifest does not grant; add the host to permissions.net in connector.yaml (the only way to grant network access)`;
  }
  if (kind === "env") {
    return `connector ${connector} tried to read env var${what}, which its manifest does not grant; add it to permissions.env in connector.yaml (the only way to grant env vars)`;
  }
  const action = NEVER[kind] ?? `use ${kind} access to`;
  return `connector ${connector} tried to ${action}${what}; a connector may never do that (only network hosts and env vars can be granted, in connector.yaml permissions)`;
}

/**
 * Rewrites every Deno permission-denial sentence in `message`.
 *
 * @example
 * ```ts
 * import { explainDenials } from "./denials.ts";
 * explainDenials("shop", 'NotCapable: Requires read access to "/etc/passwd", run again with the --allow-read flag');
 * // "connector shop tried to read the file /etc/passwd; a connector may never do that (...)"
 * ```
 */
export function explainDenials(connector: string, message: string): string {
  return message
    .replace(DENIAL, (_match, kind: string, target?: string) => explain(connector, kind, target))
    .replace(LOWERED_IMPORT, (_match, target: string) => explain(connector, "import", target));
}

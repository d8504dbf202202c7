/**
 * A connector.yaml that runs a built-in connector (`entrypoint: builtin:<name>`) with its
 * manifest's `permissions.net` pointed at a local wire-format server, so health checks, which
 * obey the granted hosts, may reach 127.0.0.1 exactly as they reach the real service.
 *
 * @module
 */
import { join } from "node:path";
import { REPO_ROOT } from "../_helpers.ts";

/** Writes `<dir>/<name>/connector.yaml` for built-in `name` granted `serverUrl`'s host. */
export async function builtinAgainstServer(
  dir: string,
  name: string,
  serverUrl: string,
): Promise<string> {
  const manifest = (await Deno.readTextFile(join(REPO_ROOT, `connectors/${name}/connector.yaml`)))
    .replace("entrypoint: ./connector.ts", `entrypoint: builtin:${name}`)
    .replace(/ {2}net:(?: \[.*\]\n|\n(?: {4}- .*\n)+)/, `  net: ["${new URL(serverUrl).host}"]\n`);
  if (!manifest.includes(`net: ["${new URL(serverUrl).host}"]`)) {
    throw new Error(`could not rewrite permissions.net of ${name}`);
  }
  const target = join(dir, name);
  await Deno.mkdir(target, { recursive: true });
  await Deno.writeTextFile(join(target, "connector.yaml"), manifest);
  return target;
}

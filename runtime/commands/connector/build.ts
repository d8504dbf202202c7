/** `dvt connector build`: bundles a local connector and prints what to publish. */
import { basename, dirname, join, relative, resolve } from "node:path";
import { writeFileAtomic } from "../../util/atomic_write.ts";
import { bundleConnector } from "../../connector/bundle.ts";
import { UsageError } from "../../errors.ts";
import { entrypointKind, loadManifest } from "../../connector/manifest.ts";
import { printJson, printResult } from "../../util/output.ts";
import { pathKind } from "../../util/path_kind.ts";
import type { GlobalOptions } from "../options.ts";

/** Options of `dvt connector build`. */
export interface ConnectorBuildOptions {
  out?: string;
  json: boolean;
}

/**
 * The connector.yaml a reference names: a directory or a connector.yaml path, or — as the other
 * `dvt connector` subcommands accept — the bare name of a project connector in ./connectors/.
 */
async function manifestPathIn(ref: string): Promise<string> {
  const bare = !/[\\/]/.test(ref) && !ref.startsWith(".");
  const candidates = [resolve(ref), ...(bare ? [resolve("connectors", ref)] : [])];
  for (const candidate of candidates) {
    const kind = await pathKind(candidate);
    if (kind === "directory") return join(candidate, "connector.yaml");
    if (kind) return candidate;
  }
  const { BUILTIN_CONNECTORS } = await import("../../connector/builtin_connectors.ts");
  if (bare && BUILTIN_CONNECTORS[ref]) {
    throw new UsageError(`${ref} is a built-in connector`, {
      hint: "built-in connectors ship inside dvt; there is nothing to build",
    });
  }
  throw new UsageError(`no connector directory ${ref} (looked for ${candidates.join(" and ")})`, {
    hint: "pass the directory that holds connector.yaml, or the name of one in ./connectors/",
  });
}

/** Runs `dvt connector build [dir]`; returns the exit code. */
export async function runConnectorBuild(
  dir: string,
  options: ConnectorBuildOptions,
  _globals: GlobalOptions,
): Promise<number> {
  const manifest = await loadManifest(await manifestPathIn(dir));
  const kind = entrypointKind(manifest);
  if (kind !== "local") {
    throw new UsageError(
      `${manifest.name}'s entrypoint ${manifest.entrypoint} is not a local file`,
      {
        hint: kind === "builtin"
          ? "built-in connectors ship inside dvt; there is nothing to build"
          : "build from the connector's source directory, whose entrypoint is a relative path",
      },
    );
  }
  const entry = resolve(dirname(manifest.path), manifest.entrypoint);
  const bundle = await bundleConnector(entry, dirname(manifest.path));
  const out = resolve(options.out ?? join(dirname(manifest.path), "dist", `${manifest.name}.js`));
  await writeFileAtomic(out, bundle.code);
  const result = {
    name: manifest.name,
    version: manifest.version,
    file: out,
    bytes: bundle.bytes,
    integrity: bundle.integrity,
  };
  if (options.json) {
    printJson(result);
    return 0;
  }
  const shown = relative(Deno.cwd(), out) || out;
  printResult(`Built ${manifest.name} ${manifest.version} -> ${shown} (${bundle.bytes} bytes)`);
  printResult(`integrity: ${bundle.integrity}`);
  printResult("Publish the file, then point a connector.yaml at it:");
  printResult(`  entrypoint: https://<where you host it>/${basename(out)}`);
  printResult(`  integrity: ${bundle.integrity}`);
  return 0;
}

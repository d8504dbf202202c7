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

async function manifestPathIn(dir: string): Promise<string> {
  const kind = await pathKind(dir);
  if (!kind) {
    throw new UsageError(`no such connector directory: ${dir}`, {
      hint: "pass the directory that holds connector.yaml",
    });
  }
  return kind === "directory" ? join(dir, "connector.yaml") : dir;
}

/** Runs `dvt connector build [dir]`; returns the exit code. */
export async function runConnectorBuild(
  dir: string,
  options: ConnectorBuildOptions,
  _globals: GlobalOptions,
): Promise<number> {
  const manifest = await loadManifest(await manifestPathIn(resolve(dir)));
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

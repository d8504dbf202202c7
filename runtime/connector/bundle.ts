/**
 * Bundles a connector into one self-contained ES module — the file authors publish and users
 * reference by URL with its integrity. A sandboxed connector gets Arrow, fetch, logging and env
 * through `ctx`, so any import left after bundling (npm packages, URLs, node: built-ins) would
 * fail inside the sandbox: it is reported here, at build time, instead.
 *
 * @module
 */
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConnectorError } from "../errors.ts";
import { computeIntegrity } from "../sandbox/module_source.ts";
import { withEsbuild } from "../util/esbuild_service.ts";

/** A bundled connector. */
export interface ConnectorBundle {
  /** The ES module text. */
  code: string;
  /** `sha256-<base64>` of the UTF-8 bytes of `code`, for connector.yaml's `integrity`. */
  integrity: string;
  /** Size of `code` in bytes. */
  bytes: number;
}

type EsbuildMessage = { text: string; location?: { file: string; line: number; column: number } };

function formatMessage(message: EsbuildMessage): string {
  const place = message.location
    ? `${message.location.file}:${message.location.line}:${message.location.column + 1}: `
    : "";
  return `${place}${message.text}`;
}

/** dvt's own source (mod.ts and runtime/): a connector may inline values from mod.ts. */
const DVT_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DVT_MODULES = /^(mod\.ts|runtime\/.+\.ts)$/;

function isInside(root: string, file: string): boolean {
  const path = relative(root, file);
  return path !== "" && !path.startsWith("..") && !isAbsolute(path);
}

/**
 * Where a file import may lead: only to a file inside the connector's directory, or to dvt's
 * own TypeScript modules (mod.ts and what it re-exports). Bundling runs outside the sandbox,
 * so anything else — `/etc/passwd`, `../../private/creds.json`, a symlink out — would be read
 * with dvt's rights and inlined into the connector.
 */
function checkFileImport(
  specifier: string,
  resolveDir: string,
  connectorDir: string,
  attributes: Record<string, string>,
): { path: string } | { errors: { text: string }[] } {
  const wanted = specifier.startsWith("file:")
    ? fileURLToPath(specifier)
    : resolve(resolveDir, specifier);
  let real: string;
  try {
    real = Deno.realPathSync(wanted);
  } catch {
    return {
      errors: [{ text: `cannot find ${JSON.stringify(specifier)} (looked for ${wanted})` }],
    };
  }
  if (isInside(connectorDir, real)) return { path: real };
  const inDvt = isInside(DVT_ROOT, real) && DVT_MODULES.test(relative(DVT_ROOT, real));
  if (inDvt && Object.keys(attributes).length === 0) return { path: real };
  return {
    errors: [{
      text: `${
        JSON.stringify(specifier)
      } is outside the connector directory ${connectorDir}; a connector may import only its own files (and dvt's mod.ts)`,
    }],
  };
}

/**
 * Bundles the connector module at `entryPath` (TypeScript or JavaScript, relative imports
 * followed, type-only imports erased) into one ES module. File imports must stay inside
 * `connectorDir` (default: the entry's directory).
 */
export async function bundleConnector(
  entryPath: string,
  connectorDir: string = dirname(resolve(entryPath)),
): Promise<ConnectorBundle> {
  const root = Deno.realPathSync(connectorDir);
  try {
    const result = await withEsbuild((esbuild) =>
      esbuild.build({
        entryPoints: [resolve(entryPath)],
        // Paths in the bundle's comments are relative to this: never the author's home directory.
        absWorkingDir: dirname(resolve(entryPath)),
        bundle: true,
        format: "esm",
        platform: "neutral",
        target: "es2022",
        write: false,
        metafile: true,
        logLevel: "silent",
        legalComments: "none",
        plugins: [{
          // Leave bare, URL and node: imports unresolved so they can be reported by name below.
          name: "external-non-file-imports",
          setup(build) {
            build.onResolve({ filter: /.*/ }, (args) => {
              if (args.kind === "entry-point") return { path: resolve(entryPath) };
              if (/^(\.{0,2}\/|file:)/.test(args.path)) {
                return checkFileImport(args.path, args.resolveDir, root, args.with);
              }
              return {
                path: args.path,
                external: true,
                // Side-effect free: an import the connector never uses (e.g. reached through
                // mod.ts's re-exports) is tree-shaken away; only the ones it uses remain.
                sideEffects: false,
              };
            });
          },
        }],
      })
    );
    const output = result.outputFiles[0];
    const leftover = Object.values(result.metafile.outputs).flatMap((out) =>
      out.imports.filter((entry) => entry.external).map((entry) => entry.path)
    );
    if (leftover.length) {
      throw new ConnectorError(
        `${entryPath} imports ${
          [...new Set(leftover)].join(", ")
        } at run time; a sandboxed connector cannot load modules`,
        {
          hint:
            "use ctx.arrow, ctx.fetch, ctx.log and ctx.env instead, and import dvt's mod.ts with `import type` only",
        },
      );
    }
    const bytes = output.contents;
    return { code: output.text, integrity: await computeIntegrity(bytes), bytes: bytes.length };
  } catch (error) {
    if (error instanceof ConnectorError) throw error;
    const errors = (error as { errors?: EsbuildMessage[] }).errors;
    throw new ConnectorError(
      `cannot bundle ${entryPath}: ${
        errors?.length ? errors.map(formatMessage).join("; ") : error
      }`,
      { hint: "fix the connector source so that it compiles", cause: error },
    );
  }
}

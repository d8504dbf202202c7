/**
 * Makes a connector's module text loadable by nothing but its own code. Deno lets any module
 * import `node:` built-ins without a permission, and several of them reach past the sandbox's
 * lock-down (`node:process` names dvt's executable, `node:fs` writes to dvt's stdout through file
 * descriptor 1) through bindings no worker code can redefine. So the module is re-printed by a
 * real parser (esbuild) before the worker sees it: any `import` declaration or literal
 * `import("...")` is refused, and every computed `import(expression)` is lowered to a call that
 * throws. The worker then runs the re-printed text — what was checked is what runs — and its
 * lock-down closes code made from strings (eval, the Function constructors), the only other way
 * to write `import`.
 *
 * @module
 */
import { ConnectorError } from "../errors.ts";
import { withEsbuild } from "../util/esbuild_service.ts";

type EsbuildMessage = { text: string; location?: { line: number; column: number } | null };

function describe(errors: EsbuildMessage[]): string {
  return errors.slice(0, 3).map((error) =>
    error.location
      ? `line ${error.location.line}:${error.location.column + 1}: ${error.text}`
      : error.text
  ).join("; ");
}

/**
 * Returns `code` re-printed as one JavaScript module with no way to import anything. Throws
 * ConnectorError naming the first imports when the module has any.
 */
export async function confineModule(
  name: string,
  code: string,
  moduleUrl: string,
): Promise<string> {
  const isTs = /\.[mc]?ts$/.test(new URL(moduleUrl).pathname);
  try {
    const result = await withEsbuild((esbuild) =>
      esbuild.build({
        stdin: { contents: code, loader: isTs ? "ts" : "js", sourcefile: "connector" },
        bundle: true,
        format: "esm",
        platform: "neutral",
        target: "es2022",
        // Every import() becomes a call of esbuild's require shim, which throws: a worker has no
        // `require` (the lock-down pins it away).
        supported: { "dynamic-import": false },
        write: false,
        logLevel: "silent",
        legalComments: "none",
        plugins: [{
          name: "no-imports",
          setup(build) {
            build.onResolve({ filter: /.*/ }, (args) => ({
              errors: [{ text: `imports ${JSON.stringify(args.path)}` }],
            }));
          },
        }],
      })
    );
    return result.outputFiles[0].text;
  } catch (error) {
    const errors = (error as { errors?: EsbuildMessage[] }).errors;
    const imports = errors?.length && errors.every((entry) => entry.text.startsWith("imports "));
    throw new ConnectorError(
      `connector ${name} cannot run in the sandbox: ${moduleUrl} ${
        imports ? describe(errors) : `does not parse: ${errors?.length ? describe(errors) : error}`
      }`,
      {
        hint: imports
          ? "a sandboxed connector loads no modules: use ctx.arrow, ctx.fetch, ctx.log and ctx.env, and build it with `dvt connector build`"
          : "fix the connector source so that it compiles",
      },
    );
  }
}

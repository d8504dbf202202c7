/**
 * Checks, before any work, that an output directory can be written: it is a directory (or can
 * be created as one) on a writable file system. Otherwise the run would fail half-way with an
 * operating-system error; this says what is wrong with the path and how to fix it.
 *
 * @module
 */
import { dirname } from "node:path";
import { InputError } from "../errors.ts";

async function kind(path: string): Promise<"directory" | "file" | "missing"> {
  try {
    return (await Deno.stat(path)).isDirectory ? "directory" : "file";
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      return "missing";
    }
    throw error;
  }
}

/** Why writing into `dir` fails, in words, or undefined when it works. */
async function writeProbe(dir: string): Promise<string | undefined> {
  try {
    const probe = await Deno.makeTempFile({ dir, prefix: ".dvt-write-check-" });
    await Deno.remove(probe);
    return undefined;
  } catch (error) {
    if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
    const text = error instanceof Error ? error.message : String(error);
    if (/read-only file system|os error 30/i.test(text)) return "the file system is read-only";
    return text;
  }
}

/**
 * Throws InputError (exit 2) when `out` cannot be used as an output directory.
 *
 * @example
 * ```ts ignore
 * await checkOutputDirectory("extracts/shop"); // fine even when it does not exist yet
 * ```
 */
export async function checkOutputDirectory(out: string): Promise<void> {
  let existing = out;
  for (;;) {
    const found = await kind(existing);
    if (found === "directory") break;
    if (found === "file") {
      throw new InputError(
        existing === out
          ? `the output directory ${out} is a file`
          : `cannot create the output directory ${out}: ${existing} is a file`,
        { hint: "choose another directory with out: in dvt.yaml or --out, or move the file" },
      );
    }
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  const reason = await writeProbe(existing);
  if (reason) {
    throw new InputError(
      `cannot write the output directory ${out}: ${reason}${
        existing === out ? "" : ` (in ${existing})`
      }`,
      { hint: "choose a writable directory with out: in dvt.yaml or --out" },
    );
  }
}

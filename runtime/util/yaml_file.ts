/**
 * YAML files with source positions, so every validation error can name file:line:column.
 * dvt.yaml, connector.yaml, profiles.yml and buckets.yml all load through here.
 *
 * @module
 */
import { isAbsolute } from "node:path";
import { type Document, isMap, isPair, isScalar, LineCounter, parseDocument } from "yaml";
import { type DvtErrorOptions, InputError, type SourceLocation } from "../errors.ts";

/** A path into a YAML document: keys and sequence indexes. */
export type YamlPath = readonly (string | number)[];

/** A parsed YAML file that can point at any of its nodes. */
export interface YamlFile {
  /** The file path as given (shown in errors). */
  path: string;
  /** The parsed value as plain JS. */
  value: unknown;
  /** Location of the value at `path` (falls back to the nearest existing ancestor). */
  locate(path: YamlPath): SourceLocation;
  /** Location of the key at `path` itself (for unknown-key errors). */
  locateKey(path: YamlPath): SourceLocation;
}

/** Error class used for a file's problems; defaults to InputError (exit 2). */
export type InputErrorClass = new (message: string, options?: DvtErrorOptions) => InputError;

function fieldName(path: YamlPath): string | undefined {
  if (!path.length) return undefined;
  return path.reduce<string>(
    (text, part) => typeof part === "number" ? `${text}[${part}]` : text ? `${text}.${part}` : part,
    "",
  );
}

function nodeOffset(doc: Document, path: YamlPath, keyOnly: boolean): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const prefix = path.slice(0, depth);
    if (keyOnly && depth === path.length && depth > 0) {
      const parent = prefix.length > 1 ? doc.getIn(prefix.slice(0, -1), true) : doc.contents;
      if (isMap(parent)) {
        const pair = parent.items.find((item) =>
          isPair(item) && isScalar(item.key) && item.key.value === prefix[prefix.length - 1]
        );
        const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
        if (range) return range[0];
      }
    }
    const node = prefix.length ? doc.getIn(prefix, true) : doc.contents;
    const range = (node as { range?: [number, number, number] } | null)?.range;
    if (range) return range[0];
  }
  return undefined;
}

/**
 * Parses YAML text. Syntax errors throw `errorClass` with the file, line and column.
 *
 * @example
 * ```ts
 * import { parseYamlText } from "./yaml_file.ts";
 * const file = parseYamlText("a:\n  b: 1\n", "x.yaml");
 * file.locate(["a", "b"]); // { file: "x.yaml", line: 2, column: 6, field: "a.b" }
 * ```
 */
export function parseYamlText(
  text: string,
  path: string,
  errorClass: InputErrorClass = InputError,
): YamlFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problem = doc.errors[0];
  if (problem) {
    const position = lineCounter.linePos(problem.pos[0]);
    const reason = problem.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    throw new errorClass(`invalid YAML: ${reason}`, {
      location: { file: path, line: position.line, column: position.col },
      hint: "fix the YAML syntax at that position (indentation, quotes, colons)",
    });
  }
  const at = (offset: number | undefined, field?: string): SourceLocation => {
    if (offset === undefined) return { file: path, field };
    const { line, col } = lineCounter.linePos(offset);
    return { file: path, line, column: col, field };
  };
  return {
    path,
    value: doc.toJS({ maxAliasCount: 100 }),
    locate: (nodePath) => at(nodeOffset(doc, nodePath, false), fieldName(nodePath)),
    locateKey: (nodePath) => at(nodeOffset(doc, nodePath, true), fieldName(nodePath)),
  };
}

/** Reads and parses a YAML file; a missing or unreadable file throws `errorClass`. */
export async function readYamlFile(
  path: string,
  errorClass: InputErrorClass = InputError,
): Promise<YamlFile> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (cause) {
    const missing = cause instanceof Deno.errors.NotFound;
    // A relative path alone does not say where dvt looked; name the directory too.
    const where = isAbsolute(path) ? "" : ` (looked in ${Deno.cwd()})`;
    throw new errorClass(missing ? `file not found: ${path}${where}` : `cannot read ${path}`, {
      cause: missing ? undefined : cause,
      hint: missing ? "check the path, or create the file" : "check the file's permissions",
    });
  }
  return parseYamlText(text, path, errorClass);
}

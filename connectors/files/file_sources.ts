/**
 * Turns the files connector's config (`paths`, `tables`) into tables: a name, the files it
 * reads and their format. Every problem names the config key and the path it came from.
 *
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { InputError } from "../../mod.ts";

/** File formats the connector reads. */
export type FileFormat = "csv" | "tsv" | "json" | "ndjson" | "parquet";

/** One table the connector provides. */
export interface FileTable {
  /** Table name: the file stem, or the explicit name from `tables`. */
  name: string;
  /** Absolute paths of the files, sorted. */
  files: string[];
  format: FileFormat;
  /** The path or glob as configured (shown as the table's description). */
  pattern: string;
  /** Config key it came from, e.g. `paths[0]` or `tables.orders`. */
  field: string;
}

const FORMAT_BY_EXTENSION: Record<string, FileFormat> = {
  csv: "csv",
  txt: "csv",
  tsv: "tsv",
  tab: "tsv",
  json: "json",
  ndjson: "ndjson",
  jsonl: "ndjson",
  parquet: "parquet",
  pq: "parquet",
};
const COMPRESSION_EXTENSIONS = ["gz", "zst"];

/** Splits `orders.csv.gz` into its stem (`orders`) and format (`csv`); undefined if unknown. */
export function classifyFile(path: string): { stem: string; format?: FileFormat } {
  const base = path.split(/[\\/]/).pop() ?? path;
  const parts = base.split(".");
  if (parts.length > 2 && COMPRESSION_EXTENSIONS.includes(parts.at(-1)!.toLowerCase())) {
    parts.pop();
  }
  if (parts.length < 2) return { stem: base };
  const extension = parts.pop()!.toLowerCase();
  return { stem: parts.join("."), format: FORMAT_BY_EXTENSION[extension] };
}

function unsupported(path: string, field: string): InputError {
  return new InputError(`unsupported file type: ${path}`, {
    location: { field },
    hint: `use one of the extensions ${
      Object.keys(FORMAT_BY_EXTENSION).map((e) => `.${e}`).join(", ")
    } (optionally .gz/.zst compressed)`,
  });
}

function isGlob(pattern: string): boolean {
  return /[*?[\]{}]/.test(pattern);
}

async function expand(pattern: string, baseDir: string, field: string): Promise<string[]> {
  const absolute = isAbsolute(pattern) ? pattern : resolve(baseDir, pattern);
  if (!isGlob(pattern)) {
    const info = await Deno.stat(absolute).catch(() => undefined);
    if (!info?.isFile) {
      throw new InputError(`file not found: ${pattern} (looked for ${absolute})`, {
        location: { field },
        hint: `fix the path in ${field}; relative paths resolve against ${baseDir}`,
      });
    }
    return [absolute];
  }
  const { glob } = await import("tinyglobby");
  const files = await glob(pattern, { cwd: baseDir, absolute: true, onlyFiles: true });
  if (!files.length) {
    throw new InputError(`no file matches ${pattern} (in ${baseDir})`, {
      location: { field },
      hint: `fix the glob in ${field}; relative globs resolve against ${baseDir}`,
    });
  }
  return files.sort();
}

function stringList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  const list = typeof value === "string" ? value.split(",") : value;
  if (!Array.isArray(list) || list.some((item) => typeof item !== "string")) {
    throw new InputError(`expected a list of paths or globs`, { location: { field } });
  }
  return list.map((item) => item.trim()).filter((item) => item);
}

function tableMap(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  const valid = typeof value === "object" && !Array.isArray(value) &&
    Object.values(value).every((item) => typeof item === "string");
  if (!valid) {
    throw new InputError("expected a mapping of table name -> path or glob", {
      location: { field: "tables" },
    });
  }
  return value as Record<string, string>;
}

function formatOf(files: string[], field: string): FileFormat {
  const formats = new Set(files.map((file) => classifyFile(file).format));
  const [format] = formats;
  if (!format) throw unsupported(files.find((f) => !classifyFile(f).format)!, field);
  if (formats.size > 1) {
    throw new InputError(`files of different types match one table: ${files.join(", ")}`, {
      location: { field },
      hint: "narrow the glob so every file of a table has the same type",
    });
  }
  return format;
}

/**
 * Resolves `paths` (one table per matched file) and `tables` (name -> path/glob) against
 * `baseDir`. Missing files, empty globs, unknown extensions and duplicate names throw.
 */
export async function resolveFileTables(
  config: { paths?: unknown; tables?: unknown },
  baseDir: string,
): Promise<FileTable[]> {
  const found = new Map<string, FileTable>();
  const add = (table: FileTable) => {
    const previous = found.get(table.name);
    if (previous) {
      throw new InputError(
        `two sources give table "${table.name}": ${previous.pattern} and ${table.pattern}`,
        {
          location: { field: table.field },
          hint: "name the tables explicitly under `tables:` (name -> path or glob)",
        },
      );
    }
    found.set(table.name, table);
  };
  const paths = stringList(config.paths, "paths");
  for (const [index, pattern] of paths.entries()) {
    const field = `paths[${index}]`;
    for (const file of await expand(pattern, baseDir, field)) {
      const { stem, format } = classifyFile(file);
      if (!format) throw unsupported(file, field);
      add({ name: stem, files: [file], format, pattern: file, field });
    }
  }
  for (const [name, pattern] of Object.entries(tableMap(config.tables))) {
    const field = `tables.${name}`;
    const files = await expand(pattern, baseDir, field);
    add({ name, files, format: formatOf(files, field), pattern, field });
  }
  if (!found.size) {
    throw new InputError("the files connector needs `paths` or `tables`", {
      hint: "e.g. --set paths=data/*.csv, or config: { paths: [data/*.csv] } in dvt.yaml",
    });
  }
  return [...found.values()];
}

/**
 * Where everything lives inside an output directory, in one place. Every path is built from a
 * normalised name (see names.ts) and a run id, and checked to stay inside `<out>`.
 *
 * ```
 * <out>/extract.duckdb                         the published catalog (views + _meta)
 * <out>/data/<name>.<run>.parquet              one generation of a batch table (or a part)
 * <out>/data/<name>/YYYY-MM-<unique>.parquet   stream table partitions
 * <out>/.dvt/state.json, .dvt/schemas/<name>.json
 * ```
 *
 * @module
 */
import { isAbsolute, join, relative, resolve } from "node:path";
import { TEMPORARY_INFIX } from "../util/atomic_write.ts";
import { ExtractError } from "../errors.ts";
import { isSafeName } from "./names.ts";

/**
 * Marker of every temporary file or database a run creates, cleaned up at the next start; the
 * same one atomic writes use, so one cleanup finds both.
 */
export const TEMP_PREFIX: string = TEMPORARY_INFIX;

/** File name of the published catalog. */
export const DATABASE_FILE = "extract.duckdb";

/** Pattern of a batch table generation file: `<name>.<run id>[.<tag>].parquet`. */
export const GENERATION_FILE = /^([a-z][a-z0-9_]*)\.(r[0-9a-z]+(?:-[0-9a-z]+)*)\.parquet$/;

/**
 * Creates a run id: sortable by time, unique per run, safe in file names.
 *
 * @example
 * ```ts
 * import { newRunId } from "./layout.ts";
 * if (!/^r[0-9a-z]+-[0-9a-z]+$/.test(newRunId())) throw new Error();
 * ```
 */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:.TZ]/g, "").slice(0, 17);
  const random = crypto.getRandomValues(new Uint32Array(1))[0].toString(36);
  return `r${stamp}-${random}`;
}

/** The paths of one output directory. */
export class OutputLayout {
  /** Absolute output directory. */
  readonly root: string;

  constructor(outDir: string) {
    this.root = resolve(outDir);
  }

  get database(): string {
    return join(this.root, DATABASE_FILE);
  }
  get dataDir(): string {
    return join(this.root, "data");
  }
  get stateDir(): string {
    return join(this.root, ".dvt");
  }
  get stateFile(): string {
    return join(this.stateDir, "state.json");
  }
  get schemasDir(): string {
    return join(this.stateDir, "schemas");
  }

  /** The database being built aside by run `runId`. */
  tempDatabase(runId: string): string {
    return join(this.root, `${DATABASE_FILE}${TEMP_PREFIX}${runId}`);
  }

  /** A temporary data file of run `runId`; never matched by a view's file list or glob. */
  tempDataFile(runId: string, name: string, tag = ""): string {
    return this.inside(join(this.dataDir, `${TEMP_PREFIX}${runId}-${name}${tag}.part`));
  }

  /** Relative path (posix separators, as stored in `_meta`) of a generation file. */
  generationFile(name: string, runId: string, tag = ""): string {
    this.checkName(name);
    return `data/${name}.${runId}${tag ? `-${tag}` : ""}.parquet`;
  }

  /** Relative directory of a stream table's partitions. */
  streamDir(name: string): string {
    this.checkName(name);
    return `data/${name}`;
  }

  /** Schema snapshot file of a table. */
  schemaFile(name: string): string {
    this.checkName(name);
    return join(this.schemasDir, `${name}.json`);
  }

  /** Absolute path of a path relative to the root, refusing anything that leaves it. */
  absolute(relativePath: string): string {
    return this.inside(resolve(this.root, relativePath));
  }

  /** Returns `path` when it is inside the root, throws otherwise. */
  inside(path: string): string {
    const rel = relative(this.root, resolve(path));
    if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) {
      throw new ExtractError(`refusing to write outside the output directory: ${path}`);
    }
    return path;
  }

  private checkName(name: string): void {
    if (!isSafeName(name)) throw new ExtractError(`unsafe table file name "${name}"`);
  }
}

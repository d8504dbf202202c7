/**
 * What `dvt extract` (and `dvt config show`) runs: a dvt.yaml source, every source, or an
 * ad-hoc connector, each with the output directory its layers choose (--out > DVT_OUT_DIR >
 * dvt.yaml `out:` > `extracts/<name>`).
 *
 * @module
 */
import { resolve } from "node:path";
import { UsageError } from "../errors.ts";
import { findSource, type Project, type ProjectSource } from "../project.ts";
import { settings } from "../util/env_settings.ts";
import type { YamlFile } from "../util/yaml_file.ts";

/** One extract to run: a dvt.yaml source or the ad-hoc connector. */
export interface ExtractJob {
  name: string;
  connector: string;
  /** Directory connector paths and relative file paths resolve against. */
  baseDir: string;
  /** Absolute output directory and what chose it. */
  out: string;
  outFrom: "--out" | "DVT_OUT_DIR" | "dvt.yaml" | "default";
  source?: ProjectSource;
  file?: YamlFile;
}

/** The flags that choose what a job runs and where it writes. */
export interface JobFlags {
  connector?: string;
  out?: string;
}

/**
 * The jobs `source` names: one dvt.yaml source, every source when it is undefined, or the
 * `--connector` run ad hoc. Throws UsageError for a combination that cannot run.
 */
export function planExtractJobs(
  source: string | undefined,
  options: JobFlags,
  project: Project | undefined,
): ExtractJob[] {
  const cwd = Deno.cwd();
  if (options.connector) {
    if (source) {
      throw new UsageError(`give either a source name ("${source}") or --connector, not both`);
    }
    // `.../hubspot/connector.yaml` names the directory, not the file; the manifest's own name
    // replaces this label once it is loaded (see runJob).
    const parts = options.connector.split(/[\\/]/).filter((p) => p);
    const last = parts.pop()!;
    const name = /^connector\.ya?ml$/.test(last) && parts.length
      ? parts.pop()!
      : last.replace(/\.ya?ml$/, "");
    const envOut = settings().outDir;
    const out = options.out
      ? resolve(cwd, options.out)
      : envOut
      ? resolve(cwd, envOut, name)
      : resolve(cwd, `extracts/${name}`);
    const outFrom = options.out ? "--out" : envOut ? "DVT_OUT_DIR" : "default";
    return [{ name, connector: options.connector, baseDir: cwd, out, outFrom }];
  }
  if (!project) {
    throw new UsageError(
      source
        ? `no dvt.yaml in ${cwd} to find source "${source}" in`
        : `nothing to extract: no dvt.yaml in ${cwd}`,
      {
        hint:
          "create a dvt.yaml with sources:, pass --project FILE, or run ad hoc: dvt extract --connector files --set 'paths=data/*.csv' --out ./x",
      },
    );
  }
  const sources = source ? [findSource(project, source)] : Object.values(project.sources);
  if (!sources.length) {
    throw new UsageError(`${project.file.path} defines no sources`, {
      hint: "add one under sources: (see README, Configuration)",
    });
  }
  if (options.out && sources.length > 1) {
    throw new UsageError("--out needs a single source", {
      hint: "name the source: dvt extract <source> --out DIR",
    });
  }
  return sources.map((s) => ({
    name: s.name,
    connector: s.connector,
    baseDir: project.dir,
    out: options.out ? resolve(cwd, options.out) : s.out,
    outFrom: options.out ? "--out" : s.outFrom,
    source: s,
    file: project.file,
  }));
}

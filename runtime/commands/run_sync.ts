/**
 * `dvt sync`: runs the sync and prints the result on stdout: the seed's text lines, JSON with
 * `--json`, or one comma-separated line of absolute JAR paths with `--classpath`. Events and
 * progress go to stderr.
 *
 * @module
 */
import { dvtHome } from "../maven/local_cache.ts";
import { detectOutputMode, printJson, printResult } from "../util/output.ts";
import { createProgressReporter } from "../util/progress.ts";
import { createEventSink } from "../sync/sync_events.ts";
import { syncJars, type SyncJarsOptions, type SyncResult } from "../sync/sync_jars.ts";
import type { GlobalOptions } from "./options.ts";

/** The inputs of a sync that `dvt sync` takes from flags unchanged. */
type SyncFlags =
  | "profiles"
  | "buckets"
  | "project"
  | "jdbc"
  | "native"
  | "locked"
  | "offline"
  | "trustUnverified";

/** Options of `dvt sync` as read from the command line. */
export interface SyncCliOptions extends Pick<SyncJarsOptions, SyncFlags> {
  classpath: boolean;
  threads?: number;
  json: boolean;
}

/** Default number of parallel downloads. */
const DEFAULT_THREADS = 8;

/** Runs `dvt sync` and returns the exit code (errors are thrown for cli.ts to print). */
export async function runSync(options: SyncCliOptions, globals: GlobalOptions): Promise<number> {
  const mode = detectOutputMode(options.json);
  const result = await syncJars({
    cwd: Deno.cwd(),
    home: dvtHome(),
    profiles: options.profiles,
    buckets: options.buckets,
    project: options.project,
    jdbc: options.jdbc,
    native: options.native,
    locked: options.locked,
    offline: options.offline,
    trustUnverified: options.trustUnverified,
    threads: options.threads ?? DEFAULT_THREADS,
    emit: createEventSink(options.json, globals.logLevel),
    progress: await createProgressReporter(mode, "bytes"),
  });
  if (options.classpath) printResult(result.classpath.join(","));
  else if (options.json) printJson(result);
  else printText(result, options);
  return 0;
}

function printText(result: SyncResult, options: SyncCliOptions): void {
  if (options.jdbc) {
    printResult("Syncing JDBC drivers...");
    for (const item of result.jdbc) printResult(`  ${item.adapter}: OK (${item.jar})`);
  }
  if (options.native) {
    printResult("Syncing native connectors...");
    for (const item of result.native) printResult(`  ${item.adapter}: OK (${item.jar})`);
  }
  printResult("Done!");
}

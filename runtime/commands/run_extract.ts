/**
 * `dvt extract`: runs one source of dvt.yaml, every source, or an ad-hoc connector
 * (`--connector`) through the extract runtime, and prints a summary or `--json` result.
 * Exit 0 all tables landed, 1 a table failed (the others still land), 2 bad input.
 *
 * @module
 */
import { checkRequiredEnv } from "../connector/config.ts";
import { instantiateConnector, resolveConnector } from "../connector/loader.ts";
import { ConnectorError, describeError, errorJson } from "../errors.ts";
import { OutputLayout } from "../extract/layout.ts";
import { checkOutputDirectory } from "../extract/output_dir_check.ts";
import { runRecordOf, saveRunRecord } from "../extract/run_record.ts";
import { extractResultJson, failureJson, renderExtractSummary } from "../extract/summary.ts";
import { exitCodeOf } from "../extract/run_result.ts";
import { runHealthCheck } from "../connector/health_check.ts";
import {
  createLogger,
  detectOutputMode,
  type OutputMode,
  paint,
  printDiagnostic,
  printEvent,
  printJson,
  printResult,
} from "../util/output.ts";
import { createProgressReporter } from "../util/progress.ts";
import { exitOnInterrupt } from "../util/interrupt.ts";
import { loadProject } from "../project.ts";
import type { Logger } from "../protocol.ts";
import { ConnectorRuntime, type ExtractResult } from "../extract/runtime.ts";
import type { GlobalOptions } from "./options.ts";
import type { CatalogStore } from "../extract/catalog_thread.ts";
import { readCatalogSnapshot } from "../extract/catalog_snapshot.ts";
import { type ExtractJob, planExtractJobs } from "./extract_jobs.ts";
import { connectorConfigOf, threadsOf } from "./effective_config.ts";

/** Options of `dvt extract` as read from the command line. */
export interface ExtractCliOptions {
  connector?: string;
  config?: string;
  set: string[];
  tables?: string[];
  out?: string;
  fullRefresh: boolean;
  threads?: number;
  json: boolean;
  project?: string;
  check: boolean;
  /** Keep published tables the configuration no longer selects. */
  keepRemoved?: boolean;
}

/**
 * Has the catalog thread read the published catalog while the connector loads and discovers,
 * unless the previous run's snapshot (catalog_snapshot.ts) still describes it: the run reads the
 * snapshot then, and a DuckDB read ahead would be dropped. Not awaited: the run goes on loading.
 */
function prefetchCatalog(layout: OutputLayout, catalogStore: CatalogStore | undefined): void {
  const prefetch = catalogStore?.prefetch?.bind(catalogStore);
  if (!prefetch) return;
  readCatalogSnapshot(layout).then(
    (snapshot) => snapshot ? undefined : prefetch(layout.database),
    () => prefetch(layout.database),
  );
}

async function runJob(
  job: ExtractJob,
  options: ExtractCliOptions,
  log: Logger,
  json: boolean,
  catalogStore?: CatalogStore,
): Promise<ExtractResult> {
  await checkOutputDirectory(job.out);
  prefetchCatalog(new OutputLayout(job.out), catalogStore);
  const loaded = await resolveConnector(job.connector, { projectDir: job.baseDir });
  const { manifest } = loaded;
  // An ad-hoc run is labelled with the connector's name, not with a path or URL's last segment.
  if (!job.source) job.name = manifest.name;
  const { values: config } = await connectorConfigOf(job, manifest, options);
  // Missing credentials are bad input (exit 2, each variable with its description), whether or
  // not a health check would have noticed them first.
  checkRequiredEnv(manifest);
  if (options.check) {
    const health = await runHealthCheck(manifest, config);
    if (!health.ok) {
      throw new ConnectorError(`health check of ${manifest.name} failed: ${health.message}`, {
        hint: "check the connector's config and credentials, then run again",
      });
    }
    log.info(health.message, { connector: manifest.name });
  }
  const connector = await instantiateConnector(loaded, config, { logger: log });
  if (options.check && connector.check) {
    // The connector's own check says which credential or setting is wrong (exit 2 for those).
    try {
      await connector.check();
    } catch (error) {
      await connector.close?.();
      throw error;
    }
    log.info("check() passed", { connector: manifest.name });
  }
  const progress = await createProgressReporter(detectOutputMode(json));
  try {
    const runtime = new ConnectorRuntime(job.out, {
      connectorName: manifest.name,
      progress,
      log,
      catalogStore,
    });
    return await runtime.run(connector, {
      tables: options.tables ?? job.source?.tables,
      settings: job.source?.settings,
      settingAt: (table, key) => {
        const path = job.source?.settingPaths[table]?.[key];
        return job.file && path ? job.file.locate(path) : undefined;
      },
      // Only a run of the source's whole table list knows what was removed from it.
      dropUnselected: !options.tables && job.source?.tables !== undefined && !options.keepRemoved,
      fullRefresh: options.fullRefresh,
      threads: threadsOf(job, options).value,
    });
  } finally {
    progress.close();
    await connector.close?.();
  }
}

/**
 * Runs `dvt extract` and returns the exit code.
 *
 * @example
 * ```ts ignore
 * const code = await runExtract("shop", { set: [], fullRefresh: false, json: false, check: false }, globals);
 * ```
 */
export async function runExtract(
  source: string | undefined,
  options: ExtractCliOptions,
  globals: GlobalOptions,
  catalogStore?: CatalogStore,
): Promise<number> {
  const mode = detectOutputMode(options.json);
  const log = createLogger(mode, globals.logLevel);
  const project = options.connector && !options.project
    ? undefined
    : await loadProject(options.project);
  const jobs = planExtractJobs(source, options, project);
  const results: SourceRun[] = [];
  // Publishing is one rename, so whatever moment Ctrl-C lands, the published extract is whole.
  using _interrupt = exitOnInterrupt("interrupted — the previous extract is unchanged");
  for (const job of jobs) {
    const run = await runSource(job, options, log, mode, catalogStore);
    results.push(run);
    if ("error" in run) {
      // One source alone fails as the command; among several, the others still run.
      if (jobs.length === 1 && (mode === "json" || !job.source)) throw run.error;
      reportSourceFailure(job, run.error, mode, globals.debug, jobs.length > 1);
      continue;
    }
    reportFailures(run.result, mode, globals.debug);
    if (!options.json) {
      // `dvt query <source>` finds the extract through ./dvt.yaml; elsewhere name the file.
      const target = job.source && !options.project ? job.name : undefined;
      for (const line of renderExtractSummary(job.name, run.result, target)) printResult(line);
    }
  }
  if (options.json) {
    printJson(
      results.length === 1 && "result" in results[0] && (source || options.connector)
        ? extractResultJson(results[0].result)
        : results.map((run) =>
          "result" in run
            ? { source: run.source, ...extractResultJson(run.result) }
            : { source: run.source, error: errorJson(run.error) }
        ),
    );
  }
  return worstExitCode(results);
}

/** One source's run: its result, or the error that stopped it before it could publish. */
type SourceRun = { source: string; result: ExtractResult } | { source: string; error: unknown };

/** Runs one source, records the run in its output directory, and emits start/end events. */
async function runSource(
  job: ExtractJob,
  options: ExtractCliOptions,
  log: Logger,
  mode: OutputMode,
  catalogStore?: CatalogStore,
): Promise<SourceRun> {
  const startedAt = new Date();
  if (mode === "json") printEvent({ event: "extract.start", source: job.name, out: job.out });
  let run: SourceRun;
  try {
    const result = await runJob(job, options, log, options.json, catalogStore);
    run = { source: job.name, result };
  } catch (error) {
    run = { source: job.name, error };
  }
  const record = runRecordOf(job.name, startedAt, run);
  await saveRunRecord(new OutputLayout(job.out), record);
  if (mode === "json") {
    printEvent({
      event: "extract.end",
      source: job.name,
      status: record.status,
      exitCode: record.exitCode,
      rows: "result" in run ? run.result.totalRows : 0,
      seconds: record.seconds,
    });
  }
  return run;
}

/** The worst exit code of the runs: 2 (bad input) over 1 (a failure) over 0. */
function worstExitCode(runs: SourceRun[]): number {
  const codes = runs.map((run) =>
    "result" in run ? exitCodeOf([run.result]) : errorJson(run.error).exitCode
  );
  return codes.includes(2) ? 2 : Math.max(0, ...codes);
}

/** Names the source that failed and where dvt.yaml defines it (and, among several, that the others go on). */
function reportSourceFailure(
  job: ExtractJob,
  error: unknown,
  mode: OutputMode,
  debug: boolean,
  othersContinue: boolean,
): void {
  const where = job.file && job.source ? job.file.locateKey(job.source.path) : undefined;
  const place = where?.line ? ` (${where.file}:${where.line})` : "";
  if (mode === "json") {
    printEvent({ event: "source_failed", source: job.name, error: errorJson(error) });
    return;
  }
  const [first, ...rest] = describeError(error, debug);
  printDiagnostic(
    paint(first.replace(/^error: /, `error: source "${job.name}"${place} failed: `), "red"),
  );
  for (const line of rest) printDiagnostic(paint(line, "red"));
  if (othersContinue) printDiagnostic(`  (continuing with the other sources)`);
}

/** Prints each failed table's error with its hint (and cause chain) on stderr. */
function reportFailures(result: ExtractResult, mode: OutputMode, debug: boolean): void {
  for (const table of result.tables) {
    if (table.status !== "failed") continue;
    if (mode === "json") {
      printEvent({ event: "table_failed", ...failureJson(table) });
      continue;
    }
    for (const line of describeError(table.error, debug)) {
      printDiagnostic(paint(`${table.table}: ${line}`, "red"));
    }
  }
}

/**
 * `dvt serve`: receives webhook deliveries for the stream sources of dvt.yaml and appends them
 * to their extracts (see runtime/serve/). Starts by folding deliveries a previous run logged but
 * did not fold; runs until SIGINT or SIGTERM, then folds what is pending and prints a summary.
 * Exit 0 after a clean stop, 1 when a final fold failed (the deliveries stay logged), 2 bad input.
 *
 * @module
 */
import { join } from "node:path";
import { buildConnectorConfig, checkRequiredEnv } from "../connector/config.ts";
import { instantiateConnector, resolveConnector } from "../connector/loader.ts";
import { errorMessage, InputError, UsageError } from "../errors.ts";
import { OutputLayout } from "../extract/layout.ts";
import { checkOutputDirectory } from "../extract/output_dir_check.ts";
import { tableNames } from "../extract/table_names.ts";
import { findSource, loadProject, type Project, type ProjectSource } from "../project.ts";
import { Cap, hasCap, type Logger, type TableInfo } from "../protocol.ts";
import type { ReceiverSource } from "../serve/fold_thread.ts";
import { type FlushReport, ServedSource } from "../serve/served_source.ts";
import { signatureKey } from "../serve/signature.ts";
import { startWebhookServer } from "../serve/webhook_server.ts";
import {
  createLogger,
  detectOutputMode,
  type OutputMode,
  printDiagnostic,
  printEvent,
  printJson,
  printResult,
} from "../util/output.ts";
import type { GlobalOptions } from "./options.ts";

/** Options of `dvt serve` as parsed from the command line. */
export interface ServeCliOptions {
  host: string;
  port: number;
  project?: string;
  flushEvents: number;
  flushInterval: number;
  maxBody: number;
  json: boolean;
}

/** How often a progress line is printed while events arrive. */
const PROGRESS_MS = 10_000;
/** How long the final fold waits for a `dvt extract` writing the same output directory. */
const SHUTDOWN_WAIT_MS = 120_000;

/** Runs `dvt serve` until a signal stops it; returns the exit code. */
export async function runServe(
  names: string[],
  options: ServeCliOptions,
  globals: GlobalOptions,
): Promise<number> {
  const mode = detectOutputMode(options.json);
  const log = createLogger(mode, globals.logLevel);
  const project = await loadProject(options.project);
  if (!project) {
    throw new UsageError(`no dvt.yaml in ${Deno.cwd()} to find sources to serve in`, {
      hint: "run dvt serve where dvt.yaml is, or pass --project FILE",
    });
  }
  const sources: ServedSource[] = [];
  try {
    for (const source of await servable(project, names)) {
      sources.push(
        await openSource(source, project, options, log, { mode, level: globals.logLevel }),
      );
    }
    checkDistinctOutputs(sources);
  } catch (error) {
    // Sources opened already hold their output directory and a fold thread: let them go.
    for (const source of sources) await source.close();
    throw error;
  }
  return await serveUntilStopped(sources, options, mode);
}

/** The sources to serve: the named ones, or every source whose connector can receive. */
async function servable(project: Project, names: string[]): Promise<ProjectSource[]> {
  if (names.length) return names.map((name) => findSource(project, name));
  const chosen: ProjectSource[] = [];
  for (const source of Object.values(project.sources)) {
    const { manifest } = await resolveConnector(source.connector, { projectDir: project.dir });
    if (hasCap(manifest.caps, Cap.STREAM) && manifest.webhook) chosen.push(source);
  }
  if (!chosen.length) {
    throw new UsageError(`no source of ${project.file.path} receives webhooks`, {
      hint:
        "serve a source whose connector has the stream capability and a webhook: section (e.g. jira)",
    });
  }
  return chosen;
}

async function openSource(
  source: ProjectSource,
  project: Project,
  options: ServeCliOptions,
  log: Logger,
  logging: ReceiverSource["logging"],
): Promise<ServedSource> {
  const loaded = await resolveConnector(source.connector, { projectDir: project.dir });
  const { manifest } = loaded;
  const webhook = manifest.webhook;
  if (!hasCap(manifest.caps, Cap.STREAM) || !webhook) {
    throw new InputError(
      `source "${source.name}" cannot be served: connector ${manifest.name} ${
        webhook ? "lacks the stream capability" : "declares no webhook: section"
      }`,
      {
        location: project.file.locateKey(source.path),
        hint: "serve a source whose connector receives webhooks (stream capability + webhook:)",
      },
    );
  }
  const secret = Deno.env.get(webhook.secretEnv);
  if (!secret) {
    throw new InputError(
      `${webhook.secretEnv} is not set: dvt serve checks the signature of every delivery to /${source.name} with it`,
      {
        hint:
          `export ${webhook.secretEnv}=<the secret the webhook was registered with>, then run again`,
      },
    );
  }
  await checkOutputDirectory(source.out);
  const defaults = "base_dir" in manifest.config ? { base_dir: project.dir } : {};
  const config = await buildConnectorConfig(manifest, {
    project: {
      values: { ...defaults, ...source.config },
      file: project.file,
      path: [...source.path, "config"],
    },
    sets: [],
  });
  checkRequiredEnv(manifest);
  const connector = await instantiateConnector(loaded, config, { logger: log });
  if (!connector.receive || !connector.discover) {
    await connector.close?.();
    throw new InputError(
      `connector ${manifest.name} cannot receive webhooks: it has no ${
        connector.receive ? "discover" : "receive"
      }() method`,
      { hint: "implement receive(event) and discover() in the connector" },
    );
  }
  try {
    const tables = await connector.discover();
    const streamTables = tables
      .filter((t) => hasCap(t.capabilities, Cap.STREAM))
      .filter((t) => !source.tables || source.tables.includes(t.name))
      .map((t) => t.name);
    const destinations = configuredDestinations(source, project, tables, streamTables);
    const served = await ServedSource.open({
      name: source.name,
      connectorName: manifest.name,
      // The fold thread loads its own instance: receive() runs there, off this thread.
      receiver: {
        ref: source.connector,
        projectDir: project.dir,
        config,
        connectorName: manifest.name,
        streamTables,
        destinations,
        logging,
      },
      layout: new OutputLayout(source.out),
      key: signatureKey(secret),
      signatureHeader: webhook.signatureHeader,
      deliveryIdHeader: webhook.deliveryIdHeader,
      maxBodyBytes: options.maxBody,
    });
    return served;
  } finally {
    // This instance only says which tables there are; deliveries go to the fold thread's own.
    await connector.close?.();
  }
}

/**
 * The `destination` of each served table (dvt.yaml `tables:`), checked at start as `dvt extract`
 * checks it (two tables with one name are bad input), so that a fold writes a table's partitions
 * under the very name an extract of the source publishes it under.
 */
function configuredDestinations(
  source: ProjectSource,
  project: Project,
  discovered: readonly TableInfo[],
  streamTables: readonly string[],
): Record<string, string> {
  const settings = source.settings ?? {};
  tableNames({
    discovered: discovered.map((t) => t.name),
    selected: streamTables,
    published: new Map(),
    settings,
    destinationAt: (table) => {
      const path = source.settingPaths[table]?.destination;
      return path ? project.file.locate(path) : undefined;
    },
  });
  const destinations: Record<string, string> = {};
  for (const table of streamTables) {
    const destination = settings[table]?.destination;
    if (destination !== undefined) destinations[table] = destination;
  }
  return destinations;
}

function checkDistinctOutputs(sources: ServedSource[]): void {
  const seen = new Map<string, string>();
  for (const source of sources) {
    const other = seen.get(source.spec.layout.root);
    if (other) {
      throw new UsageError(
        `sources "${other}" and "${source.spec.name}" write to the same output directory ${source.spec.layout.root}`,
        { hint: "give each served source its own out: in dvt.yaml" },
      );
    }
    seen.set(source.spec.layout.root, source.spec.name);
  }
}

async function serveUntilStopped(
  sources: ServedSource[],
  options: ServeCliOptions,
  mode: OutputMode,
): Promise<number> {
  let finalFoldFailed = false;
  let stopping = false;
  const server = await startWebhookServer(sources, {
    hostname: options.host,
    port: options.port,
    flushEvents: options.flushEvents,
    flushIntervalMs: options.flushInterval,
    shutdownWaitMs: SHUTDOWN_WAIT_MS,
    onFlush: (source, report) => reportFlush(source, report, mode),
    onFlushError: (source, error) => {
      if (stopping) finalFoldFailed = true;
      reportFlushError(source, error, mode);
    },
    onListenerLost: (error) => reportListenerLost(error, mode),
  }).catch((error) => {
    throw new InputError(
      `cannot listen on ${options.host}:${options.port}: ${errorMessage(error)}`,
      { hint: "choose another --port (or stop the program using it)" },
    );
  });
  const paths = sources.map((s) => `/${s.spec.name}`);
  if (mode === "json") {
    printEvent({ event: "serve.listening", url: server.url, paths });
  } else {
    printDiagnostic(`dvt serve: listening on ${server.url} (POST ${paths.join(", ")})`);
  }
  for (const source of sources) {
    if (!source.recovered) continue;
    if (mode === "json") {
      printEvent({ event: "serve.replay", source: source.spec.name, events: source.recovered });
    } else {
      printDiagnostic(
        `${source.spec.name}: folding ${source.recovered} logged events the extract does not hold yet`,
      );
    }
  }
  const progress = setInterval(() => reportProgress(sources, mode), PROGRESS_MS);
  const stop = () => {
    if (stopping) return;
    stopping = true;
    if (mode !== "json") printDiagnostic("dvt serve: stopping — folding pending events");
    server.stop();
  };
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, stop);
  try {
    await server.finished;
  } finally {
    clearInterval(progress);
    for (const signal of signals) Deno.removeSignalListener(signal, stop);
  }
  printSummary(sources, options.json);
  const leftOver = sources.some((s) => s.stats.pending > 0);
  return finalFoldFailed || leftOver ? 1 : 0;
}

/** Progress in CI style: one line per source whose counters moved since the last line. */
function reportProgress(sources: ServedSource[], mode: OutputMode): void {
  for (const source of sources) {
    const { received, written, pending, duplicates, rejected, refused } = source.stats;
    const key = `${received}/${written}/${pending}/${duplicates}/${rejected}/${refused}`;
    if (lastProgress.get(source) === key) continue;
    lastProgress.set(source, key);
    if (mode === "json") {
      printEvent({ event: "serve.progress", source: source.spec.name, ...source.stats });
    } else {
      printDiagnostic(
        `${source.spec.name}: received ${received}, written ${written}, pending ${pending}, duplicates ${duplicates}, rejected ${rejected}, refused ${refused}`,
      );
    }
  }
}

const lastProgress = new WeakMap<ServedSource, string>();

function reportFlush(source: ServedSource, report: FlushReport, mode: OutputMode): void {
  if (mode !== "json") return;
  printEvent({
    event: "serve.flush",
    source: source.spec.name,
    events: report.events,
    refused: report.refused,
    rows: report.rows,
    seconds: Math.round(report.seconds * 1000) / 1000,
  });
}

function reportFlushError(source: ServedSource, error: unknown, mode: OutputMode): void {
  if (mode === "json") {
    printEvent({
      event: "serve.flush_failed",
      source: source.spec.name,
      error: errorMessage(error),
    });
    return;
  }
  printDiagnostic(
    `${source.spec.name}: folding into the extract failed (the events stay logged and are retried): ${
      errorMessage(error)
    }`,
  );
}

function reportListenerLost(error: unknown, mode: OutputMode): void {
  if (mode === "json") {
    printEvent({ event: "serve.listener_restarted", error: errorMessage(error) });
    return;
  }
  printDiagnostic(
    `the listener stopped (${errorMessage(error)}); listening again on the same address`,
  );
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** What each source received and wrote, on stdout. */
function printSummary(sources: ServedSource[], json: boolean): void {
  if (json) {
    printJson({
      sources: Object.fromEntries(sources.map((s) => [s.spec.name, { ...s.stats }])),
    });
    return;
  }
  for (const source of sources) {
    const { received, written, pending, duplicates, rejected, invalid, refused } = source.stats;
    const setAside = refused
      ? ` (set aside in ${join(source.spec.layout.stateDir, "serve", "refused.jsonl")})`
      : "";
    printResult(
      `${source.spec.name}: ${
        count(received, "event")
      } received, ${written} written to ${source.spec.layout.root}` +
        `, ${pending} pending, ${
          count(duplicates, "duplicate")
        }, ${rejected} rejected (signature), ${invalid} invalid, ${refused} refused by the connector${setAside}`,
    );
  }
}

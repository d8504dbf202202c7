/**
 * Runs the connector contract tests and collects a report: discover, read schema, incremental,
 * remote without secrets, stream, and the full pipeline into a queryable extract.duckdb.
 * Checks not applicable to the declared capabilities are skipped; each check is time-bounded.
 *
 * @module
 */
import { errorMessage } from "../errors.ts";
import { createConnectorContext } from "../connector/context.ts";
import type { Connector, ConnectorConfig, ConnectorFactory, Logger } from "../protocol.ts";
import {
  checkDiscover,
  checkIncremental,
  type CheckLimits,
  checkReadSchema,
  checkRemote,
  checkStream,
  ContractFailure,
  type ContractTable,
  SkipCheck,
} from "./checks.ts";
import { checkPipeline } from "./pipeline_check.ts";

/** Result of one contract check. */
export interface ContractCheckResult {
  name: string;
  status: "passed" | "failed" | "skipped";
  message: string;
  durationMs: number;
}

/** All results of a contract test run. */
export interface ContractReport {
  connector: string;
  results: ContractCheckResult[];
  passed: number;
  failed: number;
  skipped: number;
  /** True when nothing failed. */
  ok: boolean;
}

/** Options of {@linkcode runContractTests}. */
export interface ContractOptions {
  /** Name shown in the report (default "connector"). */
  name?: string;
  /** Config passed to a factory. */
  config?: ConnectorConfig;
  /** Table names to test when the connector has no DISCOVER. */
  tables?: string[];
  /** Values of the connector's secret env vars, matched in remote() output. */
  secrets?: string[];
  /** Milliseconds per check before it fails as hung (default 60 000). */
  timeoutMs?: number;
  /** Run the full pipeline check (default true). */
  pipeline?: boolean;
  /** Results to put first, e.g. the health check. */
  extraResults?: ContractCheckResult[];
  limits?: Partial<CheckLimits>;
  logger?: Logger;
}

const QUIET: Logger = { debug() {}, info() {}, warn() {}, error() {} };

async function timed(
  name: string,
  timeoutMs: number,
  body: () => Promise<string | void>,
): Promise<ContractCheckResult> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ContractFailure(`did not finish within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  const done = (status: ContractCheckResult["status"], message: string) => ({
    name,
    status,
    message,
    durationMs: Math.round(performance.now() - started),
  });
  try {
    const message = await Promise.race([body(), timeout]);
    return done("passed", message ?? "ok");
  } catch (error) {
    if (error instanceof SkipCheck) return done("skipped", error.message);
    const message = errorMessage(error);
    return done("failed", error instanceof ContractFailure ? message : `threw: ${message}`);
  } finally {
    clearTimeout(timer);
  }
}

async function toConnector(
  target: Connector | ConnectorFactory,
  options: ContractOptions,
): Promise<Connector> {
  if (typeof target !== "function") return target;
  const ctx = createConnectorContext({
    connector: options.name ?? "connector",
    logger: options.logger ?? QUIET,
  });
  return await target(ctx, options.config ?? {});
}

/**
 * Runs every contract check against a connector (or a factory, instantiated with
 * `options.config`) and returns the report.
 *
 * @example
 * ```ts ignore
 * import { runContractTests } from "../../mod.ts";
 * import factory from "./connector.ts";
 * const report = await runContractTests(factory, { name: "hubspot" });
 * if (!report.ok) throw new Error(formatContractReport(report));
 * ```
 */
export async function runContractTests(
  target: Connector | ConnectorFactory,
  options: ContractOptions = {},
): Promise<ContractReport> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const limits: CheckLimits = {
    maxRows: 100_000,
    streamBatches: 3,
    streamWaitMs: 5_000,
    ...options.limits,
  };
  const results = [...(options.extraResults ?? [])];
  const connector = await toConnector(target, options);
  let tables: ContractTable[] = [];
  results.push(
    await timed("check() accepts the credentials and configuration", timeoutMs, async () => {
      if (!connector.check) throw new SkipCheck("connector has no check()");
      await connector.check();
      return "check() passed";
    }),
  );
  results.push(
    await timed("discover returns valid tables", timeoutMs, async () => {
      tables = await checkDiscover(connector);
      return `${tables.length} table(s): ${tables.map((table) => table.name).join(", ")}`;
    }),
  );
  if (!tables.length && options.tables?.length) {
    // Without DISCOVER no schema is declared; each check takes its first batch's (timed).
    tables = options.tables.map((name) => ({ name, capabilities: connector.capabilities }));
  }
  results.push(
    await timed(
      "read yields batches of the declared schema",
      timeoutMs,
      () => checkReadSchema(connector, tables, limits),
    ),
  );
  results.push(
    await timed(
      "incremental read respects incrementalValue",
      timeoutMs,
      () => checkIncremental(connector, tables, limits),
    ),
  );
  results.push(
    await timed(
      "remote returns an env var name, never a secret",
      timeoutMs,
      () => checkRemote(connector, options.secrets ?? []),
    ),
  );
  results.push(
    await timed(
      "stream yields valid batches",
      timeoutMs,
      () => checkStream(connector, tables, limits),
    ),
  );
  if (options.pipeline !== false) {
    results.push(
      await timed(
        "full pipeline produces a queryable extract.duckdb",
        timeoutMs,
        () => {
          if (!tables.length) {
            throw new SkipCheck("no tables to extract (without discover, pass tables)");
          }
          return checkPipeline(connector, options.name ?? "connector", tables.map((t) => t.name));
        },
      ),
    );
  }
  await connector.close?.();
  return buildContractReport(options.name ?? "connector", results);
}

/** Counts results into a report (also used when a connector cannot even be instantiated). */
export function buildContractReport(
  connector: string,
  results: ContractCheckResult[],
): ContractReport {
  const count = (status: ContractCheckResult["status"]) =>
    results.filter((result) => result.status === status).length;
  return {
    connector,
    results,
    passed: count("passed"),
    failed: count("failed"),
    skipped: count("skipped"),
    ok: count("failed") === 0,
  };
}

/** Renders a report as readable lines (PASS/FAIL/SKIP per check and a summary). */
export function formatContractReport(report: ContractReport): string {
  const marks = { passed: "PASS", failed: "FAIL", skipped: "SKIP" } as const;
  const lines = report.results.map((result) =>
    `${marks[result.status]}  ${result.name} (${result.durationMs} ms)\n      ${result.message}`
  );
  lines.push(
    `${report.connector}: ${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped`,
  );
  return lines.join("\n");
}

/** `dvt connector test <connector>`: health check plus contract tests; JUnit XML with --junit. */
import { runHealthCheck } from "../../connector/health_check.ts";
import { grantedEnvNames } from "../../connector/manifest.ts";
import { instantiateConnector } from "../../connector/loader.ts";
import {
  buildContractReport,
  type ContractCheckResult,
  type ContractReport,
  formatContractReport,
  runContractTests,
} from "../../contract/contract_tests.ts";
import { contractReportToJUnit } from "../../contract/junit.ts";
import {
  createLogger,
  detectOutputMode,
  printDiagnostic,
  printJson,
  printResult,
} from "../../util/output.ts";
import {
  type ConnectorTarget,
  type ConnectorTargetOptions,
  resolveConnectorTarget,
} from "./target.ts";
import { checkRequiredEnv } from "../../connector/config.ts";
import { ConnectorError } from "../../errors.ts";
import type { Connector, Logger } from "../../protocol.ts";
import type { GlobalOptions } from "../options.ts";

/** Options of `dvt connector test`. */
export interface ConnectorTestOptions extends ConnectorTargetOptions {
  junit?: string;
  tables?: string[];
}

/**
 * Instantiates the connector — a defect there (capabilities differing from the manifest, a
 * missing method, a failing factory) is a failed test case — then runs the contract tests.
 */
async function contractReport(
  target: ConnectorTarget,
  options: ConnectorTestOptions,
  results: ContractCheckResult[],
  logger: Logger,
): Promise<ContractReport> {
  const { manifest } = target.loaded;
  checkRequiredEnv(manifest);
  const started = performance.now();
  const name = "connector loads and matches its manifest";
  let connector: Connector;
  try {
    connector = await instantiateConnector(target.loaded, target.config, { logger });
  } catch (error) {
    if (!(error instanceof ConnectorError)) throw error;
    const durationMs = Math.round(performance.now() - started);
    results.push({ name, status: "failed", message: error.message, durationMs });
    return buildContractReport(manifest.name, results);
  }
  const durationMs = Math.round(performance.now() - started);
  results.push({
    name,
    status: "passed",
    message: `capabilities ${manifest.capabilities.join(", ")}`,
    durationMs,
  });
  const secrets = grantedEnvNames(manifest).map((name) => Deno.env.get(name) ?? "")
    .filter((value) => value.length >= 4);
  return await runContractTests(connector, {
    name: manifest.name,
    tables: options.tables,
    secrets,
    extraResults: results,
  });
}

/** Runs the health check and contract tests; exit 1 when any check fails. */
export async function runConnectorTest(
  ref: string,
  options: ConnectorTestOptions,
  globals: GlobalOptions,
): Promise<number> {
  const target = await resolveConnectorTarget(ref, options);
  const { manifest } = target.loaded;
  const logger = createLogger(detectOutputMode(options.json), globals.logLevel);
  const extraResults: ContractCheckResult[] = [];
  if (manifest.healthCheck) {
    const started = performance.now();
    const health = await runHealthCheck(manifest, target.config);
    extraResults.push({
      name: "health check",
      status: health.ok ? "passed" : "failed",
      message: health.message,
      durationMs: Math.round(performance.now() - started),
    });
  } else {
    // Say so: a connector without one cannot be checked by `dvt extract --check` or `dvt debug`.
    extraResults.push({
      name: "health check",
      status: "skipped",
      message: `${manifest.name} declares no health_check in connector.yaml (see README: ` +
        "health_check)",
      durationMs: 0,
    });
  }
  const report = await contractReport(target, options, extraResults, logger);
  if (options.junit) {
    await Deno.writeTextFile(options.junit, contractReportToJUnit(report));
    printDiagnostic(`wrote JUnit XML to ${options.junit}`);
  }
  if (options.json) printJson(report);
  else printResult(formatContractReport(report));
  return report.ok ? 0 : 1;
}

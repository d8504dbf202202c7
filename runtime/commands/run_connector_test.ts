/** `dvt connector test <connector>`: health check plus contract tests; JUnit XML with --junit. */
import { grantedEnvNames, runHealthCheck } from "../health_check.ts";
import { instantiateConnector } from "../connector_loader.ts";
import {
  type ContractCheckResult,
  formatContractReport,
  runContractTests,
} from "../contract/contract_tests.ts";
import { contractReportToJUnit } from "../contract/junit.ts";
import {
  createLogger,
  detectOutputMode,
  printDiagnostic,
  printJson,
  printResult,
} from "../output.ts";
import type { ConnectorTestOptions } from "./connector.ts";
import { resolveConnectorTarget } from "./connector_target.ts";
import type { GlobalOptions } from "./options.ts";

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
  }
  const connector = await instantiateConnector(target.loaded, target.config, { logger });
  const secrets = grantedEnvNames(manifest).map((name) => Deno.env.get(name) ?? "")
    .filter((value) => value.length >= 4);
  const report = await runContractTests(connector, {
    name: manifest.name,
    tables: options.tables,
    secrets,
    extraResults,
  });
  if (options.junit) {
    await Deno.writeTextFile(options.junit, contractReportToJUnit(report));
    printDiagnostic(`wrote JUnit XML to ${options.junit}`);
  }
  if (options.json) printJson(report);
  else printResult(formatContractReport(report));
  return report.ok ? 0 : 1;
}

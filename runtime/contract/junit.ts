/**
 * Writes a contract report as JUnit XML for CI systems: one testsuite, one testcase per check,
 * with `failure` or `skipped` children. Text is escaped by the XML builder.
 *
 * @module
 */
import XMLBuilder from "fast-xml-builder";
import type { ContractReport } from "./contract_tests.ts";

/** Renders the report as a JUnit XML document. */
export function contractReportToJUnit(report: ContractReport): string {
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const total = report.results.reduce((sum, result) => sum + result.durationMs, 0);
  const testcases = report.results.map((result) => {
    const testcase: Record<string, unknown> = {
      "@_classname": `dvt.connector.${report.connector}`,
      "@_name": result.name,
      "@_time": seconds(result.durationMs),
    };
    if (result.status === "failed") {
      testcase.failure = {
        "@_message": result.message,
        "@_type": "ContractFailure",
        "#text": result.message,
      };
    } else if (result.status === "skipped") {
      testcase.skipped = { "@_message": result.message };
    }
    return testcase;
  });
  const document = {
    "?xml": { "@_version": "1.0", "@_encoding": "UTF-8" },
    testsuites: {
      testsuite: {
        "@_name": `dvt connector test ${report.connector}`,
        "@_tests": report.results.length,
        "@_failures": report.failed,
        "@_errors": 0,
        "@_skipped": report.skipped,
        "@_time": seconds(total),
        testcase: testcases,
      },
    },
  };
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: "@_",
    format: true,
    suppressEmptyNode: true,
  });
  return builder.build(document);
}

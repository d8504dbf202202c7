/**
 * `dvt debug`: checks everything a run needs without extracting, as `dbt debug` does: dvt.yaml
 * parses; per source, the connector's manifest loads, its config validates, the environment
 * variables it needs are present (names only, never values), its health check passes, discover()
 * answers, and the output directory is writable. Exit 0 all passed, 2 a problem in the input the
 * user must fix, 1 a check of the source itself (health check, discover) failed.
 *
 * @module
 */
import { buildConnectorConfig } from "../connector/config.ts";
import { runHealthCheck } from "../connector/health_check.ts";
import {
  instantiateConnector,
  type LoadedConnector,
  resolveConnector,
} from "../connector/loader.ts";
import { DvtError, type ErrorJson, errorJson, InputError, UsageError } from "../errors.ts";
import { checkOutputDirectory } from "../extract/output_dir_check.ts";
import { findSource, loadProject, type Project, type ProjectSource } from "../project.ts";
import { Cap, type ConnectorConfig, hasCap } from "../protocol.ts";
import { createLogger, paint, printJson, printResult } from "../util/output.ts";
import { VERSION } from "../version.ts";
import type { GlobalOptions } from "./options.ts";

/** Options of `dvt debug` as read from the command line. */
export interface DebugCliOptions {
  project?: string;
  json?: boolean;
}

/** One check's result. */
export interface CheckResult {
  check: string;
  status: "ok" | "fail" | "skip";
  detail: string;
  error?: ErrorJson;
}

/** The checks of one source. */
export interface SourceChecks {
  source: string;
  /** Where dvt.yaml defines it, `dvt.yaml:2`. */
  location?: string;
  checks: CheckResult[];
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;
const ok = (check: string, detail: string): CheckResult => ({ check, status: "ok", detail });
const skip = (check: string, detail: string): CheckResult => ({ check, status: "skip", detail });

function fail(check: string, error: unknown): CheckResult {
  const json = errorJson(error);
  return { check, status: "fail", detail: json.message, error: json };
}

/** The environment variables a connector reads: present or missing, never their values. */
function envCheck(loaded: LoadedConnector): CheckResult {
  const { manifest } = loaded;
  const specs = new Map(manifest.auth.envVars.map((spec) => [spec.name, spec]));
  const names = [...new Set([...manifest.permissions.env, ...specs.keys()])];
  if (!names.length) return ok("env vars", "none needed");
  const described = names.map((name) => {
    const required = specs.get(name)?.required ?? false;
    const state = Deno.env.get(name) ? "present" : required ? "MISSING" : "not set (optional)";
    return { name, required, present: !!Deno.env.get(name), text: `${name} ${state}` };
  });
  const detail = described.map((d) => d.text).join(", ");
  const missing = described.filter((d) => d.required && !d.present);
  if (!missing.length) return ok("env vars", detail);
  return fail(
    "env vars",
    new InputError(detail, {
      hint: `export ${missing.map((d) => `${d.name}=...`).join(" ")} before running dvt`,
    }),
  );
}

async function connectionChecks(
  loaded: LoadedConnector,
  config: ConnectorConfig,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const health = await runHealthCheck(loaded.manifest, config).catch((error) => error);
  if (health instanceof Error) results.push(fail("health check", health));
  else if (health.skipped) results.push(skip("health check", "none declared in the manifest"));
  else if (health.ok) results.push(ok("health check", health.message));
  else {
    results.push(fail(
      "health check",
      new DvtError(health.message, { hint: "check the connector's config and credentials" }),
    ));
  }
  if (!hasCap(loaded.manifest.caps, Cap.DISCOVER)) {
    results.push(skip("discover", "the connector does not discover tables"));
    return results;
  }
  const quiet = createLogger("plain", "error");
  try {
    const connector = await instantiateConnector(loaded, config, { logger: quiet });
    try {
      const tables = (await connector.discover?.()) ?? [];
      const names = tables.map((t) => t.name);
      const shown = names.length > 6 ? [...names.slice(0, 6), "..."] : names;
      results.push(ok("discover", `${plural(names.length, "table")} (${shown.join(", ")})`));
    } finally {
      await connector.close?.();
    }
  } catch (error) {
    results.push(fail("discover", error));
  }
  return results;
}

async function checkSource(project: Project, source: ProjectSource): Promise<SourceChecks> {
  const where = project.file.locateKey(source.path);
  const result: SourceChecks = {
    source: source.name,
    location: where.line ? `${where.file}:${where.line}` : undefined,
    checks: [],
  };
  const { checks } = result;
  let loaded: LoadedConnector;
  try {
    loaded = await resolveConnector(source.connector, { projectDir: project.dir });
    const { manifest } = loaded;
    checks.push(ok("connector", `${manifest.name} ${manifest.version} (${loaded.location})`));
  } catch (error) {
    checks.push(fail("connector", error));
    checks.push(await outputCheck(source.out));
    return result;
  }
  let config: ConnectorConfig | undefined;
  try {
    const defaults = "base_dir" in loaded.manifest.config ? { base_dir: project.dir } : {};
    config = await buildConnectorConfig(loaded.manifest, {
      project: {
        values: { ...defaults, ...source.config },
        file: project.file,
        path: [...source.path, "config"],
      },
    });
    checks.push(
      ok("config", `${plural(Object.keys(source.config).length, "key")} set in dvt.yaml`),
    );
  } catch (error) {
    checks.push(fail("config", error));
  }
  const env = envCheck(loaded);
  checks.push(env);
  if (config && env.status !== "fail") checks.push(...await connectionChecks(loaded, config));
  else checks.push(skip("health check", "needs a valid config and env vars first"));
  checks.push(await outputCheck(source.out));
  return result;
}

async function outputCheck(out: string): Promise<CheckResult> {
  try {
    await checkOutputDirectory(out);
    return ok("output directory", `${out} (writable)`);
  } catch (error) {
    return fail("output directory", error);
  }
}

function exitCodeOf(results: CheckResult[]): 0 | 1 | 2 {
  const codes = results.flatMap((r) => r.error ? [r.error.exitCode] : []);
  if (codes.includes(2)) return 2;
  return codes.length ? 1 : 0;
}

function render(projectLine: CheckResult, sources: SourceChecks[]): string[] {
  const label = (status: CheckResult["status"]) =>
    status === "ok"
      ? paint("OK  ", "green", false)
      : status === "skip"
      ? "--  "
      : paint("FAIL", "red", false);
  const line = (r: CheckResult) => {
    const [first, ...rest] = r.detail.split("\n");
    const lines = [`  ${r.check.padEnd(17)} ${label(r.status)}  ${first}`];
    lines.push(...rest.map((text) => `  ${"".padEnd(17)}       ${text.trim()}`));
    if (r.error?.hint) lines.push(`  ${"".padEnd(17)}       hint: ${r.error.hint}`);
    return lines;
  };
  const lines = [`dvt ${VERSION}`, ...line(projectLine)];
  for (const source of sources) {
    lines.push(`${source.source}${source.location ? ` (${source.location})` : ""}`);
    for (const check of source.checks) lines.push(...line(check));
  }
  return lines;
}

/**
 * Runs `dvt debug` and returns the exit code.
 *
 * @example
 * ```ts ignore
 * const code = await runDebug("shop", {}, globals);
 * ```
 */
export async function runDebug(
  source: string | undefined,
  options: DebugCliOptions,
  _globals: GlobalOptions,
): Promise<number> {
  let project: Project | undefined;
  let projectCheck: CheckResult;
  try {
    project = await loadProject(options.project);
    if (!project) {
      throw new UsageError(`no dvt.yaml in ${Deno.cwd()}`, {
        hint: "run dvt debug where dvt.yaml is, or pass --project FILE",
      });
    }
    const count = Object.keys(project.sources).length;
    projectCheck = ok("dvt.yaml", `${project.path}: ${count} source${count === 1 ? "" : "s"}`);
  } catch (error) {
    projectCheck = fail("dvt.yaml", error);
  }
  const sources: SourceChecks[] = [];
  if (project) {
    const selected = source ? [findSource(project, source)] : Object.values(project.sources);
    for (const item of selected) sources.push(await checkSource(project, item));
  }
  const all = [projectCheck, ...sources.flatMap((s) => s.checks)];
  const code = exitCodeOf(all);
  if (options.json) {
    printJson({ version: VERSION, project: projectCheck, sources, exitCode: code });
    return code;
  }
  for (const line of render(projectCheck, sources)) printResult(line);
  const failed = all.filter((r) => r.status === "fail").length;
  printResult(
    failed ? `${failed} check${failed === 1 ? "" : "s"} failed.` : "All checks passed.",
  );
  return code;
}

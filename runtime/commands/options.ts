/**
 * Option types and value parsers shared by command definitions. Kept free of heavy imports: this file
 * loads on every `dvt` invocation, `--help` included.
 *
 * @module
 */
import { InvalidArgumentError } from "./command_spec.ts";
import type { LogLevel } from "../util/output.ts";

/** Options every command receives from the program. */
export interface GlobalOptions {
  /** Print stack traces with errors. */
  debug: boolean;
  /** Minimum level of log lines shown: --log-level > DVT_LOG_LEVEL > info. */
  logLevel: LogLevel;
  /** What chose `logLevel`; set with it by {@linkcode resolveLogLevel}. */
  logLevelFrom?: "--log-level" | "DVT_LOG_LEVEL" | "default";
}

/**
 * Fills in the log level when --log-level was not given: DVT_LOG_LEVEL, else info. The parser
 * leaves it undefined then, so the flag can win over the environment.
 */
export function resolveLogLevel(globals: GlobalOptions, envLevel?: LogLevel): GlobalOptions {
  const given = globals.logLevel as LogLevel | undefined;
  if (given) return { ...globals, logLevelFrom: "--log-level" };
  if (envLevel) return { ...globals, logLevel: envLevel, logLevelFrom: "DVT_LOG_LEVEL" };
  return { ...globals, logLevel: "info", logLevelFrom: "default" };
}

/** Collects a repeatable `--set key=value` into a list. */
export function collectKeyValue(value: string, previous: string[]): string[] {
  if (!value.includes("=")) {
    throw new InvalidArgumentError(`expected key=value, got "${value}"`);
  }
  return [...previous, value];
}

/** Parses a positive integer option such as `--threads 4`. */
export function parsePositiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  }
  return parsed;
}

/** Parses a comma-separated list, dropping empty items: `a, b,` -> ["a", "b"]. */
export function parseList(value: string): string[] {
  return value.split(",").map((item) => item.trim()).filter((item) => item);
}

/**
 * Every `DVT_*` environment variable dvt reads, parsed and checked in one place. A bad value is
 * bad input (exit 2) naming the variable and the form it expects — never a NaN that surfaces
 * later as "a memory budget of NaN MiB".
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { LOG_LEVELS, type LogLevel } from "./output.ts";

/** dvt's settings from the environment, with defaults applied. */
export interface Settings {
  /** `DVT_SANDBOX_TIMEOUT_S`: seconds a sandboxed connector may take for any single answer. */
  sandboxTimeoutSeconds: number;
  /** `DVT_SANDBOX_MEMORY_MB`: MiB a sandboxed connector may grow dvt's resident memory by. */
  sandboxMemoryMb: number;
  /** `DVT_SANDBOX_MAX_ROWS`: rows one read() or stream() of a sandboxed connector may yield. */
  sandboxMaxRows: number;
  /** `DVT_NATIVE_SCAN`: false (`0`) forces the portable Arrow path. */
  nativeScan: boolean;
  /** `DVT_HOME`: dvt's home directory, when set. */
  home?: string;
  /** `DVT_MAVEN_REPOS`: comma-separated repository URLs, when set (checked by maven/). */
  mavenRepos?: string;
  /** `DVT_OUT_DIR`: directory each source's extract goes under (`<dir>/<source>`), when set. */
  outDir?: string;
  /** `DVT_THREADS`: tables read in parallel, when set. */
  threads?: number;
  /** `DVT_LOG_LEVEL`: minimum level of log lines, when set. */
  logLevel?: LogLevel;
}

type Lookup = (name: string) => string | undefined;

/** The variables, their defaults and forms, as the README documents them. */
export const SETTING_DEFAULTS = {
  DVT_SANDBOX_TIMEOUT_S: 300,
  DVT_SANDBOX_MEMORY_MB: 2048,
  DVT_SANDBOX_MAX_ROWS: 1_000_000_000,
} as const;

function positiveInteger(lookup: Lookup, name: keyof typeof SETTING_DEFAULTS): number {
  const text = lookup(name);
  if (text === undefined || text.trim() === "") return SETTING_DEFAULTS[name];
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(
      `${name}=${JSON.stringify(text)} is not a whole number greater than 0`,
      { hint: `set ${name} to a whole number such as ${SETTING_DEFAULTS[name]}, or unset it` },
    );
  }
  return Number(text);
}

function flag(lookup: Lookup, name: string, fallback: boolean): boolean {
  const text = lookup(name);
  if (text === undefined || text.trim() === "") return fallback;
  if (text.trim() === "1") return true;
  if (text.trim() === "0") return false;
  throw new UsageError(`${name}=${JSON.stringify(text)} is neither 0 nor 1`, {
    hint: `set ${name} to 0 or 1, or unset it`,
  });
}

/** An optional whole number above 0; empty counts as unset. */
function optionalPositiveInteger(
  lookup: Lookup,
  name: string,
  example: number,
): number | undefined {
  const text = lookup(name);
  if (text === undefined || text.trim() === "") return undefined;
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`${name}=${JSON.stringify(text)} is not a whole number greater than 0`, {
      hint: `set ${name} to a whole number such as ${example}, or unset it`,
    });
  }
  return Number(text);
}

/** One of dvt's log levels; empty counts as unset. */
function logLevel(lookup: Lookup, name: string): LogLevel | undefined {
  const text = lookup(name)?.trim();
  if (!text) return undefined;
  if ((LOG_LEVELS as readonly string[]).includes(text)) return text as LogLevel;
  throw new UsageError(`${name}=${JSON.stringify(text)} is not a log level`, {
    hint: `set ${name} to one of ${LOG_LEVELS.join(", ")}, or unset it`,
  });
}

/** A free-form value; empty counts as unset. */
function text(lookup: Lookup, name: string): string | undefined {
  const value = lookup(name);
  return value?.trim() ? value : undefined;
}

/**
 * Parses the settings from `lookup` (the process environment by default); throws UsageError
 * (exit 2) naming the first bad variable.
 *
 * @example
 * ```ts
 * import { parseSettings } from "./env_settings.ts";
 * const settings = parseSettings((name) => ({ DVT_SANDBOX_MEMORY_MB: "512" })[name]);
 * console.log(settings.sandboxMemoryMb); // 512
 * ```
 */
export function parseSettings(lookup: Lookup = (name) => Deno.env.get(name)): Settings {
  return {
    sandboxTimeoutSeconds: positiveInteger(lookup, "DVT_SANDBOX_TIMEOUT_S"),
    sandboxMemoryMb: positiveInteger(lookup, "DVT_SANDBOX_MEMORY_MB"),
    sandboxMaxRows: positiveInteger(lookup, "DVT_SANDBOX_MAX_ROWS"),
    nativeScan: flag(lookup, "DVT_NATIVE_SCAN", true),
    home: text(lookup, "DVT_HOME"),
    mavenRepos: text(lookup, "DVT_MAVEN_REPOS"),
    outDir: text(lookup, "DVT_OUT_DIR"),
    threads: optionalPositiveInteger(lookup, "DVT_THREADS", 4),
    logLevel: logLevel(lookup, "DVT_LOG_LEVEL"),
  };
}

let parsed: Settings | undefined;

/** The process's settings, parsed on first use and kept (the CLI calls this at start-up). */
export function settings(): Settings {
  return parsed ??= parseSettings();
}

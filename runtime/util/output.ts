/**
 * Terminal conventions shared by every command: stdout carries only the result, everything
 * else (logs, progress, warnings) goes to stderr; colours only on a TTY without NO_COLOR.
 *
 * @module
 */
import type { LogFields, Logger } from "../protocol.ts";

/** Log levels in increasing severity. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;

/** One log level. */
export type LogLevel = typeof LOG_LEVELS[number];

/** How progress and logs are shown: bars on a TTY, plain lines in CI/pipes, JSON events. */
export type OutputMode = "tty" | "plain" | "json";

/** Picks the mode for stderr: JSON when asked, bars only on an interactive terminal. */
export function detectOutputMode(json: boolean): OutputMode {
  if (json) return "json";
  if (Deno.env.get("CI")) return "plain";
  return Deno.stderr.isTerminal() ? "tty" : "plain";
}

/** Whether to colour text written to the given stream. */
export function useColour(stream: { isTerminal(): boolean } = Deno.stderr): boolean {
  return !Deno.env.get("NO_COLOR") && stream.isTerminal();
}

const ANSI = { red: 31, yellow: 33, green: 32, dim: 2, bold: 1, cyan: 36 } as const;

/** Wraps text in an ANSI colour when colours are on. */
export function paint(text: string, colour: keyof typeof ANSI, enabled = useColour()): string {
  return enabled ? `\x1b[${ANSI[colour]}m${text}\x1b[0m` : text;
}

const encoder = new TextEncoder();

/** Writes one line to stdout (results only). */
export function printResult(line: string): void {
  Deno.stdout.writeSync(encoder.encode(`${line}\n`));
}

/** Writes a value as one JSON document to stdout. */
export function printJson(value: unknown): void {
  printResult(JSON.stringify(value, jsonReplacer, 2));
}

/** Writes one line to stderr. */
export function printDiagnostic(line: string): void {
  Deno.stderr.writeSync(encoder.encode(`${line}\n`));
}

/** Writes one JSON event line to stderr (`--json` progress and logs). */
export function printEvent(event: Record<string, unknown>): void {
  const time = new Date().toISOString();
  // `time` first for readers, and dvt's own: an event's field cannot replace it.
  printDiagnostic(JSON.stringify(Object.assign({ time }, event, { time }), jsonReplacer));
}

/** JSON replacer that keeps bigints as strings instead of throwing. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

/** Creates the logger commands and connectors write through. */
export function createLogger(mode: OutputMode, minimum: LogLevel = "info"): Logger {
  const threshold = LOG_LEVELS.indexOf(minimum);
  const colours: Record<LogLevel, keyof typeof ANSI> = {
    debug: "dim",
    info: "cyan",
    warn: "yellow",
    error: "red",
  };
  const emit = (level: LogLevel) => (message: string, fields?: LogFields) => {
    if (LOG_LEVELS.indexOf(level) < threshold) return;
    if (mode === "json") {
      // dvt's fields first for readers, assigned last so that no logged field replaces them.
      const own = { event: "log", level, message };
      return printEvent(Object.assign({ ...own }, fields, own));
    }
    const suffix = fields && Object.keys(fields).length
      ? " " + Object.entries(fields).map(([k, v]) => `${k}=${String(v)}`).join(" ")
      : "";
    printDiagnostic(`${paint(level, colours[level])} ${message}${suffix}`);
  };
  return {
    debug: emit("debug"),
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
  };
}

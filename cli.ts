#!/usr/bin/env -S deno run --no-prompt --allow-all --unstable-worker-options
/**
 * The dvt command line: reads argv against the command table and dispatches. Commands throw;
 * only this file catches, prints the error (with its cause chain and hint) and chooses the exit
 * code: 0 success, 1 the work failed, 2 bad usage or input.
 *
 * @module
 */
import { CommandLineError, parseCommandLine } from "./runtime/commands/cli_parser.ts";
import type { CommandSpec } from "./runtime/commands/command_spec.ts";
import { PROGRAM } from "./runtime/commands/command_table.ts";
import { resolveLogLevel } from "./runtime/commands/options.ts";
import { renderHelp } from "./runtime/commands/help_format.ts";
import { describeError, DvtError, type ErrorJson, errorJson } from "./runtime/errors.ts";
import { paint, printDiagnostic, printResult } from "./runtime/util/output.ts";
import { relaunchWithoutPrompts } from "./runtime/util/no_prompt.ts";
import { settings } from "./runtime/util/env_settings.ts";

/** Runs dvt with the given arguments and returns the exit code. */
export async function main(args: string[]): Promise<number> {
  // Bare `dvt` is a request for help, not a mistake: print it where help goes, on stdout.
  if (args.length === 0) {
    printHelp([PROGRAM], Deno.stdout);
    return 0;
  }
  const json = args.includes("--json");
  let debug = args.includes("--debug");
  try {
    settings(); // a bad DVT_* variable is reported before any command runs
    const outcome = parseCommandLine(PROGRAM, args);
    if (outcome.kind === "print") {
      printResult(outcome.text);
      return 0;
    }
    if (outcome.kind === "help") {
      // A group named without a subcommand (`dvt connector`) gets its help on stderr.
      printHelp(outcome.path, outcome.toStderr ? Deno.stderr : Deno.stdout);
      return 0;
    }
    debug ||= outcome.input.globals.debug;
    const globals = resolveLogLevel(outcome.input.globals, settings().logLevel);
    return await outcome.command.run!({ ...outcome.input, globals });
  } catch (error) {
    if (error instanceof CommandLineError) {
      printDiagnostic(paint(`error: ${error.message}`, "red"));
      if (json) printErrorJson({ message: error.message, exitCode: 2 });
      return 2;
    }
    for (const line of describeError(error, debug)) printDiagnostic(paint(line, "red"));
    if (!(error instanceof DvtError) && !debug) {
      printDiagnostic("  (an unexpected error; run again with --debug for the stack trace)");
    }
    // With --json, scripts read stdout: the error is a JSON object there too.
    if (json) printErrorJson(errorJson(error));
    return error instanceof DvtError ? error.exitCode : 1;
  }
}

/** Writes a command's help, wrapped to the stream's terminal width (80 when not a terminal). */
function printHelp(path: CommandSpec[], stream: typeof Deno.stdout | typeof Deno.stderr): void {
  const width = stream.isTerminal() ? Deno.consoleSize().columns : 80;
  const bytes = new TextEncoder().encode(renderHelp(path, width));
  for (let written = 0; written < bytes.length;) {
    written += stream.writeSync(bytes.subarray(written));
  }
}

/** Prints `{"error": {...}}` on stdout. */
function printErrorJson(error: ErrorJson): void {
  printResult(JSON.stringify({ error }, null, 2));
}

if (import.meta.main) {
  Deno.exit(await relaunchWithoutPrompts() ?? await main(Deno.args));
}

#!/usr/bin/env -S deno run --no-prompt --allow-all --unstable-worker-options
/**
 * The dvt command line: builds the command tree and dispatches. Commands throw; only this file
 * catches, prints the error (with its cause chain and hint) and chooses the exit code:
 * 0 success, 1 the work failed, 2 bad usage or input.
 *
 * @module
 */
import { Command, CommanderError, Option } from "commander";
import { connectorCommand } from "./runtime/commands/connector.ts";
import { extractCommand } from "./runtime/commands/extract.ts";
import { configureHelp } from "./runtime/commands/help_format.ts";
import { debugCommand } from "./runtime/commands/debug.ts";
import { queryCommand } from "./runtime/commands/query.ts";
import { serveCommand } from "./runtime/commands/serve.ts";
import { statusCommand } from "./runtime/commands/status.ts";
import type { GlobalOptions } from "./runtime/commands/options.ts";
import { syncCommand } from "./runtime/commands/sync.ts";
import { describeError, DvtError, type ErrorJson, errorJson } from "./runtime/errors.ts";
import { LOG_LEVELS, paint, printDiagnostic, printResult } from "./runtime/util/output.ts";
import { relaunchWithoutPrompts } from "./runtime/util/no_prompt.ts";
import { settings } from "./runtime/util/env_settings.ts";
import { VERSION } from "./runtime/version.ts";

/** Builds the program; `exit` receives the exit code a command chose. */
export function buildProgram(exit: (code: number) => void): Command {
  const program = new Command("dvt")
    .description("Move data from sources into analyst-ready Parquet + DuckDB")
    .version(VERSION, "-V, --version", "print the dvt version")
    .option("--debug", "show stack traces with errors", false)
    .addOption(
      new Option("--log-level <level>", "minimum level of log lines")
        .choices([...LOG_LEVELS])
        .default("info"),
    )
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(paint(text.trimEnd(), "red") + "\n") })
    .addHelpText(
      "after",
      `
Examples:
  dvt extract shop                         extract source "shop" defined in dvt.yaml
  dvt extract --connector files --set 'paths=data/*.csv' --out ./x
  dvt connector new hubspot && dvt connector test ./connectors/hubspot
  dvt sync --locked                        provision JDBC/Spark JARs from dvt.lock`,
    );
  const globals = () => program.opts<GlobalOptions>();
  for (
    const command of [
      extractCommand,
      serveCommand,
      statusCommand,
      queryCommand,
      debugCommand,
      connectorCommand,
      syncCommand,
    ]
  ) {
    program.addCommand(command(globals, exit));
  }
  // Subcommands inherit exitOverride only when set before they are added; set it on all.
  const override = (command: Command): void => {
    command.exitOverride();
    command.commands.forEach(override);
  };
  override(program);
  configureHelp(program);
  return program;
}

/** Runs dvt with the given arguments and returns the exit code. */
export async function main(args: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((chosen) => (code = chosen));
  // Bare `dvt` is a request for help, not a mistake: print it where help goes, on stdout.
  if (args.length === 0) {
    program.outputHelp();
    return 0;
  }
  const json = args.includes("--json");
  try {
    settings(); // a bad DVT_* variable is reported before any command runs
    await program.parseAsync(args, { from: "user" });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      const informational = ["commander.helpDisplayed", "commander.version", "commander.help"];
      if (informational.includes(error.code) || error.exitCode === 0) return 0;
      if (json) printErrorJson({ message: error.message.replace(/^error: /, ""), exitCode: 2 });
      return 2;
    }
    const debug = program.opts<GlobalOptions>().debug || args.includes("--debug");
    for (const line of describeError(error, debug)) printDiagnostic(paint(line, "red"));
    if (!(error instanceof DvtError) && !debug) {
      printDiagnostic("  (an unexpected error; run again with --debug for the stack trace)");
    }
    // With --json, scripts read stdout: the error is a JSON object there too.
    if (json) printErrorJson(errorJson(error));
    return error instanceof DvtError ? error.exitCode : 1;
  }
}

/** Prints `{"error": {...}}` on stdout. */
function printErrorJson(error: ErrorJson): void {
  printResult(JSON.stringify({ error }, null, 2));
}

if (import.meta.main) {
  Deno.exit(await relaunchWithoutPrompts() ?? await main(Deno.args));
}

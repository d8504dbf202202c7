/** `dvt debug`: the command-line surface. The work lives in run_debug.ts, loaded lazily. */
import { Command } from "commander";
import type { ExitCodeSink, GlobalOptions } from "./options.ts";
import type { DebugCliOptions } from "./run_debug.ts";

/** Builds the `debug` command. */
export function debugCommand(globals: () => GlobalOptions, exit: ExitCodeSink): Command {
  return new Command("debug")
    .description(
      "Check dvt.yaml, each source's connector, config, env vars, health check and output " +
        "directory, without extracting",
    )
    .argument("[source]", "source name of dvt.yaml (default: every source)")
    .option("--project <file>", "project file (default: ./dvt.yaml)")
    .option("--json", "print the checks as JSON")
    .addHelpText(
      "after",
      `
Exit codes: 0 every check passed, 2 a mistake to fix in dvt.yaml, config, env or paths,
1 a source's health check or discover failed.

Examples:
  dvt debug                 check every source of ./dvt.yaml
  dvt debug shop            check one source
  dvt debug --json          the same as JSON, e.g. for CI`,
    )
    .action(async (source: string | undefined, options: DebugCliOptions) => {
      const { runDebug } = await import("./run_debug.ts");
      exit(await runDebug(source, options, globals()));
    });
}

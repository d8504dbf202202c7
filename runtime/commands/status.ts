/** `dvt status`: the command-line surface. The work lives in run_status.ts, loaded lazily. */
import { Command } from "commander";
import type { ExitCodeSink, GlobalOptions } from "./options.ts";
import type { StatusCliOptions } from "./run_status.ts";

/** Builds the `status` command. */
export function statusCommand(globals: () => GlobalOptions, exit: ExitCodeSink): Command {
  return new Command("status")
    .description("Show each table's rows, size, cursor and last run, without extracting")
    .argument("[source]", "source name of dvt.yaml or an output directory (default: every source)")
    .option("--project <file>", "project file (default: ./dvt.yaml)")
    .option("--json", "print the status as JSON")
    .addHelpText(
      "after",
      `
Examples:
  dvt status                        every source of dvt.yaml
  dvt status shop                   one source: mode, rows, size, cursor, last run per table
  dvt status extracts/shop --json   an output directory, as JSON`,
    )
    .action(async (source: string | undefined, options: StatusCliOptions) => {
      const { runStatus } = await import("./run_status.ts");
      exit(await runStatus(source, options, globals()));
    });
}

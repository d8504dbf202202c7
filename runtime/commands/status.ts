/** `dvt status`: the command-line surface. The work lives in run_status.ts, loaded lazily. */
import type { CommandSpec } from "./command_spec.ts";
import type { StatusCliOptions } from "./run_status.ts";

/** The `status` command. */
export const statusCommand: CommandSpec = {
  name: "status",
  description: "Show each table's rows, size, cursor and last run, without extracting",
  arguments: [
    {
      name: "source",
      description: "source name of dvt.yaml or an output directory (default: every source)",
    },
  ],
  options: [
    { flags: "--project <file>", description: "project file (default: ./dvt.yaml)" },
    { flags: "--json", description: "print the status as JSON" },
  ],
  helpAfter: `
Examples:
  dvt status                        every source of dvt.yaml
  dvt status shop                   one source: mode, rows, size, cursor, last run per table
  dvt status extracts/shop --json   an output directory, as JSON`,
  run: async ({ args: [source], options, globals }) => {
    const { runStatus } = await import("./run_status.ts");
    return runStatus(source, options as StatusCliOptions, globals);
  },
};

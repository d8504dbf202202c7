/** `dvt debug`: the command-line surface. The work lives in run_debug.ts, loaded lazily. */
import type { CommandSpec } from "./command_spec.ts";
import type { DebugCliOptions } from "./run_debug.ts";

/** The `debug` command. */
export const debugCommand: CommandSpec = {
  name: "debug",
  description: "Check dvt.yaml, each source's connector, config, env vars, health check and " +
    "output directory, without extracting",
  arguments: [{ name: "source", description: "source name of dvt.yaml (default: every source)" }],
  options: [
    { flags: "--project <file>", description: "project file (default: ./dvt.yaml)" },
    { flags: "--json", description: "print the checks as JSON" },
  ],
  helpAfter: `
Exit codes: 0 every check passed, 2 a mistake to fix in dvt.yaml, config, env or paths,
1 a source's health check or discover failed.

Examples:
  dvt debug                 check every source of ./dvt.yaml
  dvt debug shop            check one source
  dvt debug --json          the same as JSON, e.g. for CI`,
  run: async ({ args: [source], options, globals }) => {
    const { runDebug } = await import("./run_debug.ts");
    return runDebug(source, options as DebugCliOptions, globals);
  },
};

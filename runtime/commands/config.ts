/** `dvt config ...`: the command-line surface. The work lives in run_config_show.ts, loaded lazily. */
import type { CommandSpec } from "./command_spec.ts";
import { collectKeyValue, parsePositiveInt } from "./options.ts";
import type { ConfigShowOptions } from "./run_config_show.ts";

const showCommand: CommandSpec = {
  name: "show",
  description: "Print a source's effective configuration and where each value came from",
  arguments: [
    {
      name: "source",
      description: "source name from dvt.yaml (default: every source in dvt.yaml)",
    },
  ],
  options: [
    {
      flags: "--connector <name|path|url>",
      description: "show an ad-hoc connector's configuration, without dvt.yaml",
    },
    { flags: "--config <file>", description: "YAML or JSON file with the connector's config" },
    {
      flags: "--set <key=value>",
      description: "set one config value (repeatable; lists: a,b)",
      parse: collectKeyValue,
      default: [],
    },
    { flags: "--out <dir>", description: "output directory" },
    { flags: "--threads <n>", description: "tables read in parallel", parse: parsePositiveInt },
    { flags: "--project <file>", description: "project file (default: ./dvt.yaml)" },
    { flags: "--json", description: "print the configuration as JSON", default: false },
  ],
  helpAfter: `
Layers, first that sets a value wins: flags > environment (DVT_OUT_DIR, DVT_THREADS,
DVT_LOG_LEVEL) > --config file > dvt.yaml > connector defaults. Secrets are shown as
env:NAME, never their values.

Examples:
  dvt config show shop                       the effective configuration of source "shop"
  DVT_THREADS=8 dvt config show shop --json  as JSON, with DVT_THREADS in effect
  dvt config show --connector files --set 'paths=data/*.csv'`,
  run: async ({ args: [source], options, globals }) => {
    const { runConfigShow } = await import("./run_config_show.ts");
    return runConfigShow(source, options as ConfigShowOptions, globals);
  },
};

/** The `config` command group. */
export const configCommand: CommandSpec = {
  name: "config",
  description: "Show the layered configuration dvt uses",
  subcommands: [showCommand],
  helpAfter: "\nExamples:\n  dvt config show shop\n  dvt config show shop --json",
};

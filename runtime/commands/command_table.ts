/**
 * The dvt program: its global options and the table of its commands.
 *
 * How to add a command (or a flag):
 * 1. Write `runtime/commands/<name>.ts` exporting a `CommandSpec` (see command_spec.ts and
 *    e.g. status.ts): name, description, `arguments`, `options` (`flags` as help shows them:
 *    `--out <dir>` takes a value, `--check` is a switch, `--no-x` turns `x` off; `parse` for
 *    typed or repeatable values, `default`), `helpAfter` with an Examples block, and a `run`
 *    that `await import()`s the module doing the work and returns the exit code. Keep the
 *    file's static imports type-only or to options.ts: it loads on every `dvt --help`.
 * 2. Add it to `subcommands` below (or to a group's, e.g. connector.ts); the order is the
 *    order `dvt --help` lists them.
 * 3. tests/cli_test.ts walks this table: the new `--help` must show Examples and load only the
 *    command surface.
 *
 * @module
 */
import type { CommandSpec } from "./command_spec.ts";
import { configCommand } from "./config.ts";
import { connectorCommand } from "./connector.ts";
import { debugCommand } from "./debug.ts";
import { extractCommand } from "./extract.ts";
import { queryCommand } from "./query.ts";
import { serveCommand } from "./serve.ts";
import { statusCommand } from "./status.ts";
import { syncCommand } from "./sync.ts";
import { LOG_LEVELS } from "../util/output.ts";
import { VERSION } from "../version.ts";

/** The whole command line: `dvt [global options] <command> ...`. */
export const PROGRAM: CommandSpec = {
  name: "dvt",
  description: "Move data from sources into analyst-ready Parquet + DuckDB",
  options: [
    { flags: "-V, --version", description: "print the dvt version", prints: VERSION },
    { flags: "--debug", description: "show stack traces with errors", default: false },
    {
      flags: "--log-level <level>",
      description: "minimum level of log lines (default: $DVT_LOG_LEVEL, else info)",
      choices: LOG_LEVELS,
    },
  ],
  subcommands: [
    extractCommand,
    serveCommand,
    statusCommand,
    queryCommand,
    debugCommand,
    configCommand,
    connectorCommand,
    syncCommand,
  ],
  helpAfter: `
Examples:
  dvt extract shop                         extract source "shop" defined in dvt.yaml
  dvt extract --connector files --set 'paths=data/*.csv' --out ./x
  dvt connector new hubspot && dvt connector test ./connectors/hubspot
  dvt sync --locked                        provision JDBC/Spark JARs from dvt.lock`,
};

/** Every command and group below the program, as paths: `["extract"]`, `["connector", "test"]`. */
export function commandPaths(command: CommandSpec = PROGRAM, above: string[] = []): string[][] {
  return (command.subcommands ?? []).flatMap((sub) => [
    [...above, sub.name],
    ...commandPaths(sub, [...above, sub.name]),
  ]);
}

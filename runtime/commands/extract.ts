/** `dvt extract`: the command-line surface. The work lives in run_extract.ts, loaded lazily. */
import { Command } from "commander";
import {
  collectKeyValue,
  type ExitCodeSink,
  type GlobalOptions,
  parseList,
  parsePositiveInt,
} from "./options.ts";
import type { ExtractCliOptions } from "./run_extract.ts";

/** Builds the `extract` command. */
export function extractCommand(globals: () => GlobalOptions, exit: ExitCodeSink): Command {
  return new Command("extract")
    .description("Extract tables from a source into Parquet files and an extract.duckdb")
    .argument("[source]", "source name from dvt.yaml (default: every source in dvt.yaml)")
    .option("--connector <name|path|url>", "connector to run ad hoc, without dvt.yaml")
    .option("--config <file>", "YAML or JSON file with the connector's config")
    .option(
      "--set <key=value>",
      "set one config value (repeatable; lists: a,b)",
      collectKeyValue,
      [],
    )
    .option("--tables <a,b>", "extract only these tables", parseList)
    .option("--out <dir>", "output directory (default: extracts/<source>)")
    .option("--full-refresh", "ignore incremental state and replace every table", false)
    .option("--threads <n>", "tables read in parallel (default: 4)", parsePositiveInt)
    .option("--check", "run the connector's health check first", false)
    .option("--project <file>", "project file (default: ./dvt.yaml)")
    .option("--json", "print the result as JSON, progress as JSON lines on stderr", false)
    .addHelpText(
      "after",
      `
Examples:
  dvt extract shop                                   run source "shop" from dvt.yaml
  dvt extract shop --tables orders --full-refresh    re-extract one table from scratch
  dvt extract --connector files --set 'paths=data/*.csv' --out ./x
  dvt extract --connector ./connectors/hubspot --config hubspot.yaml --json`,
    )
    .action(async (source: string | undefined, options: ExtractCliOptions) => {
      const { runExtract } = await import("./run_extract.ts");
      exit(await runExtract(source, options, globals()));
    });
}

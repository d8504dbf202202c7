/** `dvt extract`: the command-line surface. The work lives in run_extract.ts, loaded lazily. */
import type { CommandSpec } from "./command_spec.ts";
import { collectKeyValue, parseList, parsePositiveInt } from "./options.ts";
import type { ExtractCliOptions } from "./run_extract.ts";

/** The `extract` command. */
export const extractCommand: CommandSpec = {
  name: "extract",
  description: "Extract tables from a source into Parquet files and an extract.duckdb",
  arguments: [
    {
      name: "source",
      description: "source name from dvt.yaml (default: every source in dvt.yaml)",
    },
  ],
  options: [
    {
      flags: "--connector <name|path|url>",
      description: "connector to run ad hoc, without dvt.yaml",
    },
    { flags: "--config <file>", description: "YAML or JSON file with the connector's config" },
    {
      flags: "--set <key=value>",
      description: "set one config value (repeatable; lists: a,b)",
      parse: collectKeyValue,
      default: [],
    },
    { flags: "--tables <a,b>", description: "extract only these tables", parse: parseList },
    { flags: "--out <dir>", description: "output directory (default: extracts/<source>)" },
    {
      flags: "--full-refresh",
      description: "ignore incremental state and replace every table",
      default: false,
    },
    {
      flags: "--keep-removed",
      description: "keep published tables no longer listed under tables: in dvt.yaml",
      default: false,
    },
    {
      flags: "--threads <n>",
      description: "tables read in parallel (default: 4)",
      parse: parsePositiveInt,
    },
    { flags: "--check", description: "run the connector's health check first", default: false },
    { flags: "--project <file>", description: "project file (default: ./dvt.yaml)" },
    {
      flags: "--json",
      description: "print the result as JSON, progress as JSON lines on stderr",
      default: false,
    },
  ],
  helpAfter: `
Examples:
  dvt extract shop                                   run source "shop" from dvt.yaml
  dvt extract shop --tables orders --full-refresh    re-extract one table from scratch
  dvt extract --connector files --set 'paths=data/*.csv' --out ./x
  dvt extract --connector ./connectors/hubspot --config hubspot.yaml --json`,
  run: async ({ args: [source], options, globals }) => {
    // The catalog's thread loads DuckDB on a second core while this one loads the pipeline;
    // with a single core it would only take turns with this thread, so the catalog stays here.
    const { CatalogThread } = await import("../extract/catalog_thread.ts");
    using catalogs = navigator.hardwareConcurrency > 1 ? CatalogThread.start() : undefined;
    const { runExtract } = await import("./run_extract.ts");
    return await runExtract(source, options as ExtractCliOptions, globals, catalogs);
  },
};

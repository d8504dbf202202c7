/** `dvt query`: the command-line surface. The work lives in run_query.ts, loaded lazily. */
import type { CommandSpec } from "./command_spec.ts";
import { parsePositiveInt } from "./options.ts";
import type { QueryCliOptions } from "./run_query.ts";

/** The `query` command. */
export const queryCommand: CommandSpec = {
  name: "query",
  description: "Run SQL on extracts, read-only, with the embedded DuckDB",
  arguments: [
    {
      name: "extract",
      description: "source name of dvt.yaml, an output directory or an extract.duckdb; " +
        "omitted: every source's extract, attached under the source's name",
    },
    { name: "sql", description: "the SQL to run" },
  ],
  usage: "[options] [extract] <sql>",
  options: [
    { flags: "--csv", description: "print CSV (every row)", default: false },
    {
      flags: "--json",
      description: "print a JSON array of row objects (every row)",
      default: false,
    },
    {
      flags: "--max-rows <n>",
      description: "rows the aligned table shows (default: 100)",
      parse: parsePositiveInt,
    },
    { flags: "--project <file>", description: "project file (default: ./dvt.yaml)" },
  ],
  helpAfter: `
Examples:
  dvt query shop "SELECT * FROM orders LIMIT 10"         one source's extract
  dvt query shop "SELECT table_name, rows, extracted_at FROM _meta"
  dvt query extracts/shop/extract.duckdb "SELECT count(*) FROM orders" --csv
  dvt query "SELECT * FROM shop.orders o JOIN crm.accounts a ON a.id = o.account_id"
                                                          every source, joined by name`,
  run: async ({ args: [extract, sql], options, globals }) => {
    const { runQuery } = await import("./run_query.ts");
    // One argument is the SQL: `dvt query "SELECT ..."` queries every source.
    const [target, statement] = sql === undefined ? [undefined, extract] : [extract, sql];
    if (statement === undefined) {
      const { UsageError } = await import("../errors.ts");
      throw new UsageError("missing the SQL to run", {
        hint: 'e.g. dvt query shop "SELECT * FROM _meta"',
      });
    }
    return runQuery(target, statement, options as QueryCliOptions, globals);
  },
};

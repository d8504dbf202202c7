/** `dvt query`: the command-line surface. The work lives in run_query.ts, loaded lazily. */
import { Command } from "commander";
import { type ExitCodeSink, type GlobalOptions, parsePositiveInt } from "./options.ts";
import type { QueryCliOptions } from "./run_query.ts";

/** Builds the `query` command. */
export function queryCommand(globals: () => GlobalOptions, exit: ExitCodeSink): Command {
  return new Command("query")
    .description("Run SQL on extracts, read-only, with the embedded DuckDB")
    .argument(
      "[extract]",
      "source name of dvt.yaml, an output directory or an extract.duckdb; " +
        "omitted: every source's extract, attached under the source's name",
    )
    .argument("[sql]", "the SQL to run")
    .usage("[options] [extract] <sql>")
    .option("--csv", "print CSV (every row)", false)
    .option("--json", "print a JSON array of row objects (every row)", false)
    .option("--max-rows <n>", "rows the aligned table shows (default: 100)", parsePositiveInt)
    .option("--project <file>", "project file (default: ./dvt.yaml)")
    .addHelpText(
      "after",
      `
Examples:
  dvt query shop "SELECT * FROM orders LIMIT 10"         one source's extract
  dvt query shop "SELECT table_name, rows, extracted_at FROM _meta"
  dvt query extracts/shop/extract.duckdb "SELECT count(*) FROM orders" --csv
  dvt query "SELECT * FROM shop.orders o JOIN crm.accounts a ON a.id = o.account_id"
                                                          every source, joined by name`,
    )
    .action(
      async (extract: string | undefined, sql: string | undefined, options: QueryCliOptions) => {
        const { runQuery } = await import("./run_query.ts");
        // One argument is the SQL: `dvt query "SELECT ..."` queries every source.
        const [target, statement] = sql === undefined ? [undefined, extract] : [extract, sql];
        if (statement === undefined) {
          const { UsageError } = await import("../errors.ts");
          throw new UsageError("missing the SQL to run", {
            hint: 'e.g. dvt query shop "SELECT * FROM _meta"',
          });
        }
        exit(await runQuery(target, statement, options, globals()));
      },
    );
}

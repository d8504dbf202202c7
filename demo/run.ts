/**
 * `deno task demo`: extracts the sample shop in demo/data through the real CLI into
 * ./demo-extract (relative to the working directory), prints the summary, then answers one
 * question from demo-extract/extract.duckdb: revenue by customer, joined across three views.
 * Re-runnable: the second run reads orders incrementally.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";
import { main } from "../cli.ts";
import { DuckDB } from "../runtime/parquet/duckdb.ts";
import { printResult } from "../runtime/util/output.ts";

const PROJECT = fileURLToPath(new URL("./dvt.yaml", import.meta.url));

/** The sample query the demo prints. */
export const REVENUE_BY_CUSTOMER = `
SELECT c.name AS customer, c.country, count(*) AS orders,
       round(sum(o.quantity * p.unit_price), 2) AS revenue
FROM orders o
JOIN customers c USING (customer_id)
JOIN products p USING (sku)
WHERE o.status <> 'refunded'
GROUP BY ALL
ORDER BY revenue DESC
LIMIT 5`;

/** Runs the demo into `out`; returns the CLI's exit code. */
export async function runDemo(out: string, extraArgs: string[] = []): Promise<number> {
  const code = await main(["extract", "shop", "--project", PROJECT, "--out", out, ...extraArgs]);
  if (code !== 0) return code;
  await using db = await DuckDB.create(resolve(out, "extract.duckdb"), { readOnly: true });
  const rows = await db.all(REVENUE_BY_CUSTOMER);
  printResult("\nrevenue by customer (top 5, refunds excluded):");
  for (const row of rows) {
    printResult(
      `  ${String(row.customer).padEnd(20)} ${String(row.country).padEnd(3)} ${
        String(row.orders).padStart(3)
      } orders  ${Number(row.revenue).toFixed(2).padStart(9)}`,
    );
  }
  return 0;
}

if (import.meta.main) {
  Deno.exit(await runDemo(resolve(Deno.cwd(), "demo-extract"), Deno.args));
}

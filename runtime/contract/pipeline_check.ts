/**
 * The end-to-end contract check: run the connector through ConnectorRuntime into a temporary
 * directory, then query `_meta` and every view of the resulting extract.duckdb.
 *
 * @module
 */
import type { Connector } from "../protocol.ts";
import { quoteIdentifier } from "../util/sql.ts";
import { ContractFailure } from "./checks.ts";

/** Extracts every given table and checks the extract.duckdb is complete and queryable. */
export async function checkPipeline(
  connector: Connector,
  name: string,
  tables: string[],
): Promise<string> {
  // Loaded here only: the runtime pulls in DuckDB and parquet-wasm.
  const { ConnectorRuntime } = await import("../extract/runtime.ts");
  const { DuckDB } = await import("../parquet/duckdb.ts");
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const outDir = await Deno.makeTempDir({ prefix: "dvt-contract-" });
  try {
    const runtime = new ConnectorRuntime(outDir, { connectorName: name, log: quiet });
    const stats = await runtime.run(connector, tables.length ? { tables } : {});
    if (stats.tablesFailed) {
      const errors = stats.errors.map((error) => `${error.table}: ${error.message}`).join("; ");
      throw new ContractFailure(`${stats.tablesFailed} table(s) failed to extract: ${errors}`);
    }
    const db = await DuckDB.create(`${outDir}/extract.duckdb`, { readOnly: true });
    try {
      const meta = await db.all("SELECT table_name, rows FROM _meta");
      if (!meta.length) throw new ContractFailure("extract.duckdb has no table in _meta");
      const views = await db.all(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main'",
      );
      for (const view of views) {
        await db.all(`SELECT * FROM ${quoteIdentifier(String(view.view_name))} LIMIT 5`);
      }
      return `${meta.length} table(s) in _meta, ${views.length} view(s) queried`;
    } finally {
      db.close();
    }
  } finally {
    await Deno.remove(outDir, { recursive: true }).catch(() => {});
  }
}

import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { queryDuckDB, tempDir } from "../../_helpers.ts";
import { Cap, type Connector } from "../../../runtime/protocol.ts";
import { ConnectorRuntime } from "../../../runtime/extract/runtime.ts";
import { batchOf, memoryConnector, schemaOf } from "../../fixtures/runtime/connectors.ts";

Deno.test("run() views keep working after the output directory moves, from another cwd", async () => {
  await using dir = await tempDir();
  const schema = schemaOf({ id: new arrow.Int32() });
  let n = 0;
  const { connector } = memoryConnector([
    {
      info: { name: "a", schema },
      *batches() {
        yield batchOf({ id: { type: new arrow.Int32(), values: [1, 2] } });
      },
    },
    {
      info: { name: "b", schema },
      *batches() {
        yield batchOf({ id: { type: new arrow.Int32(), values: [++n] } });
      },
    },
  ]);
  const runtime = new ConnectorRuntime(`${dir.path}/first`);
  await runtime.run(connector, { disposition: { b: "append" } });
  await runtime.run(connector, { disposition: { b: "append" } });
  await Deno.rename(`${dir.path}/first`, `${dir.path}/moved`);
  await Deno.mkdir(`${dir.path}/elsewhere`);
  const check = `
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const instance = await DuckDBInstance.create(Deno.args[0], { access_mode: "READ_ONLY" });
    const c = await instance.connect();
    const out = [];
    for (const v of ["a", "b"]) {
      const r = await c.runAndReadAll("SELECT count(*)::INT AS n FROM " + v);
      out.push(r.getRowObjectsJS()[0].n);
    }
    console.log(JSON.stringify(out));
    c.closeSync(); instance.closeSync();`;
  await Deno.writeTextFile(`${dir.path}/check.ts`, check);
  for (const dbPath of [`${dir.path}/moved/extract.duckdb`, "../moved/extract.duckdb"]) {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", `${Deno.cwd()}/deno.json`, `${dir.path}/check.ts`, dbPath],
      cwd: `${dir.path}/elsewhere`,
    }).output();
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
    assert.deepEqual(JSON.parse(new TextDecoder().decode(output.stdout)), [2, 2]);
  }
});

Deno.test("run() records remote-only tables and the remote attach without secrets", async () => {
  await using dir = await tempDir();
  const connector: Connector = {
    capabilities: Cap.DISCOVER | Cap.REMOTE,
    discover: () => [{
      name: "warehouse.events",
      schema: schemaOf({ id: new arrow.Int64() }),
      capabilities: Cap.REMOTE,
      description: "remote events",
    }],
    remote: () => ({ extension: "bigquery", url: "bigquery:project=p", tokenEnv: "BQ_TOKEN" }),
  };
  const result = await new ConnectorRuntime(dir.path, { connectorName: "bq" }).run(connector);
  assert.deepEqual(result.tables.map((t) => [t.name, t.status]), [["warehouse_events", "remote"]]);
  const run = await queryDuckDB(
    `${dir.path}/extract.duckdb`,
    "SELECT run_id, connector FROM _dvt_run",
  );
  assert.deepEqual(run, [{ run_id: result.runId, connector: "bq" }]);
  const db = `${dir.path}/extract.duckdb`;
  assert.deepEqual(await queryDuckDB(db, "SELECT * FROM _remote_attach"), [
    { alias: "bigquery", extension: "bigquery", url: "bigquery:project=p", token_env: "BQ_TOKEN" },
  ]);
  assert.deepEqual(
    await queryDuckDB(
      db,
      "SELECT table_name, source_name, query_mode, rows::INT AS rows FROM _meta",
    ),
    [{
      table_name: "warehouse_events",
      source_name: "warehouse.events",
      query_mode: "remote",
      rows: 0,
    }],
  );
  const views = await queryDuckDB(db, "SELECT view_name FROM duckdb_views() WHERE NOT internal");
  assert.deepEqual(views, []);
});

Deno.test("run() refuses a remote attach whose tokenEnv is not an env var name", async () => {
  await using dir = await tempDir();
  const connector: Connector = {
    capabilities: Cap.REMOTE,
    remote: () => ({ extension: "x", url: "u", tokenEnv: "sk-live secret value" }),
  };
  const result = await new ConnectorRuntime(dir.path).run(connector);
  assert.equal(result.errors[0].table, "_remote_attach");
  const rows = await queryDuckDB(
    `${dir.path}/extract.duckdb`,
    "SELECT count(*)::INT AS n FROM _remote_attach",
  );
  assert.equal(rows[0].n, 0);
});

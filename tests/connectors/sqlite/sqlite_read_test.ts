/**
 * The sqlite connector in-process: filter and projection pushdown (checked by the SQL SQLite ran
 * and the rows it returned), and a table dropped between discover and read.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import factory from "../../../connectors/sqlite/connector.ts";
import { createConnectorContext } from "../../../runtime/connector/context.ts";
import { ConnectorError } from "../../../runtime/errors.ts";
import type { Connector, LogFields, ReadOptions } from "../../../runtime/protocol.ts";
import { tempDir } from "../../_helpers.ts";

async function open(path: string, logged: LogFields[] = []): Promise<Connector> {
  const log = (_: string, fields?: LogFields) => fields && logged.push(fields);
  const ctx = createConnectorContext({
    connector: "sqlite",
    logger: { debug: log, info: log, warn: log, error: log },
  });
  return await factory(ctx, { path });
}

async function readAll(connector: Connector, table: string, options: Partial<ReadOptions> = {}) {
  const rows: Record<string, unknown>[] = [];
  for await (const batch of connector.read!(table, { batchSize: 2, ...options })) {
    for (const row of batch) rows.push(row!.toJSON());
  }
  return rows;
}

Deno.test("sqlite: filters and projection run inside SQLite", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/p.db`;
  const db = new DatabaseSync(path);
  db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, status TEXT, at DATETIME, note TEXT);
    INSERT INTO t VALUES (1, 'paid', '2026-01-01 00:00:00', 'a'), (2, 'open', '2026-01-02 00:00:00', 'b'),
      (3, 'paid', '2026-01-03T00:00:00Z', 'c'), (4, 'void', NULL, 'd');`);
  db.close();
  const logged: LogFields[] = [];
  const connector = await open(path, logged);
  const rows = await readAll(connector, "t", {
    columns: ["id", "status"],
    filter: {
      status: { in: ["paid", "void"] },
      id: { "<": 4 },
      at: { ">=": "2026-01-02T00:00:00Z" },
    },
  });
  assert.deepEqual(rows, [{ id: 3n, status: "paid" }]);
  const sql = String(logged.find((fields) => fields.sql)?.sql);
  assert.match(sql, /^SELECT rowid, "id", "status" FROM "t" WHERE /);
  assert.match(sql, /"status" = 'paid' OR "status" = 'void'/);
  assert.match(sql, /"id" < 4/);
  assert.match(sql, /strftime\('%Y-%m-%d %H:%M:%f', "at"\) >= strftime/);
  const nulls = await readAll(connector, "t", { columns: ["id"], filter: { at: { "=": null } } });
  assert.deepEqual(nulls, [{ id: 4n }]);
  await connector.close?.();
});

// Regression: node:sqlite iterate() returned no rows here instead of the error.
Deno.test("sqlite: a table dropped between discover and read fails that read clearly", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/d.db`;
  const db = new DatabaseSync(path);
  db.exec("CREATE TABLE gone (x INT); INSERT INTO gone VALUES (1);");
  const connector = await open(path);
  assert.equal((await connector.discover!()).length, 1);
  db.exec("DROP TABLE gone");
  db.close();
  await assert.rejects(() => readAll(connector, "gone"), (error: Error) => {
    assert.ok(error instanceof ConnectorError);
    assert.match(error.message, /table "gone": .*no such table: gone/);
    return true;
  });
  await connector.close?.();
});

/**
 * The sqlite connector in-process: filter and projection pushdown (checked by the SQL SQLite ran
 * and the rows it returned), and a table dropped between discover and read.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import factory from "../../../connectors/sqlite/connector.ts";
import { createConnectorContext } from "../../../runtime/connector/context.ts";
import { ConnectorError } from "../../../runtime/errors.ts";
import { PAGE_ROWS } from "../../../connectors/sqlite/page_reader.ts";
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

// A page is PAGE_ROWS rows whatever the batch size: batches smaller and larger than a page, over
// a table of several pages (rowid gaps, negative rowids) and a view paged by offset.
Deno.test("sqlite: tables and views of several pages come back whole and in rowid order", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/pages.db`;
  const rows = PAGE_ROWS * 2 + 7;
  const db = new DatabaseSync(path);
  db.exec(`CREATE TABLE t (n INT, s TEXT);
    WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${rows})
    INSERT INTO t (rowid, n, s) SELECT i * 3 - 1000, i, 'v' || i FROM s;
    CREATE VIEW v AS SELECT n, s FROM t WHERE n % 2 = 0;`);
  db.close();
  const connector = await open(path);
  for (const batchSize of [1000, PAGE_ROWS, 50_000]) {
    const table = await readAll(connector, "t", { batchSize });
    assert.equal(table.length, rows);
    assert.deepEqual(
      table.map((row) => Number(row.n)),
      Array.from({ length: rows }, (_, i) => i + 1),
    );
    assert.deepEqual(table[rows - 1], { n: BigInt(rows), s: `v${rows}` });
    const view = await readAll(connector, "v", { batchSize });
    assert.equal(view.length, Math.floor(rows / 2));
    assert.equal(view.at(-1)!.n, BigInt(rows - 1));
  }
  await connector.close?.();
});

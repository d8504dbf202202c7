/**
 * Projection, filter and cursor pushdown, verified by what the server ran: pg_stat_statements
 * records the COPY text and how many rows its SELECT returned.
 */
import assert from "node:assert/strict";
import type * as arrow from "apache-arrow";
import factory from "../../../connectors/postgres/connector.ts";
import { createConnectorContext } from "../../../runtime/connector/context.ts";
import { createLogger } from "../../../runtime/util/output.ts";
import type { ReadOptions } from "../../../runtime/protocol.ts";
import { connect, testDatabase, unavailable } from "./_server.ts";

const ignore = unavailable !== undefined;

interface Statement {
  query: string;
  rows: string;
}

/** COPY statements the server ran in `database` since the last reset. */
async function statements(database: string): Promise<Statement[]> {
  const admin = await connect();
  try {
    return await admin.query<Statement>(
      `SELECT query, rows::text AS rows FROM pg_stat_statements s
       JOIN pg_database d ON d.oid = s.dbid
       WHERE d.datname = $1 AND query LIKE 'COPY%'`,
      [database],
    );
  } finally {
    await admin.end();
  }
}

async function readRows(database: Record<string, string>, table: string, options: ReadOptions) {
  const ctx = createConnectorContext({
    connector: "postgres",
    logger: createLogger("plain"),
    readEnv: (name) => database[name],
  });
  const connector = await factory(ctx, {});
  try {
    const rows: Record<string, unknown>[] = [];
    const batches = connector.read!(table, options) as AsyncIterable<arrow.RecordBatch>;
    for await (const batch of batches) {
      for (const row of batch) rows.push(row!.toJSON());
    }
    return rows;
  } finally {
    await connector.close?.();
  }
}

Deno.test({
  name: "postgres: projection, filter and cursor are pushed into the SQL the server runs",
  ignore,
  async fn() {
    await using db = await testDatabase(`
      CREATE TABLE sales (id int PRIMARY KEY, region text, amount numeric(10,2), note text,
        updated_at timestamptz);
      INSERT INTO sales SELECT g, CASE WHEN g % 3 = 0 THEN 'eu' WHEN g % 3 = 1 THEN 'us' ELSE 'apac' END,
        g, repeat('x', 100), '2026-01-01'::timestamptz + g * interval '1 minute'
        FROM generate_series(1, 1000) g;
    `);
    const admin = await connect();
    await admin.query("SELECT pg_stat_statements_reset()");
    await admin.end();

    const rows = await readRows(db.env, "sales", {
      batchSize: 100,
      columns: ["id", "region"],
      filter: { amount: { ">=": 900, "<": "950.5" }, region: { in: ["eu", "us"] } },
    });
    const expected = await db.sql.query<{ id: string }>(
      `SELECT id::text FROM sales WHERE amount >= 900 AND amount < 950.5
       AND region IN ('eu', 'us') ORDER BY id`,
    );
    assert.deepEqual(rows.map((r) => String(r.id)), expected.map((r) => r.id));
    assert.deepEqual(Object.keys(rows[0]), ["id", "region"]);

    const cursorRows = await readRows(db.env, "sales", {
      batchSize: 100,
      incrementalKey: "updated_at",
      incrementalValue: "2026-01-01T16:30:00.000Z",
      filter: { note: { "!=": null } },
    });
    assert.equal(cursorRows.length, 10);

    const ran = await statements(db.name);
    const copies = ran.filter((s) => s.query.startsWith("COPY"));
    assert.ok(
      copies.some((s) =>
        s.query.includes(`SELECT "id", "region" FROM "public"."sales"`) &&
        s.query.includes(`"amount" >= '900' AND "amount" < '950.5'`) &&
        s.query.includes(`"region" IN ('eu', 'us')`)
      ),
      `projection and filter in the COPY: ${JSON.stringify(copies)}`,
    );
    assert.ok(
      copies.some((s) =>
        s.query.includes(`"note" IS NOT NULL AND "updated_at" > '2026-01-01T16:30:00.000Z'`)
      ),
      `cursor in the COPY: ${JSON.stringify(copies)}`,
    );
    // The server sent only the matching rows (pg_stat_statements counts a COPY's rows).
    const filtered = copies.find((s) => s.query.includes(`"region" IN ('eu', 'us')`))!;
    assert.equal(Number(filtered.rows), expected.length);
  },
});

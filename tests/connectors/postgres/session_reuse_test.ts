/**
 * The connector keeps the session of work that ended cleanly (discovery, a finished read, the
 * coordinator of a parallel read) for the next read instead of opening another connection, and
 * never lets a kept session the server ended fail a read.
 */
import assert from "node:assert/strict";
import type * as arrow from "apache-arrow";
import factory from "../../../connectors/postgres/connector.ts";
import { createConnectorContext } from "../../../runtime/connector/context.ts";
import { createLogger } from "../../../runtime/util/output.ts";
import { type TestDatabase, testDatabase, unavailable } from "./_server.ts";

const SETUP = `
  CREATE TABLE t (id int PRIMARY KEY, pad text);
  INSERT INTO t SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g;
`;

async function open(db: TestDatabase, config: Record<string, unknown> = {}) {
  const ctx = createConnectorContext({
    connector: "postgres",
    logger: createLogger("plain"),
    readEnv: (name) => db.env[name],
  });
  return await factory(ctx, config);
}

/** Process ids of dvt's backends on the test database. */
async function dvtBackends(db: TestDatabase): Promise<number[]> {
  const rows = await db.sql.query<{ pid: string }>(
    "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'dvt' ORDER BY pid",
    [db.name],
  );
  return rows.map((row) => Number(row.pid));
}

async function readIds(parts: AsyncIterable<arrow.RecordBatch>[]): Promise<Set<number>> {
  const ids = new Set<number>();
  for (const part of parts) {
    for await (const batch of part) for (const id of batch.getChild("id")!) ids.add(Number(id));
  }
  return ids;
}

Deno.test({
  name: "postgres: the table is read over the session discovery opened, not a new connection",
  ignore: unavailable !== undefined,
  async fn() {
    await using db = await testDatabase(SETUP);
    const connector = await open(db);
    try {
      await connector.discover!();
      const kept = await dvtBackends(db);
      assert.equal(kept.length, 1, "discovery's session stays open for the read");
      let during: number[] = [];
      const ids = new Set<number>();
      for await (
        const batch of connector.read!("t", { batchSize: 1000 }) as AsyncIterable<arrow.RecordBatch>
      ) {
        if (!during.length) during = await dvtBackends(db);
        for (const id of batch.getChild("id")!) ids.add(Number(id));
      }
      assert.deepEqual(during, kept, "the COPY ran on the kept backend");
      assert.equal(ids.size, 20000);
    } finally {
      await connector.close?.();
    }
    // close() ends the kept session too.
    for (let i = 0; i < 50 && (await dvtBackends(db)).length; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(await dvtBackends(db), []);
  },
});

Deno.test({
  name: "postgres: a kept session the server ended is replaced, the read does not fail",
  ignore: unavailable !== undefined,
  async fn() {
    await using db = await testDatabase(SETUP);
    const connector = await open(db, { parallel: 2 });
    try {
      await connector.discover!();
      const [kept] = await dvtBackends(db);
      await db.sql.query("SELECT pg_terminate_backend($1)", [kept]);
      const parts = await connector.readParts!("t", { batchSize: 1000 });
      assert.equal(parts.length, 2);
      const ids = await readIds(parts as AsyncIterable<arrow.RecordBatch>[]);
      assert.equal(ids.size, 20000);
      // And a second read still works over what was kept after the first.
      const again = await readIds([
        connector.read!("t", { batchSize: 5000 }) as AsyncIterable<arrow.RecordBatch>,
      ]);
      assert.equal(again.size, 20000);
    } finally {
      await connector.close?.();
    }
  },
});

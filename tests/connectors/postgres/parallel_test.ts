/**
 * readParts() in process: the parts of a parallel read see one snapshot, the one exported when
 * the table was split, even when the table changes before the readers start.
 */
import assert from "node:assert/strict";
import type * as arrow from "apache-arrow";
import factory from "../../../connectors/postgres/connector.ts";
import { createConnectorContext } from "../../../runtime/connector/context.ts";
import { createLogger } from "../../../runtime/util/output.ts";
import { testDatabase, unavailable } from "./_server.ts";

for (const readerThread of [false, true]) {
  Deno.test({
    name:
      `postgres: parallel parts read the snapshot of the split, not later changes (reader_thread: ${readerThread})`,
    ignore: unavailable !== undefined,
    fn: () => snapshotOfSplit(readerThread),
  });
}

async function snapshotOfSplit(readerThread: boolean) {
  await using db = await testDatabase(`
    CREATE TABLE t (id int PRIMARY KEY, pad text);
    INSERT INTO t SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g;
  `);
  const ctx = createConnectorContext({
    connector: "postgres",
    logger: createLogger("plain"),
    readEnv: (name) => db.env[name],
  });
  const connector = await factory(ctx, { parallel: 3, reader_thread: readerThread });
  try {
    const parts = await connector.readParts!("t", { batchSize: 1000 });
    assert.equal(parts.length, 3);
    // Rows changed after the split are not seen: every reader reads the exported snapshot.
    await db.sql.query("DELETE FROM t WHERE id <= 100; INSERT INTO t VALUES (30000, 'new')");
    let rows = 0;
    const ids = new Set<number>();
    for (const part of parts) {
      for await (const batch of part as AsyncIterable<arrow.RecordBatch>) {
        rows += batch.numRows;
        for (const id of batch.getChild("id")!) ids.add(Number(id));
      }
    }
    assert.equal(rows, 20000);
    assert.equal(ids.size, 20000);
    assert.ok(ids.has(1) && !ids.has(30000));
  } finally {
    await connector.close?.();
  }
}

/** Reads every part of a parallel read of `table`; the ids of each part, in part order. */
async function partIds(env: Record<string, string>, table: string, readers: number) {
  const ctx = createConnectorContext({
    connector: "postgres",
    logger: createLogger("plain"),
    readEnv: (name) => env[name],
  });
  const connector = await factory(ctx, { parallel: readers });
  try {
    const parts = await connector.readParts!(table, { batchSize: 1000 });
    const ids: number[][] = [];
    for (const part of parts) {
      const mine: number[] = [];
      for await (const batch of part as AsyncIterable<arrow.RecordBatch>) {
        for (const id of batch.getChild("id")!) mine.push(Number(id));
      }
      ids.push(mine);
    }
    return ids;
  } finally {
    await connector.close?.();
  }
}

Deno.test({
  name:
    "postgres: a table with an integer primary key is split into balanced key ranges, each read by a sequential scan",
  ignore: unavailable !== undefined,
  async fn() {
    // Rows stored in shuffled key order: page (ctid) ranges would interleave the keys.
    await using db = await testDatabase(`
      CREATE TABLE t (id bigint PRIMARY KEY, pad text);
      INSERT INTO t SELECT g, repeat('x', 200) FROM generate_series(1, 30000) g ORDER BY random();
      ANALYZE t;
    `);
    const stats = async () => {
      const [row] = await db.sql.query(
        `SELECT seq_scan AS seq, coalesce(idx_tup_fetch, 0) AS fetched
         FROM pg_stat_user_tables WHERE relname = 't'`,
      );
      return { seq: Number(row.seq), fetched: Number(row.fetched) };
    };
    const before = await stats();
    const parts = await partIds(db.env, "t", 3);
    assert.equal(parts.length, 3);
    assert.deepEqual(parts.map((ids) => ids.length), [10000, 10000, 10000], "balanced");
    const ranges = parts.map((ids) => [Math.min(...ids), Math.max(...ids)]);
    assert.deepEqual(ranges, [[1, 10000], [10001, 20000], [20001, 30000]]);
    // The server counts a scan in its statistics a moment after the reader's transaction ends.
    let after = await stats();
    for (let i = 0; i < 50 && after.seq - before.seq < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await stats();
    }
    assert.equal(after.seq - before.seq, 3, "one sequential scan per range");
    assert.ok(after.fetched - before.fetched < 100, "rows not fetched through the index");
  },
});

Deno.test({
  name: "postgres: a table without an integer primary key is still split, by pages, with every row",
  ignore: unavailable !== undefined,
  async fn() {
    await using db = await testDatabase(`
      CREATE TABLE t (code text PRIMARY KEY, id int, pad text);
      INSERT INTO t SELECT 'k' || g, g, repeat('x', 200) FROM generate_series(1, 20000) g;
    `);
    const parts = await partIds(db.env, "t", 3);
    assert.equal(parts.length, 3);
    const all = parts.flat().sort((a, b) => a - b);
    assert.equal(all.length, 20000);
    assert.equal(new Set(all).size, 20000);
  },
});

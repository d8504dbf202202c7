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

/**
 * The reader thread (connectors/postgres/reader_thread.ts): COPY reads run and decoded in a
 * worker return exactly the rows of one reader on the main thread, over TLS and without it, with
 * back-pressure (small batches); an abandoned read closes its connection; a thread stopped
 * mid-read fails its reads instead of ending them short; and through `dvt extract`, a range that
 * fails mid-read fails the table and keeps its previous data.
 */
import assert from "node:assert/strict";
import type * as arrow from "apache-arrow";
import factory from "../../../connectors/postgres/connector.ts";
import type { BatchSource } from "../../../mod.ts";
import { createConnectorContext } from "../../../runtime/connector/context.ts";
import { createLogger } from "../../../runtime/util/output.ts";
import { queryDuckDB, runCli, tempDir } from "../../_helpers.ts";
import { connect, testDatabase, unavailable } from "./_server.ts";

const ignore = unavailable !== undefined;

const MIXED = `
  CREATE TABLE mixed (id bigint PRIMARY KEY, amount numeric(12,2), big numeric, note text,
    at timestamptz, day date, flag boolean, tags text[], nums int[], blob bytea, doc jsonb,
    uid uuid, span interval);
  INSERT INTO mixed SELECT g,
    CASE WHEN g % 11 = 0 THEN NULL ELSE (g * 1.25) % 100000 END,
    g * 12345.6789012345,
    CASE WHEN g % 7 = 0 THEN NULL ELSE repeat('n', g % 40) || g END,
    '2026-01-01 00:00:00+00'::timestamptz + g * interval '1 second 17 microseconds',
    date '2020-01-01' + (g % 3000),
    CASE WHEN g % 5 = 0 THEN NULL ELSE g % 2 = 0 END,
    CASE WHEN g % 9 = 0 THEN NULL ELSE ARRAY['a' || g, NULL, 'b'] END,
    ARRAY[g, g + 1],
    decode(lpad(to_hex(g), 8, '0'), 'hex'),
    jsonb_build_object('g', g),
    md5(g::text)::uuid,
    make_interval(days => g % 30, secs => g % 60)
  FROM generate_series(1, 20000) g;
`;

function open(env: Record<string, string>, config: Record<string, unknown>) {
  const ctx = createConnectorContext({
    connector: "postgres",
    logger: createLogger("plain"),
    readEnv: (name) => env[name],
  });
  return factory(ctx, config);
}

/** Every row of `sources` as JSON text (bigints as strings), sorted. */
async function rowsOf(sources: BatchSource[]): Promise<string[]> {
  const rows: string[] = [];
  await Promise.all(sources.map(async (source) => {
    for await (const batch of source as AsyncIterable<arrow.RecordBatch>) {
      for (const row of batch) {
        rows.push(JSON.stringify(row!.toJSON(), (_, v) => {
          if (typeof v === "bigint") return `${v}n`;
          if (v instanceof Uint8Array) return [...v];
          if (v && typeof v === "object" && typeof v.toArray === "function") return v.toArray();
          return v;
        }));
      }
    }
  }));
  return rows.sort();
}

Deno.test({
  name:
    "postgres: ranges decoded in the reader thread hold the single reader's rows, with and without TLS",
  ignore,
  async fn() {
    await using db = await testDatabase(MIXED);
    for (const sslmode of ["prefer", "disable"]) {
      const env = { ...db.env, PGSSLMODE: sslmode };
      const single = await open(env, { parallel: 1 });
      const threaded = await open(env, { parallel: 3, reader_thread: true });
      const inProcess = await open(env, { parallel: 3, reader_thread: false });
      const wholeInThread = await open(env, { reader_thread: true });
      try {
        const one = await rowsOf(await single.readParts!("mixed", { batchSize: 1000 }));
        assert.equal(one.length, 20000);
        // Batches of 100 rows: each range waits on the main thread's acknowledgements.
        const parts = await threaded.readParts!("mixed", { batchSize: 100 });
        assert.equal(parts.length, 3);
        assert.deepEqual(await rowsOf(parts), one, `threaded ranges, sslmode ${sslmode}`);
        const local = await inProcess.readParts!("mixed", { batchSize: 1000 });
        assert.equal(local.length, 3);
        assert.deepEqual(await rowsOf(local), one, `ranges on the main thread, ${sslmode}`);
        const whole = wholeInThread.read!("mixed", { batchSize: 777 });
        assert.deepEqual(await rowsOf([whole]), one, `one read in the thread, ${sslmode}`);
        const projected = threaded.readParts!("mixed", {
          batchSize: 500,
          columns: ["id", "tags"],
          incrementalKey: "id",
          incrementalValue: 19990,
        });
        const ids = (await rowsOf(await projected)).map((row) => JSON.parse(row).id);
        assert.deepEqual(ids.sort(), Array.from({ length: 10 }, (_, i) => `${19991 + i}n`).sort());
      } finally {
        await Promise.all([single, threaded, inProcess, wholeInThread].map((c) => c.close?.()));
      }
    }
  },
});

/** dvt's connections to `database` that the server still has, after a grace period. */
/** dvt's connections to `database`, once at most `left` remain (or after 10 s). */
async function dvtConnections(database: string, left = 0): Promise<number> {
  const admin = await connect();
  try {
    const deadline = Date.now() + 10_000;
    while (true) {
      const [{ n }] = await admin.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM pg_stat_activity
         WHERE datname = $1 AND application_name = 'dvt'`,
        [database],
      );
      if (Number(n) <= left || Date.now() > deadline) return Number(n);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await admin.end();
  }
}

Deno.test({
  name: "postgres: a read abandoned midway in the reader thread closes its connection",
  ignore,
  async fn() {
    await using db = await testDatabase(MIXED);
    const connector = await open(db.env, { reader_thread: true });
    try {
      let batches = 0;
      for await (const _ of connector.read!("mixed", { batchSize: 100 })) {
        if (++batches === 2) break;
      }
      assert.equal(batches, 2);
      // Only the session discovery opened on the main thread stays, kept for the next read
      // (connector.ts); the thread's connection is closed.
      assert.equal(await dvtConnections(db.name, 1), 1);
    } finally {
      await connector.close?.();
    }
  },
});

Deno.test({
  name: "postgres: a reader thread stopped mid-read fails every range it read, none ends short",
  ignore,
  async fn() {
    await using db = await testDatabase(MIXED);
    const connector = await open(db.env, { parallel: 2, reader_thread: true });
    const parts = await connector.readParts!("mixed", { batchSize: 100 });
    assert.equal(parts.length, 2);
    const iterators = parts.map((part) =>
      (part as AsyncIterable<arrow.RecordBatch>)[Symbol.asyncIterator]()
    );
    const first = await Promise.all(iterators.map((it) => it.next()));
    assert.ok(first.every((next) => !next.done && next.value.numRows === 100));
    await connector.close?.(); // stops the thread with both reads running
    for (const iterator of iterators) {
      await assert.rejects(
        async () => {
          while (!(await iterator.next()).done) { /* drain what was already sent */ }
        },
        /table "mixed": the reader thread was stopped/,
      );
    }
    assert.equal(await dvtConnections(db.name), 0);
  },
});

Deno.test({
  name:
    "postgres: a parallel range failing mid-read in the reader thread fails the table, keeps its data; others land",
  ignore,
  async fn() {
    await using db = await testDatabase(`
      CREATE TABLE big (id int PRIMARY KEY, v numeric, pad text);
      INSERT INTO big SELECT g, g / 4.0, repeat('x', 100) FROM generate_series(1, 30000) g;
      CREATE TABLE small (id int); INSERT INTO small VALUES (1);
    `);
    await using out = await tempDir();
    const extract = () =>
      runCli(
        [
          "extract",
          "--connector",
          "postgres",
          "--set",
          "parallel=3",
          "--set",
          "reader_thread=true",
          "--out",
          out.path,
        ],
        { env: db.env },
      );
    const first = await extract();
    assert.equal(first.code, 0, first.stderr);
    const data = [...Deno.readDirSync(`${out.path}/data`)].filter((f) => f.name.includes("-p"));
    assert.equal(data.length, 3, "big was read as three ranges");
    // A value with more decimals than the column holds, in the last range only.
    await db.sql.query(`UPDATE big SET v = 1.00000000001 WHERE id = 29990;
      INSERT INTO small VALUES (2)`);
    const second = await extract();
    assert.equal(second.code, 1, second.stderr);
    assert.match(second.stderr, /table "big": column "v"/);
    const database = `${out.path}/extract.duckdb`;
    assert.deepEqual(
      await queryDuckDB(database, "SELECT count(*)::INT AS n, sum(v)::DOUBLE AS s FROM big"),
      [{ n: 30000, s: 112503750 }],
    );
    assert.deepEqual(await queryDuckDB(database, "SELECT count(*)::INT AS n FROM small"), [
      { n: 2 },
    ]);
  },
});

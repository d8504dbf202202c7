/**
 * The mysql connector's reads against MariaDB: pushdown checked in the server's general log,
 * parallel range reads equal to one reader, and failures (server down, wrong password, table
 * dropped after discovery, connection killed mid-read).
 */
import assert from "node:assert/strict";
import factory from "../../../connectors/mysql/connector.ts";
import { createConnectorContext } from "../../../runtime/connector/context.ts";
import { ConnectorError } from "../../../runtime/errors.ts";
import type { Connector, ReadOptions } from "../../../runtime/protocol.ts";
import { queryDuckDB, runCli, tempDir } from "../../_helpers.ts";
import { adminConnection, freshDatabase, SERVER_ENV, SKIP_REASON, sql } from "./_mariadb.ts";

const ignore = SKIP_REASON !== undefined;
const DB = "dvt_reads";

async function open(config: Record<string, unknown>, env = SERVER_ENV): Promise<Connector> {
  const quiet = () => {};
  const ctx = createConnectorContext({
    connector: "mysql",
    logger: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    readEnv: (name) => env[name],
  });
  return await factory(ctx, config);
}

async function readAll(connector: Connector, table: string, options: Partial<ReadOptions> = {}) {
  const rows: Record<string, unknown>[] = [];
  for await (const batch of connector.read!(table, { batchSize: 1000, ...options })) {
    for (const row of batch) rows.push(row!.toJSON());
  }
  return rows;
}

async function setup() {
  await freshDatabase(
    DB,
    `CREATE TABLE items (id BIGINT PRIMARY KEY, grp VARCHAR(10), price DECIMAL(10,2), note TEXT);
     INSERT INTO items SELECT seq, CONCAT('g', seq % 7), seq / 100, REPEAT('x', seq % 50)
       FROM seq_1_to_20000;`,
  );
}

Deno.test({
  name: "mysql: projection and filters run in the server (general log), only matching rows travel",
  ignore,
  async fn() {
    await setup();
    const admin = await adminConnection();
    try {
      await admin.query("TRUNCATE mysql.general_log; SET GLOBAL general_log = 1");
      const connector = await open({ database: DB });
      const rows = await readAll(connector, "items", {
        columns: ["id", "grp"],
        filter: { grp: { in: ["g1", "g2"] }, id: { "<=": 100 }, price: { ">": 0.5 } },
      });
      await connector.close?.();
      await admin.query("SET GLOBAL general_log = 0");
      const expected = await sql(
        DB,
        "SELECT id FROM items WHERE grp IN ('g1','g2') AND id <= 100 AND price > 0.5 ORDER BY id",
      );
      assert.deepEqual(rows.map((r) => String(r.id)), expected.map((r) => String(r[0])));
      assert.deepEqual(Object.keys(rows[0]), ["id", "grp"]);
      const [log] = await admin.query(
        `SELECT CONVERT(argument USING utf8mb4) AS q FROM mysql.general_log
         WHERE command_type IN ('Query', 'Execute') AND argument LIKE '%FROM \`${DB}\`.\`items\`%'`,
      );
      const queries = (log as { q: string }[]).map((r) => r.q);
      assert.equal(queries.length, 1, queries.join("\n"));
      assert.match(queries[0], /^SELECT `id`, `grp` FROM `dvt_reads`\.`items` WHERE /);
      assert.match(queries[0], /`grp` IN \(_utf8mb4 X'6731', _utf8mb4 X'6732'\)/);
      assert.match(queries[0], /`id` <= 100/);
      assert.match(queries[0], /`price` > 0\.5/);
    } finally {
      await admin.query("SET GLOBAL general_log = 0");
      await admin.end();
    }
  },
});

async function readParts(connector: Connector, table: string, options: Partial<ReadOptions> = {}) {
  const sources = await connector.readParts!(table, { batchSize: 1000, ...options });
  const rows: Record<string, unknown>[] = [];
  await Promise.all(sources.map(async (source) => {
    for await (const batch of source) for (const row of batch) rows.push(row!.toJSON());
  }));
  return { parts: sources.length, rows };
}

Deno.test({
  name: "mysql: parallel range reads return the same rows as one reader",
  ignore,
  async fn() {
    await setup();
    const single = await open({ database: DB, parallel: 1 });
    const parallel = await open({ database: DB, parallel: 3 });
    const threaded = await open({ database: DB, parallel: 3, reader_thread: true });
    const key = (r: Record<string, unknown>) => `${r.id}|${r.grp}|${r.price}|${r.note}`;
    const one = (await readAll(single, "items")).map(key).sort();
    assert.equal((await readParts(single, "items")).parts, 1);
    const three = await readParts(parallel, "items");
    assert.equal(three.parts, 3);
    assert.equal(one.length, 20000);
    assert.deepEqual(three.rows.map(key).sort(), one);
    // The three ranges decoded in one reader thread, with small batches (back-pressure).
    const inThread = await readParts(threaded, "items", { batchSize: 100 });
    assert.equal(inThread.parts, 3);
    assert.deepEqual(inThread.rows.map(key).sort(), one);
    const filtered = await readParts(parallel, "items", {
      incrementalKey: "id",
      incrementalValue: 19990,
    });
    assert.deepEqual(filtered.rows.map((r) => Number(r.id)).sort((a, b) => a - b), [
      19991,
      19992,
      19993,
      19994,
      19995,
      19996,
      19997,
      19998,
      19999,
      20000,
    ]);
  },
});

Deno.test({
  name: "mysql: a read abandoned midway in the reader thread closes its connection",
  ignore,
  async fn() {
    await setup();
    const connector = await open({ database: DB, reader_thread: true });
    const admin = await adminConnection();
    try {
      let batches = 0;
      for await (const _ of connector.read!("items", { batchSize: 100 })) {
        if (++batches === 2) break;
      }
      // The thread is stopped and the server sees no reading connection left.
      const deadline = Date.now() + 10_000;
      let readers = 1;
      while (readers > 0 && Date.now() < deadline) {
        const [rows] = await admin.query(
          `SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '${DB}' AND ID <> CONNECTION_ID()`,
        );
        readers = (rows as unknown[]).length;
        if (readers) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(readers, 0);
      assert.equal(batches, 2);
    } finally {
      await admin.end();
    }
  },
});

Deno.test({
  name: "mysql: dvt extract with parallel=3 publishes three parts holding the single reader's rows",
  ignore,
  async fn() {
    await setup();
    await using dir = await tempDir();
    const extract = (out: string, parallel: number) =>
      runCli([
        "extract",
        "--connector",
        "mysql",
        "--set",
        `database=${DB}`,
        "--set",
        `parallel=${parallel}`,
        "--out",
        `${dir.path}/${out}`,
      ], { env: SERVER_ENV });
    assert.equal((await extract("one", 1)).code, 0);
    const result = await extract("three", 3);
    assert.equal(result.code, 0, result.stderr);
    const parts = [...Deno.readDirSync(`${dir.path}/three/data`)].filter((e) =>
      e.name.startsWith("items.")
    );
    assert.equal(parts.length, 3);
    const digest =
      "SELECT count(*)::INT AS n, sum(hash(id, grp, price, note))::VARCHAR AS h FROM items";
    assert.deepEqual(
      await queryDuckDB(`${dir.path}/three/extract.duckdb`, digest),
      await queryDuckDB(`${dir.path}/one/extract.duckdb`, digest),
    );
  },
});

Deno.test({
  name: "mysql: server down is a clear failure naming host and port",
  ignore,
  async fn() {
    await using dir = await tempDir();
    const result = await runCli(
      [
        "extract",
        "--connector",
        "mysql",
        "--set",
        "database=x",
        "--set",
        "port=1",
        "--out",
        dir.path,
      ],
      { env: SERVER_ENV },
    );
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /cannot connect to MySQL at dvt@127\.0\.0\.1:1\/x: connection refused/,
    );
    assert.match(result.stderr, /hint: start the server, or fix host and port/);
  },
});

Deno.test({
  name: "mysql: a wrong password is bad configuration (exit 2) and the message never shows it",
  ignore,
  async fn() {
    await setup();
    await using dir = await tempDir();
    const password = "Wr0ng-Secret-Pa55";
    const result = await runCli(
      ["extract", "--connector", "mysql", "--set", `database=${DB}`, "--out", dir.path],
      { env: { ...SERVER_ENV, MYSQL_PWD: password } },
    );
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /authentication failed for dvt@127\.0\.0\.1:\d+\/dvt_reads/);
    assert.match(result.stderr, /MYSQL_PWD/);
    assert.ok(!result.stderr.includes(password) && !result.stdout.includes(password));
    const unknown = await runCli(
      ["extract", "--connector", "mysql", "--set", "database=no_such_db", "--out", dir.path],
      { env: SERVER_ENV },
    );
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown database "no_such_db"/);
  },
});

Deno.test({
  name: "mysql: permission denied on a table fails that table with the GRANT to add",
  ignore,
  async fn() {
    await setup();
    const admin = await adminConnection();
    try {
      await admin.query(
        `DROP USER IF EXISTS 'dvt_limited'@'127.0.0.1';
         CREATE USER 'dvt_limited'@'127.0.0.1' IDENTIFIED BY 'limited-pw';
         GRANT SELECT ON ${DB}.items TO 'dvt_limited'@'127.0.0.1';
         CREATE TABLE ${DB}.other (x INT);
         GRANT SELECT ON ${DB}.other TO 'dvt_limited'@'127.0.0.1';`,
      );
      const connector = await open({ database: DB }, {
        ...SERVER_ENV,
        MYSQL_USER: "dvt_limited",
        MYSQL_PWD: "limited-pw",
      });
      assert.ok((await connector.discover!()).some((t) => t.name === "items"));
      await admin.query(`REVOKE SELECT ON ${DB}.items FROM 'dvt_limited'@'127.0.0.1'`);
      await assert.rejects(() => readAll(connector, "items"), (error: Error) => {
        assert.ok(error instanceof ConnectorError, String(error));
        assert.match(error.message, /permission denied/);
        assert.match(error.message, /GRANT SELECT/);
        return true;
      });
    } finally {
      await admin.query("DROP USER IF EXISTS 'dvt_limited'@'127.0.0.1'");
      await admin.end();
    }
  },
});

Deno.test({
  name: "mysql: a table dropped between discover and read fails that table",
  ignore,
  async fn() {
    await setup();
    const connector = await open({ database: DB });
    assert.ok((await connector.discover!()).some((t) => t.name === "items"));
    await sql(DB, "DROP TABLE items");
    await assert.rejects(() => readAll(connector, "items"), (error: Error) => {
      assert.ok(error instanceof ConnectorError);
      assert.match(error.message, /table "items": the table no longer exists/);
      return true;
    });
  },
});

for (const readerThread of [false, true]) {
  Deno.test({
    name:
      `mysql: a connection killed mid-read fails that table, keeps its previous data, others land (reader_thread: ${readerThread})`,
    ignore,
    fn: () => killedMidRead(readerThread),
  });
}

async function killedMidRead(readerThread: boolean) {
  const db = "dvt_kill";
  await freshDatabase(
    db,
    `CREATE TABLE big (id BIGINT PRIMARY KEY, payload TEXT);
       INSERT INTO big SELECT seq, REPEAT('p', 300) FROM seq_1_to_300000;
       CREATE TABLE small (id INT PRIMARY KEY); INSERT INTO small VALUES (1);`,
  );
  await using dir = await tempDir();
  const args = ["extract", "--connector", "mysql", "--set", `database=${db}`, "--out", dir.path];
  const first = await runCli(args, { env: SERVER_ENV });
  assert.equal(first.code, 0, first.stderr);
  // If the second read of big landed, it would have fewer rows than the first.
  await sql(db, "INSERT INTO small VALUES (2); DELETE FROM big WHERE id <= 10");

  const admin = await adminConnection();
  let killed = false;
  const killer = (async () => {
    const deadline = Date.now() + 60_000;
    while (!killed && Date.now() < deadline) {
      const [rows] = await admin.query(
        `SELECT ID FROM information_schema.PROCESSLIST
           WHERE INFO LIKE 'SELECT \`id\`, \`payload\` FROM \`${db}\`.\`big\`%'`,
      );
      const list = rows as { ID: number }[];
      if (list.length) {
        await admin.query(`KILL CONNECTION ${list[0].ID}`);
        killed = true;
      } else await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  const second = await runCli(
    [...args, "--threads", "1", "--set", `reader_thread=${readerThread}`],
    { env: SERVER_ENV },
  );
  killed = true;
  await killer;
  await admin.end();
  assert.equal(second.code, 1, second.stderr + second.stdout);
  assert.match(
    second.stdout + second.stderr,
    /big.*(connection .* was lost mid-read|Connection was killed|killed)/s,
  );
  const database = `${dir.path}/extract.duckdb`;
  assert.deepEqual(await queryDuckDB(database, "SELECT count(*)::INT AS n FROM big"), [
    { n: 300000 },
  ]);
  assert.deepEqual(await queryDuckDB(database, "SELECT count(*)::INT AS n FROM small"), [
    { n: 2 },
  ]);
}

/**
 * How the postgres connector fails, through `dvt extract` (child processes): each error says
 * what to fix, exits 2 for bad configuration and 1 for a failed table, never shows the
 * password, and a table that fails mid-read keeps its previous data while the others land.
 */
import assert from "node:assert/strict";
import { queryDuckDB, runCli, tempDir } from "../../_helpers.ts";
import { connect, SERVER, testDatabase, unavailable } from "./_server.ts";

const ignore = unavailable !== undefined;

function extract(out: string, env: Record<string, string>, ...args: string[]) {
  return runCli(["extract", "--connector", "postgres", "--out", out, ...args], { env });
}

/** Polls until `check` returns a value (or fails after `seconds`). */
async function waitFor<T>(check: () => Promise<T | undefined>, seconds = 30): Promise<T> {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("timed out waiting for the server state");
}

/** The pid of dvt's COPY of `table` once it is running in `database`. */
function copyBackend(database: string, table: string) {
  return waitFor(async () => {
    const admin = await connect();
    try {
      const rows = await admin.query<{ pid: string }>(
        `SELECT pid::text AS pid FROM pg_stat_activity
         WHERE datname = $1 AND application_name = 'dvt' AND query LIKE $2`,
        [database, `COPY (SELECT % FROM "public"."${table}"%`],
      );
      return rows[0]?.pid;
    } finally {
      await admin.end();
    }
  });
}

Deno.test({
  name: "postgres: a server that is down is named with host and port (exit 1)",
  ignore,
  async fn() {
    await using db = await testDatabase();
    await using out = await tempDir();
    const result = await extract(out.path, { ...db.env, PGPORT: "1" });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /cannot reach PostgreSQL at 127\.0\.0\.1:1 \(ECONNREFUSED\)/);
    assert.match(result.stderr, /hint: check that the server is running/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  },
});

Deno.test({
  name: "postgres: a wrong password fails with exit 2 and is never printed",
  ignore,
  async fn() {
    await using db = await testDatabase();
    await using out = await tempDir();
    const password = "Wrong-Secret-7f3a";
    for (const json of [false, true]) {
      const result = await extract(
        out.path,
        { ...db.env, PGPASSWORD: password },
        ...(json ? ["--json"] : []),
      );
      assert.equal(result.code, 2, result.stderr);
      const output = result.stdout + result.stderr;
      assert.match(output, new RegExp(`authentication failed for user \\\\?"${SERVER.user}`));
      assert.ok(!output.includes(password), "the password must not appear");
      if (json) JSON.parse(result.stdout);
    }
  },
});

Deno.test({
  name: "postgres: unknown database, unknown schema and unknown table are bad configuration",
  ignore,
  async fn() {
    await using db = await testDatabase("CREATE TABLE t (id int)");
    await using out = await tempDir();
    const noDatabase = await extract(out.path, { ...db.env, PGDATABASE: "no_such_db" });
    assert.equal(noDatabase.code, 2);
    assert.match(noDatabase.stderr, /database "no_such_db" does not exist/);
    const noSchema = await extract(out.path, db.env, "--set", "schemas=public,nope");
    assert.equal(noSchema.code, 2);
    assert.match(noSchema.stderr, /schema "nope" does not exist/);
    assert.match(noSchema.stderr, /public/);
    const noTable = await extract(out.path, db.env, "--tables", "missing");
    assert.equal(noTable.code, 2);
    assert.match(noTable.stderr, /missing/);
  },
});

Deno.test({
  name: "postgres: permission denied fails that table with a GRANT hint; granted tables land",
  ignore,
  async fn() {
    await using db = await testDatabase(`
      CREATE TABLE secret (id int); INSERT INTO secret VALUES (1);
      CREATE TABLE open_data (id int); INSERT INTO open_data VALUES (1), (2);
    `);
    const role = `${db.name}_reader`;
    await db.sql.query(`
      CREATE ROLE ${role} LOGIN PASSWORD 'reader-pw';
      GRANT SELECT ON open_data TO ${role};
    `);
    await using out = await tempDir();
    try {
      const result = await extract(out.path, {
        ...db.env,
        PGUSER: role,
        PGPASSWORD: "reader-pw",
      });
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /secret.*permission denied/);
      assert.match(result.stderr, /GRANT SELECT/);
      const landed = await queryDuckDB(
        `${out.path}/extract.duckdb`,
        "SELECT count(*)::INT AS n FROM open_data",
      );
      assert.deepEqual(landed, [{ n: 2 }]);
    } finally {
      await db.sql.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
    }
  },
});

Deno.test({
  name: "postgres: a table dropped between discover and read fails alone (exit 1)",
  ignore,
  async fn() {
    await using db = await testDatabase(`
      CREATE VIEW a_slow AS SELECT 1 AS x FROM pg_sleep(2);
      CREATE TABLE b_doomed (id int); INSERT INTO b_doomed VALUES (1);
      CREATE TABLE c_fine (id int); INSERT INTO c_fine VALUES (1);
    `);
    await using out = await tempDir();
    // One table at a time, in name order: b_doomed is read after a_slow's two seconds.
    const running = extract(out.path, db.env, "--threads", "1");
    await copyBackend(db.name, "a_slow");
    await db.sql.query("DROP TABLE b_doomed");
    const result = await running;
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /b_doomed.*does not exist.*dropped or renamed since discovery/);
    const landed = await queryDuckDB(
      `${out.path}/extract.duckdb`,
      "SELECT (SELECT count(*) FROM c_fine)::INT AS c, (SELECT count(*) FROM a_slow)::INT AS a",
    );
    assert.deepEqual(landed, [{ c: 1, a: 1 }]);
  },
});

for (const readerThread of [false, true]) {
  Deno.test({
    name:
      `postgres: a connection killed mid-read keeps the table's previous data; others land (reader_thread: ${readerThread})`,
    ignore,
    fn: () => killedMidRead(readerThread),
  });
}

async function killedMidRead(readerThread: boolean) {
  // Rows before 5000 stream out at once; row 5000 waits a second: the kill lands mid-read.
  await using db = await testDatabase(`
    CREATE VIEW big AS
      SELECT g AS id, CASE WHEN g = 5000 THEN (SELECT 1 FROM pg_sleep(1)) END AS pause
      FROM generate_series(1, 10000) g;
    CREATE TABLE small (id int); INSERT INTO small VALUES (1);
  `);
  await using out = await tempDir();
  const thread = ["--set", `reader_thread=${readerThread}`];
  const first = await extract(out.path, db.env, ...thread);
  assert.equal(first.code, 0, first.stderr);
  await db.sql.query("INSERT INTO small VALUES (2)");

  const running = extract(out.path, db.env, ...thread);
  const pid = await copyBackend(db.name, "big");
  await new Promise((resolve) => setTimeout(resolve, 300));
  await db.sql.query(`SELECT pg_terminate_backend(${pid})`);
  const result = await running;
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /big.*(connection .* was lost|terminat)/i);
  const database = `${out.path}/extract.duckdb`;
  assert.deepEqual(await queryDuckDB(database, "SELECT count(*)::INT AS n FROM big"), [
    { n: 10000 },
  ]);
  assert.deepEqual(await queryDuckDB(database, "SELECT count(*)::INT AS n FROM small"), [
    { n: 2 },
  ]);
}

Deno.test({
  name: "postgres: a server that requires TLS says to set sslmode (exit 2); sslmode=require works",
  ignore,
  async fn() {
    // tests/servers/postgres.sh lets the role dvt_tls_only connect over TLS only.
    await using db = await testDatabase("CREATE TABLE t (id int); INSERT INTO t VALUES (1);");
    const admin = await connect();
    await admin.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dvt_tls_only') THEN
        CREATE ROLE dvt_tls_only LOGIN PASSWORD 'tls-pw';
      END IF; END $$`);
    await db.sql.query("GRANT SELECT ON t TO dvt_tls_only");
    await using out = await tempDir();
    try {
      const env = { ...db.env, PGUSER: "dvt_tls_only", PGPASSWORD: "tls-pw" };
      const plain = await extract(out.path, { ...env, PGSSLMODE: "disable" });
      assert.equal(plain.code, 2, plain.stderr);
      assert.match(plain.stderr, /requires TLS/);
      assert.match(plain.stderr, /sslmode: require/);
      const secure = await extract(out.path, { ...env, PGSSLMODE: "require" });
      assert.equal(secure.code, 0, secure.stderr);
      const threaded = await extract(
        out.path,
        { ...env, PGSSLMODE: "require" },
        "--set",
        "reader_thread=true",
      );
      assert.equal(threaded.code, 0, threaded.stderr);
      const landed = await queryDuckDB(
        `${out.path}/extract.duckdb`,
        "SELECT count(*)::INT AS n FROM t",
      );
      assert.deepEqual(landed, [{ n: 1 }]);
    } finally {
      await db.sql.query("REVOKE ALL ON t FROM dvt_tls_only");
      await admin.end();
    }
  },
});

/**
 * The postgres connector through `dvt extract` (child processes) on the real server:
 * incremental runs, empty, wide and oddly named tables, a view, parallel range reads, and
 * `dvt connector test`.
 */
import assert from "node:assert/strict";
import { queryDuckDB, runCli, tempDir } from "../../_helpers.ts";
import { testDatabase, unavailable } from "./_server.ts";

const ignore = unavailable !== undefined;

async function writeProject(dir: string, source: string): Promise<void> {
  await Deno.writeTextFile(`${dir}/dvt.yaml`, `sources:\n  shop:\n${source}`);
}

Deno.test({
  name: "postgres: incremental on updated_at and a serial id across three runs",
  ignore,
  async fn() {
    await using db = await testDatabase(`
      CREATE TABLE orders (id int PRIMARY KEY, status text, updated_at timestamptz NOT NULL);
      INSERT INTO orders VALUES (1, 'new', '2026-01-01 00:00:00+00'), (2, 'new', '2026-01-02 00:00:00+00');
      CREATE TABLE audit (id bigserial PRIMARY KEY, msg text);
      INSERT INTO audit (msg) VALUES ('a'), ('b');
    `);
    await using dir = await tempDir();
    await writeProject(
      dir.path,
      `    connector: postgres
    incremental: { orders: updated_at, audit: id }
    disposition: { orders: merge }
    out: out
`,
    );
    const run = async () => {
      const result = await runCli(["extract", "shop", "--json"], { cwd: dir.path, env: db.env });
      assert.equal(result.code, 0, result.stderr + result.stdout);
      return JSON.parse(result.stdout);
    };
    const rows = (query: string) => queryDuckDB(`${dir.path}/out/extract.duckdb`, query);
    await run();
    assert.deepEqual(await rows("SELECT count(*)::INT AS n FROM orders"), [{ n: 2 }]);
    await db.sql.query(`
      UPDATE orders SET status = 'paid', updated_at = '2026-01-03 00:00:00.000001+00' WHERE id = 1;
      INSERT INTO orders VALUES (3, 'new', '2026-01-03 01:00:00.5+01');
      INSERT INTO audit (msg) VALUES ('c');
    `);
    const second = await run();
    assert.equal(second.totalRows, 3, "only the changed and new rows are read");
    assert.deepEqual(await rows("SELECT id, status FROM orders ORDER BY id"), [
      { id: 1, status: "paid" },
      { id: 2, status: "new" },
      { id: 3, status: "new" },
    ]);
    assert.deepEqual(await rows("SELECT msg FROM audit ORDER BY id"), [
      { msg: "a" },
      { msg: "b" },
      { msg: "c" },
    ]);
    await db.sql.query(`
      UPDATE orders SET status = 'void', updated_at = '2026-01-03 00:00:00.6+00' WHERE id = 2;
      INSERT INTO audit (msg) VALUES ('d'), ('e');
    `);
    const third = await run();
    assert.equal(third.totalRows, 3);
    assert.deepEqual(await rows("SELECT id, status FROM orders ORDER BY id"), [
      { id: 1, status: "paid" },
      { id: 2, status: "void" },
      { id: 3, status: "new" },
    ]);
    assert.deepEqual(await rows("SELECT count(*)::INT AS n FROM audit"), [{ n: 5 }]);
    // The cursor kept is the highest value written, at microsecond precision.
    const status = await runCli(["status", "shop", "--json"], { cwd: dir.path, env: db.env });
    assert.match(status.stdout, /"cursorValue": "2026-01-03T00:00:00\.6(00)?Z"/);
  },
});

Deno.test({
  name:
    "postgres: empty, 300-column and oddly named tables, a view, keys, cursors, comments, REMOTE",
  ignore,
  async fn() {
    const wide = Array.from({ length: 300 }, (_, i) => `c${i} int`).join(", ");
    const wideValues = Array.from({ length: 300 }, (_, i) => i).join(", ");
    await using db = await testDatabase(`
      CREATE TABLE empty_one (id int PRIMARY KEY, note text);
      CREATE TABLE wide (${wide});
      INSERT INTO wide VALUES (${wideValues});
      CREATE TABLE "Odd Name.with ""quotes"" ü" ("Mixed Case" int PRIMARY KEY, "dot.col" text,
        "ünï ""q""" text, updated_at timestamp);
      INSERT INTO "Odd Name.with ""quotes"" ü" VALUES (1, 'a', 'b', '2026-01-01');
      COMMENT ON TABLE "Odd Name.with ""quotes"" ü" IS 'odd table';
      CREATE VIEW recent AS SELECT "Mixed Case" AS id, "dot.col" FROM "Odd Name.with ""quotes"" ü";
      COMMENT ON VIEW recent IS 'a view';
    `);
    await using out = await tempDir();
    const discover = await runCli(["connector", "discover", "postgres", "--json"], {
      env: db.env,
    });
    assert.equal(discover.code, 0, discover.stderr);
    const tables = JSON.parse(discover.stdout).tables as {
      name: string;
      primaryKey?: string[];
      cursorField?: string;
      description?: string;
    }[];
    const odd = tables.find((t) => t.name === 'Odd Name.with "quotes" ü')!;
    assert.deepEqual(odd.primaryKey, ["Mixed Case"]);
    assert.equal(odd.cursorField, "updated_at");
    assert.equal(odd.description, "odd table");
    assert.equal(tables.find((t) => t.name === "recent")?.description, "a view");

    const result = await runCli(["extract", "--connector", "postgres", "--out", out.path], {
      env: db.env,
    });
    assert.equal(result.code, 0, result.stderr);
    const database = `${out.path}/extract.duckdb`;
    const meta = await queryDuckDB(
      database,
      "SELECT table_name, rows::INT AS rows FROM _meta ORDER BY table_name",
    );
    const byName = new Map(meta.map((m) => [m.table_name, m.rows]));
    assert.equal(byName.get("empty_one"), 0);
    assert.equal(byName.get("wide"), 1);
    assert.equal(byName.get("recent"), 1);
    const remote = await queryDuckDB(
      database,
      "SELECT alias, extension, url, token_env FROM _remote_attach",
    );
    assert.deepEqual(remote, [{
      alias: "postgres",
      extension: "postgres",
      url: `host=${db.env.PGHOST} port=${db.env.PGPORT} dbname=${db.name} user=${db.env.PGUSER} ` +
        "sslmode=prefer",
      token_env: "PGPASSWORD",
    }]);
    const empty = await queryDuckDB(database, "DESCRIBE empty_one");
    assert.deepEqual(empty.map((c) => c.column_name), ["id", "note"]);
    const wideRow = await queryDuckDB(database, "SELECT c0, c150, c299 FROM wide");
    assert.deepEqual(wideRow, [{ c0: 0, c150: 150, c299: 299 }]);
    const view = await queryDuckDB(database, `SELECT id, "dot.col" AS d FROM recent`);
    assert.deepEqual(view, [{ id: 1, d: "a" }]);
    const oddView = meta.map((m) => String(m.table_name)).find((n) => n.startsWith("odd"))!;
    const oddRows = await queryDuckDB(
      database,
      `SELECT "Mixed Case" AS m, "ünï ""q""" AS u FROM "${oddView}"`,
    );
    assert.deepEqual(oddRows, [{ m: 1, u: "b" }]);
  },
});

Deno.test({
  name: "postgres: parallel range reads publish parts with exactly the rows of one reader",
  ignore,
  async fn() {
    await using db = await testDatabase(`
      CREATE TABLE events (id bigint PRIMARY KEY, kind text, amount numeric(12,2), at timestamptz);
      INSERT INTO events SELECT g, 'k' || (g % 7), g / 100.0, '2026-01-01'::timestamptz + g * interval '1 min'
        FROM generate_series(1, 60000) g;
      DELETE FROM events WHERE id % 10 = 0;
      UPDATE events SET kind = 'updated' WHERE id % 13 = 0;
    `);
    await using one = await tempDir();
    await using four = await tempDir();
    const single = await runCli(
      ["extract", "--connector", "postgres", "--set", "parallel=1", "--out", one.path],
      { env: db.env },
    );
    assert.equal(single.code, 0, single.stderr);
    const parallel = await runCli(
      ["extract", "--connector", "postgres", "--set", "parallel=4", "--out", four.path],
      { env: db.env },
    );
    assert.equal(parallel.code, 0, parallel.stderr);
    const parts = [...Deno.readDirSync(`${four.path}/data`)].filter((f) => f.name.includes("-p"));
    assert.equal(parts.length, 4, "four parts published");
    const files = await queryDuckDB(`${four.path}/extract.duckdb`, "SELECT data_files FROM _meta");
    assert.equal(JSON.parse(String(files[0].data_files)).length, 4);
    const compare = await queryDuckDB(
      undefined,
      `SELECT
         (SELECT count(*) FROM read_parquet('${four.path}/data/*.parquet'))::INT AS total,
         (SELECT count(*) FROM (
            SELECT * FROM read_parquet('${one.path}/data/*.parquet')
            EXCEPT ALL SELECT * FROM read_parquet('${four.path}/data/*.parquet')))::INT AS missing,
         (SELECT count(*) FROM (
            SELECT * FROM read_parquet('${four.path}/data/*.parquet')
            EXCEPT ALL SELECT * FROM read_parquet('${one.path}/data/*.parquet')))::INT AS extra`,
    );
    assert.deepEqual(compare, [{ total: 54000, missing: 0, extra: 0 }]);
  },
});

Deno.test({
  name: "postgres: dvt connector test passes against the real server",
  ignore,
  async fn() {
    await using db = await testDatabase(`
      CREATE TABLE orders (id serial PRIMARY KEY, total numeric(10,2), updated_at timestamptz);
      INSERT INTO orders (total, updated_at)
        SELECT g, '2026-01-01'::timestamptz + g * interval '1 hour' FROM generate_series(1, 50) g;
    `);
    const result = await runCli(["connector", "test", "postgres", "--json"], { env: db.env });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const report = JSON.parse(result.stdout);
    assert.ok(report.results.every((r: { status: string }) => r.status !== "failed"));
  },
});

Deno.test({
  name: "postgres: an infinity cursor fails the table with a clear error; its data stays",
  ignore,
  async fn() {
    await using db = await testDatabase(`
      CREATE TABLE events (id int PRIMARY KEY, at timestamptz NOT NULL, day date NOT NULL);
      INSERT INTO events VALUES (1, '2026-01-01 00:00:00+00', '2026-01-01');
    `);
    await using dir = await tempDir();
    await writeProject(
      dir.path,
      `    connector: postgres
    incremental: { events: at }
    out: out
`,
    );
    const run = () => runCli(["extract", "shop"], { cwd: dir.path, env: db.env });
    const first = await run();
    assert.equal(first.code, 0, first.stderr + first.stdout);
    await db.sql.query(`INSERT INTO events VALUES (2, 'infinity', 'infinity')`);
    const second = await run();
    assert.equal(second.code, 1, second.stderr + second.stdout);
    assert.match(
      second.stderr,
      /table "events": cursor column "at" holds infinity, which cannot be an incremental cursor/,
    );
    assert.doesNotMatch(second.stderr, /RangeError|Invalid time value| {4}at /);
    assert.deepEqual(
      await queryDuckDB(`${dir.path}/out/extract.duckdb`, "SELECT id FROM events ORDER BY id"),
      [{ id: 1 }],
    );
  },
});

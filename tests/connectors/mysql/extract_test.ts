/**
 * The mysql connector through `dvt extract` on the real MariaDB server: incremental runs,
 * empty, wide and oddly named tables, a view, and `dvt connector test`.
 */
import assert from "node:assert/strict";
import { queryDuckDB, runCli, tempDir } from "../../_helpers.ts";
import { freshDatabase, SERVER_ENV, SKIP_REASON, sql } from "./_mariadb.ts";

const ignore = SKIP_REASON !== undefined;

Deno.test({
  name: "mysql: incremental on an updated_at cursor across three runs with inserts and updates",
  ignore,
  async fn() {
    const db = "dvt_incremental";
    await freshDatabase(
      db,
      `CREATE TABLE orders (id INT PRIMARY KEY, status VARCHAR(10),
         updated_at DATETIME(6) NOT NULL);
       INSERT INTO orders VALUES (1, 'new', '2026-01-01 00:00:00'), (2, 'new', '2026-01-02 00:00:00');
       CREATE TABLE audit (id BIGINT AUTO_INCREMENT PRIMARY KEY, msg TEXT);
       INSERT INTO audit (msg) VALUES ('a'), ('b');`,
    );
    await using dir = await tempDir();
    await Deno.writeTextFile(
      `${dir.path}/dvt.yaml`,
      `sources:
  shop:
    connector: mysql
    config: { database: ${db} }
    incremental: { orders: updated_at, audit: id }
    disposition: { orders: merge }
    out: out
`,
    );
    const run = async () => {
      const result = await runCli(["extract", "shop"], { cwd: dir.path, env: SERVER_ENV });
      assert.equal(result.code, 0, result.stderr + result.stdout);
    };
    const rows = (query: string) => queryDuckDB(`${dir.path}/out/extract.duckdb`, query);
    await run();
    assert.deepEqual(await rows("SELECT count(*)::INT AS n FROM orders"), [{ n: 2 }]);
    await sql(
      db,
      `UPDATE orders SET status = 'paid', updated_at = '2026-01-03 00:00:00.000001' WHERE id = 1;
       INSERT INTO orders VALUES (3, 'new', '2026-01-03 00:00:00.5');
       INSERT INTO audit (msg) VALUES ('c');`,
    );
    await run();
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
    await sql(
      db,
      `UPDATE orders SET status = 'void', updated_at = '2026-01-03 00:00:00.6' WHERE id = 2;
       INSERT INTO audit (msg) VALUES ('d'), ('e');`,
    );
    await run();
    assert.deepEqual(await rows("SELECT id, status FROM orders ORDER BY id"), [
      { id: 1, status: "paid" },
      { id: 2, status: "void" },
      { id: 3, status: "new" },
    ]);
    assert.deepEqual(await rows("SELECT count(*)::INT AS n FROM audit"), [{ n: 5 }]);
    const status = await runCli(["status", "shop", "--json"], { cwd: dir.path, env: SERVER_ENV });
    assert.match(status.stdout, /2026-01-03T00:00:00\.6/);
  },
});

Deno.test({
  name: "mysql: empty, 300-column and oddly named tables, a view, keys, cursors and comments",
  ignore,
  async fn() {
    const db = "dvt_shapes";
    const wide = Array.from({ length: 300 }, (_, i) => `c${i} INT`).join(", ");
    await freshDatabase(
      db,
      `CREATE TABLE empty (id INT PRIMARY KEY, note TEXT) COMMENT 'nothing yet';
       CREATE TABLE wide (${wide});
       INSERT INTO wide VALUES (${Array.from({ length: 300 }, (_, i) => i).join(", ")});
       CREATE TABLE \`Odd Table.v1 "q" ü\` (\`Col With Space\` VARCHAR(5), \`dotted.name\` INT,
         \`Ünï\` DOUBLE, \`back\`\`tick\` INT, PRIMARY KEY (\`dotted.name\`));
       INSERT INTO \`Odd Table.v1 "q" ü\` VALUES ('x', 1, 2.5, 7);
       CREATE TABLE events (id BIGINT AUTO_INCREMENT PRIMARY KEY,
         changed TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)
         COMMENT 'last change');
       CREATE VIEW recent AS SELECT \`Col With Space\` AS col, \`dotted.name\` AS n
         FROM \`Odd Table.v1 "q" ü\`;`,
    );
    const discovered = await runCli(
      ["connector", "discover", "mysql", "--set", `database=${db}`, "--json"],
      { env: SERVER_ENV },
    );
    assert.equal(discovered.code, 0, discovered.stderr);
    const tables = JSON.parse(discovered.stdout);
    const list = Array.isArray(tables) ? tables : tables.tables;
    const byName = new Map(list.map((t: { name: string }) => [t.name, t]));
    assert.deepEqual([...byName.keys()].sort(), [
      'Odd Table.v1 "q" ü',
      "empty",
      "events",
      "recent",
      "wide",
    ]);
    const events = byName.get("events") as Record<string, unknown>;
    assert.equal(events.cursorField, "changed");
    assert.deepEqual(events.primaryKey, ["id"]);
    assert.equal((byName.get("empty") as Record<string, unknown>).description, "nothing yet");

    await using dir = await tempDir();
    const result = await runCli(
      ["extract", "--connector", "mysql", "--set", `database=${db}`, "--out", dir.path],
      { env: SERVER_ENV },
    );
    assert.equal(result.code, 0, result.stderr);
    const database = `${dir.path}/extract.duckdb`;
    const meta = await queryDuckDB(database, "SELECT table_name, rows FROM _meta ORDER BY 1");
    assert.equal(meta.length, 5);
    assert.deepEqual(await queryDuckDB(database, "SELECT count(*)::INT AS n FROM empty"), [
      { n: 0 },
    ]);
    const emptyColumns = await queryDuckDB(
      database,
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'empty'",
    );
    assert.deepEqual(emptyColumns.map((r) => r.column_name), ["id", "note"]);
    const [wideRow] = await queryDuckDB(database, "SELECT c0, c150, c299 FROM wide");
    assert.deepEqual(wideRow, { c0: 0, c150: 150, c299: 299 });
    const odd = meta.find((r) => String(r.table_name).startsWith("odd"))!;
    const [oddRow] = await queryDuckDB(
      database,
      `SELECT "Col With Space" AS a, "dotted.name" AS b, "Ünï" AS c, "back\`tick" AS d
       FROM "${odd.table_name}"`,
    );
    assert.deepEqual(oddRow, { a: "x", b: 1, c: 2.5, d: 7 });
    assert.deepEqual(await queryDuckDB(database, "SELECT col, n FROM recent"), [
      { col: "x", n: 1 },
    ]);
  },
});

Deno.test({
  name: "mysql: dvt connector test passes against MariaDB",
  ignore,
  async fn() {
    const db = "dvt_contract";
    await freshDatabase(
      db,
      `CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, total DECIMAL(10,2),
         updated_at DATETIME NOT NULL);
       INSERT INTO orders (total, updated_at) VALUES (9.99, '2026-01-01'), (5, '2026-01-02'),
         (1.5, '2026-01-03');`,
    );
    const result = await runCli(["connector", "test", "mysql", "--set", `database=${db}`], {
      env: SERVER_ENV,
    });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.doesNotMatch(result.stdout, /FAIL/);
    assert.ok(!result.stdout.includes(SERVER_ENV.MYSQL_PWD));
  },
});

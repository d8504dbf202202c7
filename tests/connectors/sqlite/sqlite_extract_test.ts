/**
 * The sqlite connector through `dvt extract` (CLI child process) on real SQLite files: every
 * affinity with edge values compared value by value with what SQLite returns, mismatched values,
 * incremental runs, empty, wide, oddly named tables, views, and failures.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { queryDuckDB, runCli, tempDir } from "../../_helpers.ts";

function createDatabase(path: string, sql: string): void {
  const db = new DatabaseSync(path);
  db.exec(sql);
  db.close();
}

function sqliteRows(path: string, sql: string): unknown[][] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const statement = db.prepare(sql);
    (statement as unknown as { setReturnArrays(on: boolean): void }).setReturnArrays(true);
    statement.setReadBigInts(true);
    return statement.all() as unknown as unknown[][];
  } finally {
    db.close();
  }
}

function extract(path: string, out: string, ...extra: string[]) {
  return runCli([
    "extract",
    "--connector",
    "sqlite",
    "--set",
    `path=${path}`,
    "--out",
    out,
    ...extra,
  ]);
}

const EVERYTHING = `
CREATE TABLE everything (
  id INTEGER PRIMARY KEY, i INT, big BIGINT, r REAL, f FLOAT, t TEXT, vc VARCHAR(10), b BLOB,
  untyped, n NUMERIC, d DECIMAL(38,10), d2 NUMERIC(12,2), flag BOOLEAN, day DATE,
  at DATETIME, ts TIMESTAMP
);
INSERT INTO everything VALUES
 (1, 9223372036854775807, -9223372036854775808, 1.7976931348623157e308, -2.5, 'héllo 🎉 日本', 'abc',
  X'00ff10', 'free text', 9007199254740991, '1234567890123.25', 1234567890.12,
  1, '1000-01-01', '1900-01-01 00:00:00.000001', '9999-12-31T23:59:59.999999Z'),
 (2, -1, 0, 5e-324, 0, '', '', X'', 42, -0.5, '-0.0000000001', -0.01, 0, '9999-12-31',
  '1969-12-31 23:59:59.5', '1970-01-01 00:00:00'),
 (3, 0, 1, -1.5, 1e10, 'it''s "quoted"', 'x', X'00', 1.25, 3, 1, 0, 1, '2024-02-29',
  '2024-02-29T12:34:56', '2000-01-01 00:00'),
 (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
`;

/** Per column: SQLite's rendering and DuckDB's rendering of the Parquet value, as text. */
const COMPARISONS: Record<string, [sqlite: string, duckdb: string]> = {
  id: ["id", "id"],
  i: ["i", "i"],
  big: ["big", "big"],
  r: ["r", "r"],
  f: ["f", "f"],
  t: ["t", "t"],
  vc: ["vc", "vc"],
  b: ["CASE WHEN b IS NOT NULL THEN hex(b) END", "hex(b)"],
  untyped: ["CAST(untyped AS TEXT)", "untyped"],
  n: ["n", "n"],
  d: ["d", "d"],
  d2: ["CASE WHEN d2 IS NOT NULL THEN printf('%.2f', d2) END", "d2"],
  flag: ["CASE flag WHEN 1 THEN 'true' WHEN 0 THEN 'false' END", "flag"],
  day: ["day", "day"],
  at: ["strftime('%Y-%m-%d %H:%M:%f', at)", "strftime(\"at\", '%Y-%m-%d %H:%M:%S.%g')"],
  ts: ["strftime('%Y-%m-%d %H:%M:%f', ts)", "strftime(ts, '%Y-%m-%d %H:%M:%S.%g')"],
};

function normalise(column: string, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value);
  if (["r", "f", "n"].includes(column)) return String(Number(text));
  // SQLite keeps DECIMAL values as REAL (NUMERIC affinity): compare the numbers.
  if (column === "d") return String(Number(text));
  return text;
}

/** Extracts EVERYTHING with `extra` arguments and compares each value with SQLite's. */
async function extractEverything(...extra: string[]): Promise<string[]> {
  await using dir = await tempDir();
  const path = `${dir.path}/types.db`;
  createDatabase(path, EVERYTHING);
  const result = await extract(path, `${dir.path}/out`, ...extra);
  assert.equal(result.code, 0, result.stderr);
  const database = `${dir.path}/out/extract.duckdb`;
  const types = await queryDuckDB(
    database,
    "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'everything' ORDER BY ordinal_position",
  );
  assert.deepEqual(Object.fromEntries(types.map((r) => [r.column_name, r.data_type])), {
    id: "BIGINT",
    i: "BIGINT",
    big: "BIGINT",
    r: "DOUBLE",
    f: "DOUBLE",
    t: "VARCHAR",
    vc: "VARCHAR",
    b: "BLOB",
    untyped: "VARCHAR",
    n: "DOUBLE",
    d: "DECIMAL(38,10)",
    d2: "DECIMAL(12,2)",
    flag: "BOOLEAN",
    day: "DATE",
    at: "TIMESTAMP",
    ts: "TIMESTAMP",
  });
  const columns = Object.keys(COMPARISONS);
  const expected = sqliteRows(
    path,
    `SELECT ${
      columns.map((c) => `CAST(${COMPARISONS[c][0]} AS TEXT)`).join(", ")
    } FROM everything ORDER BY id`,
  );
  const actual = await queryDuckDB(
    database,
    `SELECT ${columns.map((c) => `CAST(${COMPARISONS[c][1]} AS VARCHAR) AS "${c}"`).join(", ")}
     FROM everything ORDER BY id`,
  );
  assert.equal(actual.length, 4);
  for (let row = 0; row < expected.length; row++) {
    for (const [index, column] of columns.entries()) {
      let want = normalise(column, expected[row][index]);
      // SQLite prints milliseconds; the extract keeps microseconds.
      if ((column === "at" || column === "ts") && want) want = want.slice(0, 23);
      const got = normalise(column, actual[row][column]);
      assert.equal(
        column === "at" || column === "ts" ? got?.slice(0, 23) ?? null : got,
        want,
        `row ${row + 1}, column ${column}`,
      );
    }
  }
  const [micro] = await queryDuckDB(
    database,
    'SELECT CAST("at" AS VARCHAR) AS at FROM everything WHERE id = 1',
  );
  assert.equal(micro.at, "1900-01-01 00:00:00.000001");
  const files = await Array.fromAsync(Deno.readDir(`${dir.path}/out/data`));
  return files.map((file) => file.name).filter((name) => name.endsWith(".parquet")).sort();
}

Deno.test("sqlite: every affinity and edge value survives dvt extract, compared with SQLite", async () => {
  assert.equal((await extractEverything()).length, 1);
});

Deno.test("sqlite: every affinity and edge value survives a parallel read (reader threads)", async () => {
  assert.equal((await extractEverything("--set", "parallel=3")).length, 1);
});

Deno.test("sqlite: a value its column's type cannot hold fails the table, names the row, and the others land", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/mixed.db`;
  createDatabase(
    path,
    `CREATE TABLE bad (id INTEGER PRIMARY KEY, n INT); INSERT INTO bad VALUES (1, 5), (2, 'abc');
     CREATE TABLE good (x TEXT); INSERT INTO good VALUES ('ok');
     CREATE VIEW bad_as_text AS SELECT id, CAST(n AS TEXT) AS n FROM bad;`,
  );
  const result = await extract(path, `${dir.path}/out`);
  assert.equal(result.code, 1, result.stderr);
  const output = result.stdout + result.stderr;
  assert.match(
    output,
    /column "n" \(declared INT, read as Int64\) holds the TEXT value "abc" in row 2/,
  );
  assert.match(output, /view that CASTs "n"/);
  const good = await queryDuckDB(`${dir.path}/out/extract.duckdb`, "SELECT x FROM good");
  assert.deepEqual(good, [{ x: "ok" }]);
  const view = await queryDuckDB(
    `${dir.path}/out/extract.duckdb`,
    "SELECT n FROM bad_as_text ORDER BY id",
  );
  assert.deepEqual(view, [{ n: "5" }, { n: "abc" }]);
});

Deno.test("sqlite: a value that does not fit fails a parallel read too, naming the rowid", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/mixed.db`;
  createDatabase(
    path,
    `CREATE TABLE bad (id INTEGER PRIMARY KEY, n INT);
     INSERT INTO bad VALUES (1, 5), (2, 6), (70, 'abc'), (90, 8);`,
  );
  const result = await extract(path, `${dir.path}/out`, "--set", "parallel=2");
  assert.equal(result.code, 1, result.stderr);
  assert.match(
    result.stdout + result.stderr,
    /column "n" \(declared INT, read as Int64\) holds the TEXT value "abc" in the row with rowid 70/,
  );
});

Deno.test("sqlite: incremental on a column and on the rowid across three runs", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/inc.db`;
  createDatabase(
    path,
    `CREATE TABLE events (name TEXT, updated_at DATETIME);
     INSERT INTO events VALUES ('a', '2026-01-01 00:00:00'), ('b', '2026-01-02 00:00:00');
     CREATE TABLE logs (msg TEXT);
     INSERT INTO logs VALUES ('one'), ('two');`,
  );
  await Deno.writeTextFile(
    `${dir.path}/dvt.yaml`,
    `sources:
  local:
    connector: sqlite
    config: { path: ${path}, rowid: true }
    incremental: { events: updated_at, logs: rowid }
    disposition: { events: append }
    out: out
`,
  );
  const run = () => runCli(["extract", "local"], { cwd: dir.path });
  const rows = (sql: string) => queryDuckDB(`${dir.path}/out/extract.duckdb`, sql);
  assert.equal((await run()).code, 0);
  assert.deepEqual(await rows("SELECT count(*)::INT AS n FROM events"), [{ n: 2 }]);
  const db = new DatabaseSync(path);
  db.exec(`INSERT INTO events VALUES ('c', '2026-01-03 00:00:00.250');
           UPDATE events SET updated_at = '2026-01-04T00:00:00Z' WHERE name = 'a';
           INSERT INTO logs VALUES ('three');`);
  const second = await run();
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(
    await rows("SELECT name FROM events ORDER BY updated_at"),
    [{ name: "a" }, { name: "b" }, { name: "c" }, { name: "a" }],
  );
  assert.deepEqual(await rows("SELECT msg FROM logs ORDER BY rowid"), [
    { msg: "one" },
    { msg: "two" },
    { msg: "three" },
  ]);
  db.exec(
    `INSERT INTO logs VALUES ('four'); INSERT INTO events VALUES ('d', '2026-01-04 00:00:00.001');`,
  );
  db.close();
  const third = await run();
  assert.equal(third.code, 0, third.stderr);
  assert.deepEqual(await rows("SELECT count(*)::INT AS n FROM logs"), [{ n: 4 }]);
  assert.deepEqual(await rows("SELECT name FROM events WHERE updated_at > '2026-01-04'"), [
    { name: "d" },
  ]);
});

Deno.test("sqlite: empty, 300-column and oddly named tables, and a view", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/shapes.db`;
  const wide = Array.from({ length: 300 }, (_, i) => `c${i} INTEGER`).join(", ");
  createDatabase(
    path,
    `CREATE TABLE empty (id INTEGER PRIMARY KEY, note TEXT);
     CREATE TABLE wide (${wide});
     INSERT INTO wide VALUES (${Array.from({ length: 300 }, (_, i) => i).join(", ")});
     CREATE TABLE "Odd Table.v1 ""q"" ü" ("Col With Space" TEXT, "dotted.name" INT, "Ünï" REAL);
     INSERT INTO "Odd Table.v1 ""q"" ü" VALUES ('x', 1, 2.5);
     CREATE VIEW recent AS SELECT "Col With Space" AS col FROM "Odd Table.v1 ""q"" ü";`,
  );
  const result = await extract(path, `${dir.path}/out`);
  assert.equal(result.code, 0, result.stderr);
  const database = `${dir.path}/out/extract.duckdb`;
  const meta = await queryDuckDB(database, "SELECT table_name, rows FROM _meta ORDER BY 1");
  assert.equal(meta.length, 4);
  const empty = await queryDuckDB(database, "SELECT count(*)::INT AS n FROM empty");
  assert.deepEqual(empty, [{ n: 0 }]);
  const emptyColumns = await queryDuckDB(
    database,
    "SELECT column_name FROM information_schema.columns WHERE table_name = 'empty'",
  );
  assert.deepEqual(emptyColumns.map((r) => r.column_name), ["id", "note"]);
  const [wideRow] = await queryDuckDB(database, "SELECT c0, c299 FROM wide");
  assert.deepEqual(wideRow, { c0: 0n, c299: 299n });
  const odd = meta.find((r) => String(r.table_name).startsWith("odd"))!;
  const [oddRow] = await queryDuckDB(
    database,
    `SELECT "Col With Space" AS a, "dotted.name" AS b, "Ünï" AS c FROM "${odd.table_name}"`,
  );
  assert.deepEqual(oddRow, { a: "x", b: 1n, c: 2.5 });
  assert.deepEqual(await queryDuckDB(database, "SELECT col FROM recent"), [{ col: "x" }]);
});

Deno.test("sqlite: a missing file is bad configuration (exit 2) and says what to set", async () => {
  await using dir = await tempDir();
  const result = await extract(`${dir.path}/nope.db`, `${dir.path}/out`);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /no database file at .*nope\.db/);
  assert.match(result.stderr, /hint: set path/);
});

Deno.test("sqlite: dvt connector test passes", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/contract.db`;
  createDatabase(
    path,
    `CREATE TABLE orders (id INTEGER PRIMARY KEY, total DECIMAL(10,2), updated_at DATETIME);
     INSERT INTO orders VALUES (1, 9.99, '2026-01-01 00:00:00'), (2, 5, '2026-01-02 00:00:00'),
       (3, 1.5, '2026-01-03 00:00:00');`,
  );
  const result = await runCli(["connector", "test", "sqlite", "--set", `path=${path}`]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.doesNotMatch(result.stdout, /FAIL/);
});

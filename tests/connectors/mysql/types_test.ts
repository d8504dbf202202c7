/**
 * Every MySQL/MariaDB type with edge values goes through `dvt extract` (CLI child process); the
 * Parquet read back by DuckDB is compared value by value with what the server returns.
 */
import assert from "node:assert/strict";
import { queryDuckDB, runCli, tempDir } from "../../_helpers.ts";
import { freshDatabase, SERVER_ENV, SKIP_REASON, sql } from "./_mariadb.ts";

const DB = "dvt_types";

const SETUP = `
SET SESSION sql_mode = '';
SET time_zone = '+00:00';
CREATE TABLE everything (
  id BIGINT AUTO_INCREMENT PRIMARY KEY COMMENT 'row id',
  ti TINYINT, tu TINYINT UNSIGNED, b TINYINT(1), si SMALLINT, su SMALLINT UNSIGNED,
  mi MEDIUMINT, i INT, iu INT UNSIGNED, bi BIGINT, bu BIGINT UNSIGNED,
  d38 DECIMAL(38,10), d65 DECIMAL(65,30), d12 DECIMAL(12,2), f FLOAT, db DOUBLE,
  bit1 BIT(1), bit64 BIT(64), dt DATETIME(6), ts TIMESTAMP(6) NULL, da DATE, tm TIME(3), y YEAR,
  c CHAR(3), vc VARCHAR(100), tx TEXT, j JSON, e ENUM('a','b c'), st SET('x','y','z'),
  bin VARBINARY(10), bl BLOB
) COMMENT 'all the types';
INSERT INTO everything (ti,tu,b,si,su,mi,i,iu,bi,bu,d38,d65,d12,f,db,bit1,bit64,dt,ts,da,tm,y,c,vc,tx,j,e,st,bin,bl)
VALUES
 (-128,255,1,-32768,65535,-8388608,-2147483648,4294967295,-9223372036854775808,18446744073709551615,
  '-9999999999999999999999999999.9999999999',
  '-99999999999999999999999999999999999.999999999999999999999999999999',
  -1.50,-3.5,-1.7976931348623157e308,b'1',b'1111111111111111111111111111111111111111111111111111111111111111',
  '1000-01-01 00:00:00.000001','1970-01-01 00:00:01','1000-01-01','23:59:59.999',1901,
  'abc','héllo wörld 🎉 日本','x','{"a": [1, 2], "s": "ü"}','b c','x,z',X'00ff10',X'deadbeef'),
 (127,0,0,32767,0,8388607,2147483647,0,9223372036854775807,0,
  '0.0000000001','0.000000000000000000000000000001',0,0,4.9e-324,b'0',b'0',
  '9999-12-31 23:59:59.999999','2038-01-19 03:14:07.999999','9999-12-31','00:00:00',2155,
  '','','','[]','a','','',''),
 (0,1,1,0,1,0,0,1,1,1,'1','1','1','1e10','1e-10',b'1',b'1',
  '1969-12-31 23:59:59.5','2000-02-29 12:00:00','1969-07-20','12:34:56.789',2000,
  'a''b','back\\\\slash "q"','line\\nbreak','{}','a','x,y,z',X'00',X'00'),
 (NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,
  '0000-00-00 00:00:00',NULL,'0000-00-00',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL);
`;

/** Per column: the server's rendering and DuckDB's rendering of the Parquet value, as text. */
const COMPARISONS: Record<string, [mysql: string, duckdb: string]> = {
  id: ["id", "id"],
  ti: ["ti", "ti"],
  tu: ["tu", "tu"],
  b: ["IF(b IS NULL, NULL, IF(b, 'true', 'false'))", "b"],
  si: ["si", "si"],
  su: ["su", "su"],
  mi: ["mi", "mi"],
  i: ["i", "i"],
  iu: ["iu", "iu"],
  bi: ["bi", "bi"],
  bu: ["bu", "bu"],
  d38: ["d38", "d38"],
  d65: ["d65", "d65"],
  d12: ["d12", "d12"],
  f: ["f", "f"],
  db: ["db", "db"],
  bit1: ["IF(bit1 IS NULL, NULL, IF(bit1 = 1, 'true', 'false'))", "bit1"],
  bit64: ["CAST(bit64 AS UNSIGNED)", "bit64"],
  dt: ["DATE_FORMAT(dt, '%Y-%m-%d %H:%i:%s.%f')", "strftime(dt, '%Y-%m-%d %H:%M:%S.%f')"],
  ts: [
    "DATE_FORMAT(ts, '%Y-%m-%d %H:%i:%s.%f')",
    "strftime(ts AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%f')",
  ],
  da: ["IF(da = '0000-00-00', NULL, da)", "da"],
  tm: ["TIME_FORMAT(tm, '%H:%i:%s.%f')", "strftime(DATE '2000-01-01' + tm, '%H:%M:%S.%f')"],
  y: ["y", "y"],
  c: ["c", "c"],
  vc: ["vc", "vc"],
  tx: ["tx", "tx"],
  j: ["j", "j"],
  e: ["e", "e"],
  st: ["st", "array_to_string(st, ',')"],
  bin: ["HEX(bin)", "hex(bin)"],
  bl: ["HEX(bl)", "hex(bl)"],
};

function normalise(column: string, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value);
  // Floats: both sides print shortest round-trip forms, in different notations.
  if (column === "f" || column === "db") return String(Number(text));
  // DATETIME zero dates are NULL in the extract (zero_dates: null, the default).
  if (column === "dt" && text.startsWith("0000-00-00")) return null;
  return text;
}

/** Global flags: debug log lines, which say where the rows were decoded. */
const DEBUG = ["--log-level", "debug"];

/** `--set reader_thread=...` for `dvt extract`. */
function threadArgs(readerThread: boolean): string[] {
  return ["--set", `reader_thread=${readerThread}`];
}

function assertDecodedIn(output: string, readerThread: boolean): void {
  assert.match(output, new RegExp(`mysql read .*readerThread=${readerThread}`));
}

for (const readerThread of [false, true]) {
  const where = readerThread ? "in the reader thread" : "on the main thread";
  Deno.test({
    name:
      `mysql: every type and edge value survives dvt extract (decoded ${where}), compared with the server`,
    ignore: SKIP_REASON !== undefined,
    fn: () => everyType(readerThread),
  });
  Deno.test({
    name:
      `mysql: zero_dates: error fails the table and says which column and how to fix it (${where})`,
    ignore: SKIP_REASON !== undefined,
    fn: () => zeroDateFails(readerThread),
  });
}

async function everyType(readerThread: boolean) {
  await freshDatabase(DB, SETUP);
  await using dir = await tempDir();
  const result = await runCli(
    [
      ...DEBUG,
      "extract",
      ...threadArgs(readerThread),
      "--connector",
      "mysql",
      "--set",
      `database=${DB}`,
      "--out",
      dir.path,
    ],
    { env: SERVER_ENV },
  );
  assert.equal(result.code, 0, result.stderr);
  assertDecodedIn(result.stderr + result.stdout, readerThread);
  const database = `${dir.path}/extract.duckdb`;
  const types = await queryDuckDB(
    database,
    "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'everything' ORDER BY ordinal_position",
  );
  assert.deepEqual(Object.fromEntries(types.map((r) => [r.column_name, r.data_type])), {
    id: "BIGINT",
    ti: "TINYINT",
    tu: "UTINYINT",
    b: "BOOLEAN",
    si: "SMALLINT",
    su: "USMALLINT",
    mi: "INTEGER",
    i: "INTEGER",
    iu: "UINTEGER",
    bi: "BIGINT",
    bu: "UBIGINT",
    d38: "DECIMAL(38,10)",
    d65: "VARCHAR",
    d12: "DECIMAL(12,2)",
    f: "FLOAT",
    db: "DOUBLE",
    bit1: "BOOLEAN",
    bit64: "UBIGINT",
    dt: "TIMESTAMP",
    ts: "TIMESTAMP WITH TIME ZONE",
    da: "DATE",
    tm: "TIME",
    y: "SMALLINT",
    c: "VARCHAR",
    vc: "VARCHAR",
    tx: "VARCHAR",
    j: "VARCHAR",
    e: "VARCHAR",
    st: "VARCHAR[]",
    bin: "BLOB",
    bl: "BLOB",
  });
  const columns = Object.keys(COMPARISONS);
  const expected = await sql(
    DB,
    `SELECT ${columns.map((c) => `CAST(${COMPARISONS[c][0]} AS CHAR)`).join(", ")}
       FROM everything ORDER BY id`,
  );
  const actual = await queryDuckDB(
    database,
    `SET TimeZone = 'UTC'; SELECT ${
      columns.map((c) => `CAST(${COMPARISONS[c][1]} AS VARCHAR) AS "${c}"`).join(", ")
    } FROM everything ORDER BY id`,
  );
  assert.equal(actual.length, expected.length);
  for (let row = 0; row < expected.length; row++) {
    for (const [index, column] of columns.entries()) {
      assert.equal(
        normalise(column, actual[row][column]),
        normalise(column, expected[row][index]),
        `row ${row + 1}, column ${column}`,
      );
    }
  }
  const [meta] = await queryDuckDB(
    database,
    "SELECT description FROM _meta WHERE table_name = 'everything'",
  );
  assert.equal(meta.description, "all the types");
}

async function zeroDateFails(readerThread: boolean) {
  await freshDatabase(
    `${DB}_zero`,
    "SET SESSION sql_mode = ''; CREATE TABLE z (d DATE); INSERT INTO z VALUES ('0000-00-00');",
  );
  await using dir = await tempDir();
  const result = await runCli([
    ...DEBUG,
    "extract",
    ...threadArgs(readerThread),
    "--connector",
    "mysql",
    "--set",
    `database=${DB}_zero`,
    "--set",
    "zero_dates=error",
    "--out",
    dir.path,
  ], { env: SERVER_ENV });
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr + result.stdout, /column "d" holds the zero date 0000-00-00/);
  assert.match(result.stderr + result.stdout, /zero_dates: null/);
  assertDecodedIn(result.stderr + result.stdout, readerThread);
}

/**
 * Every supported PostgreSQL type, with edge values and NULLs, through `dvt extract` (a child
 * process); the Parquet read back by DuckDB is compared value by value with what PostgreSQL
 * returns for the same rows.
 */
import assert from "node:assert/strict";
import { queryDuckDB, runCli, tempDir } from "../../_helpers.ts";
import { testDatabase, unavailable } from "./_server.ts";

/** One column: type, a literal per row (row 5 is always NULL), and how each side renders it. */
interface Column {
  name: string;
  type: string;
  values: [string, string, string, string];
  /** Expression over `c` giving PostgreSQL's text; default `c::text`. */
  pg?: string;
  /** Expression over `c` giving DuckDB's text; default `c::VARCHAR`. */
  duck?: string;
  /** The Arrow type dvt must declare. */
  arrow: string;
  /** Normalises both renderings before comparing (e.g. numbers). */
  same?: "number" | "bc";
}

const COLUMNS: Column[] = [
  { name: "i2", type: "smallint", values: ["32767", "-32768", "0", "1"], arrow: "Int16" },
  {
    name: "i4",
    type: "integer",
    values: ["2147483647", "-2147483648", "0", "7"],
    arrow: "Int32",
  },
  {
    name: "i8",
    type: "bigint",
    values: ["9223372036854775807", "-9223372036854775808", "0", "4294967296"],
    arrow: "Int64",
  },
  {
    name: "dec38",
    type: "numeric(38,10)",
    values: [
      "9999999999999999999999999999.9999999999",
      "-9999999999999999999999999999.9999999999",
      "0.0000000001",
      "-1.5",
    ],
    arrow: "Decimal[38e+10]",
  },
  {
    name: "dec38_0",
    type: "numeric(38,0)",
    values: [
      "99999999999999999999999999999999999999",
      "-99999999999999999999999999999999999999",
      "0",
      "18446744073709551616",
    ],
    arrow: "Decimal[38e0]",
  },
  {
    name: "money_like",
    type: "numeric(12,2)",
    values: ["9999999999.99", "-9999999999.99", "-0.01", "1234.5"],
    arrow: "Decimal[12e+2]",
  },
  {
    name: "free_numeric",
    type: "numeric",
    values: ["1.5", "-123456789.0123456789", "0", "9999999999999999999999999999"],
    pg: "c::numeric(38,10)::text",
    arrow: "Decimal[38e+10]",
  },
  {
    name: "f4",
    type: "real",
    values: ["'NaN'", "'-Infinity'", "3.4028235e38", "-1.17549435e-38"],
    arrow: "Float32",
    same: "number",
  },
  {
    name: "f8",
    type: "double precision",
    values: ["'Infinity'", "'NaN'", "1.7976931348623157e308", "5e-324"],
    arrow: "Float64",
    same: "number",
  },
  { name: "flag", type: "boolean", values: ["true", "false", "true", "false"], arrow: "Bool" },
  {
    name: "body",
    type: "text",
    values: ["'héllo ✓ 日本 🚀'", "''", "E'tab\\there\\nnewline \"quoted\" back\\\\slash'", "'x'"],
    arrow: "Utf8",
  },
  {
    name: "short",
    type: "varchar(10)",
    values: ["'abcdefghij'", "''", "'ü'", "'a b'"],
    arrow: "Utf8",
  },
  {
    name: "fixed",
    type: "char(3)",
    values: ["'x'", "'abc'", "''", "'é'"],
    // The padded value PostgreSQL outputs; a ::text cast would trim it.
    pg: "CASE WHEN c IS NOT NULL THEN format('%s', c) END",
    arrow: "Utf8",
  },
  {
    name: "blob",
    type: "bytea",
    values: ["'\\xdeadbeef'", "''", "'\\x00ff00'", "convert_to('ü', 'UTF8')"],
    pg: "encode(c, 'hex')",
    duck: "lower(hex(c))",
    arrow: "Binary",
  },
  {
    name: "day",
    type: "date",
    values: ["'infinity'", "'-infinity'", "'0044-03-15 BC'", "'1969-12-31'"],
    arrow: "Date32<DAY>",
    same: "bc",
  },
  {
    name: "day2",
    type: "date",
    values: ["'9999-12-31'", "'1900-02-28'", "'2000-02-29'", "'1970-01-01'"],
    arrow: "Date32<DAY>",
  },
  {
    name: "clock",
    type: "time",
    values: ["'23:59:59.999999'", "'00:00'", "'12:34:56.5'", "'00:00:00.000001'"],
    arrow: "Time64<MICROSECOND>",
  },
  {
    name: "local_ts",
    type: "timestamp",
    values: [
      "'1901-01-01 00:00:00.000001'",
      "'0044-03-15 12:00 BC'",
      "'9999-12-31 23:59:59.999999'",
      "'infinity'",
    ],
    arrow: "Timestamp<MICROSECOND>",
    same: "bc",
  },
  {
    name: "instant",
    type: "timestamptz",
    values: [
      "'2262-04-12 01:02:03.456789+05:30'",
      "'1950-06-01 12:00:00-08'",
      "'-infinity'",
      "'3000-01-01 00:00:00+14'",
    ],
    arrow: "Timestamp<MICROSECOND, UTC>",
  },
  {
    name: "span",
    type: "interval",
    values: [
      "'1 year 2 mons 3 days 04:05:06.789'",
      "'-1 days -00:00:01'",
      "'178000000 years'",
      "'0'",
    ],
    pg: "(extract(year from c) * 12 + extract(month from c))::bigint || ',' || " +
      "extract(day from c)::bigint || ',' || (extract(hour from c) * 3600000000 + " +
      "extract(minute from c) * 60000000 + extract(microseconds from c))::bigint",
    duck: "c.months || ',' || c.days || ',' || c.microseconds",
    arrow: "Struct<{months:Int32, days:Int32, microseconds:Int64}>",
  },
  {
    name: "id_uuid",
    type: "uuid",
    values: [
      "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'",
      "'00000000-0000-0000-0000-000000000000'",
      "'ffffffff-ffff-ffff-ffff-ffffffffffff'",
      "gen_random_uuid()",
    ],
    arrow: "Utf8",
  },
  {
    name: "doc",
    type: "json",
    values: [`'{"a": 1,  "b": [true, null]}'`, "'null'", `'"ü"'`, "'[]'"],
    arrow: "Utf8",
  },
  {
    name: "docb",
    type: "jsonb",
    values: [`'{"b": [1, 2], "a": {"c": "日本"}}'`, "'null'", "'1.50'", "'{}'"],
    arrow: "Utf8",
  },
  {
    name: "ints",
    type: "integer[]",
    values: ["'{1,NULL,3}'", "'{}'", "'{-2147483648}'", "ARRAY[]::int[]"],
    pg: "array_to_json(c)::text",
    duck: "to_json(c)::VARCHAR",
    arrow: "List<Int32>",
  },
  {
    name: "words",
    type: "text[]",
    values: [`'{"a b",NULL,"ü"}'`, "'{}'", `'{""}'`, `ARRAY['日本', 'x,y']`],
    pg: "array_to_json(c)::text",
    duck: "to_json(c)::VARCHAR",
    arrow: "List<Utf8>",
  },
  { name: "feeling", type: "mood", values: ["'happy'", "'sad'", "'ok'", "'😀'"], arrow: "Utf8" },
  { name: "positive", type: "posint", values: ["1", "2147483647", "5", "6"], arrow: "Int32" },
];

const SETUP = `
  CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', '😀');
  CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
  CREATE TABLE every_type (id integer PRIMARY KEY, ${
  COLUMNS.map((c) => `${c.name} ${c.type}`).join(", ")
});
  ${
  [0, 1, 2, 3].map((row) =>
    `INSERT INTO every_type VALUES (${row + 1}, ${COLUMNS.map((c) => c.values[row]).join(", ")});`
  ).join("\n")
}
  INSERT INTO every_type (id) VALUES (5);
`;

function normalise(value: unknown, same?: Column["same"]): string | null {
  if (value === null || value === undefined) return null;
  let text = String(value);
  if (same === "number") {
    const named: Record<string, string> = { nan: "NaN", inf: "Infinity", "-inf": "-Infinity" };
    text = String(Number(named[text.toLowerCase()] ?? text));
  }
  // DuckDB writes "0044-03-15 (BC) 12:00:00", PostgreSQL "0044-03-15 12:00:00 BC".
  if (same === "bc") text = text.replace(/^(\S+) \(BC\)(.*)$/, "$1$2 BC");
  return text;
}

Deno.test({
  name: "postgres: every type with edge values and NULLs lands in Parquet exactly",
  ignore: unavailable !== undefined,
  async fn() {
    await using db = await testDatabase(SETUP);
    await using out = await tempDir();
    const result = await runCli(
      ["extract", "--connector", "postgres", "--out", out.path, "--json"],
      { env: db.env },
    );
    assert.equal(result.code, 0, result.stderr);

    const types = await queryDuckDB(
      `${out.path}/extract.duckdb`,
      `SELECT schema_json FROM _meta WHERE table_name = 'every_type'`,
    );
    const declared = new Map<string, string>(
      JSON.parse(String(types[0].schema_json)).fields.map((f: { name: string; type: string }) => [
        f.name,
        f.type,
      ]),
    );
    for (const column of COLUMNS) {
      assert.equal(declared.get(column.name), column.arrow, column.name);
    }

    const pgRows = await db.sql.query(
      `SELECT id, ${
        COLUMNS.map((c) => `${withColumn(c.pg ?? "c::text", c.name)} AS ${c.name}`)
          .join(", ")
      } FROM every_type ORDER BY id`,
    );
    const duckRows = await queryDuckDB(
      `${out.path}/extract.duckdb`,
      `SET TimeZone = 'UTC'; SELECT id, ${
        COLUMNS.map((c) => `${withColumn(c.duck ?? "c::VARCHAR", c.name)} AS ${c.name}`)
          .join(", ")
      } FROM every_type ORDER BY id`,
    );
    assert.equal(duckRows.length, 5);
    for (const [i, pgRow] of pgRows.entries()) {
      for (const column of COLUMNS) {
        assert.equal(
          normalise(duckRows[i][column.name], column.same),
          normalise(pgRow[column.name], column.same),
          `row ${pgRow.id}, column ${column.name} (${column.type})`,
        );
      }
    }
  },
});

/** Substitutes the column for `c` in an expression (only the standalone identifier). */
function withColumn(expression: string, name: string): string {
  return expression.replace(/\bc\b/g, `"${name}"`);
}

Deno.test({
  name: "postgres: NaN in a numeric column fails the table and names the column",
  ignore: unavailable !== undefined,
  async fn() {
    await using db = await testDatabase(`
      CREATE TABLE prices (id int, price numeric(10,2));
      INSERT INTO prices VALUES (1, 1.5), (2, 'NaN');
      CREATE TABLE fine (id int);
      INSERT INTO fine VALUES (1);
    `);
    await using out = await tempDir();
    const result = await runCli(["extract", "--connector", "postgres", "--out", out.path], {
      env: db.env,
    });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /prices.*column "price": NaN does not fit a decimal column/);
    const landed = await queryDuckDB(
      `${out.path}/extract.duckdb`,
      `SELECT count(*) AS n FROM fine`,
    );
    assert.equal(Number(landed[0].n), 1);
  },
});

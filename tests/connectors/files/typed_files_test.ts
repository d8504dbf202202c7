/**
 * Acceptance: files DuckDB reads keep their column types and values through `dvt extract`, on
 * the native path and the Arrow path alike. The fixtures (tests/fixtures/files/typed/, made by
 * make_fixtures.ts with DuckDB) carry nested lists, structs and maps, UUID, JSON, decimals,
 * timestamps with zones and units, TIME WITH TIME ZONE, intervals, blobs and enums. For every
 * table, DuckDB's DESCRIBE of the published view must equal its DESCRIBE of the source file, and
 * the rows must be equal both ways.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { queryDuckDB, REPO_ROOT, runCli, tempDir } from "../../_helpers.ts";

const TYPED = join(REPO_ROOT, "tests/fixtures/files/typed");

/** Each fixture and the DuckDB reader the files connector uses for it. */
const FIXTURES: Record<string, string> = {
  nested: `read_parquet('${TYPED}/nested.parquet')`,
  special: `read_parquet('${TYPED}/special.parquet')`,
  nested_lines: `read_json('${TYPED}/nested_lines.ndjson', format = 'newline_delimited')`,
  special_array: `read_json('${TYPED}/special_array.json', format = 'auto')`,
  measurements: `read_csv('${TYPED}/measurements.csv')`,
};

async function describe(database: string | undefined, relation: string) {
  const rows = await queryDuckDB(database, `DESCRIBE SELECT * FROM ${relation}`);
  return rows.map((row) => `${row.column_name} ${row.column_type}`);
}

for (const [label, env] of [["native scan", "1"], ["Arrow path", "0"]]) {
  Deno.test(`extract (${label}) keeps every column type and value of real-world-like files`, async () => {
    await using dir = await tempDir();
    const paths = Object.keys(FIXTURES).map((name) =>
      Deno.readDirSync(TYPED).find((entry) => entry.name.split(".")[0] === name)!.name
    );
    const run = await runCli([
      "extract",
      "--connector",
      "files",
      "--set",
      `base_dir=${TYPED}`,
      "--set",
      `paths=${paths.join(",")}`,
      "--out",
      join(dir.path, "out"),
    ], { env: { DVT_NATIVE_SCAN: env } });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    // The native path checks its output against the declared schema and says when it falls back.
    assert.doesNotMatch(run.stderr, /native scan/, run.stderr);
    const database = join(dir.path, "out/extract.duckdb");
    for (const [table, reader] of Object.entries(FIXTURES)) {
      const source = await describe(undefined, reader);
      assert.deepEqual(await describe(database, `"${table}"`), source, table);
      const [{ differing, rows }] = await queryDuckDB(
        database,
        `SELECT (SELECT count(*) FROM (FROM "${table}" EXCEPT ALL FROM ${reader}))::INTEGER +
                (SELECT count(*) FROM (FROM ${reader} EXCEPT ALL FROM "${table}"))::INTEGER
                  AS differing,
                (SELECT count(*) FROM "${table}")::INTEGER AS rows`,
      );
      assert.equal(differing, 0, `${table}: rows differ from the source`);
      assert.ok(Number(rows) >= 3, table);
    }
  });
}

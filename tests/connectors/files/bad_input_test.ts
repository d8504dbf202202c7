/**
 * Bad input never replaces good data: `dvt extract --connector files` as a child process, first
 * on good files, then on the same files made bad. Each bad run must fail with exit 2 naming the
 * file (and line, where DuckDB reports one), and the published extract must stay as it was.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { queryDuckDB, runCli, tempDir } from "../../_helpers.ts";

const ROWS = 50_000;

function csvLines(bad?: { line: number; text: string }): string {
  const lines = ["id,name,amount"];
  for (let id = 1; id <= ROWS; id++) lines.push(`${id},name ${id},${id * 2}`);
  if (bad) lines[bad.line - 1] = bad.text;
  return lines.join("\n") + "\n";
}

function ndjsonLines(badLine?: number): string {
  const lines: string[] = [];
  for (let id = 1; id <= ROWS; id++) lines.push(JSON.stringify({ id, name: `name ${id}` }));
  if (badLine) lines[badLine - 1] = `{"id": ${badLine}, "name": }`;
  return lines.join("\n") + "\n";
}

async function extract(
  dir: string,
  file: string,
  env: Record<string, string> = {},
  sets: string[] = [],
) {
  return await runCli([
    "extract",
    "--connector",
    "files",
    "--set",
    `paths=${join(dir, file)}`,
    ...sets,
    "--out",
    join(dir, "out"),
  ], { env });
}

async function published(dir: string, table: string) {
  const [row] = await queryDuckDB(
    join(dir, "out/extract.duckdb"),
    `SELECT count(*)::INTEGER AS n, max(id)::INTEGER AS top FROM "${table}"`,
  );
  return row;
}

const PATHS = [{ DVT_NATIVE_SCAN: "1" }, { DVT_NATIVE_SCAN: "0" }];

for (
  const { name, file, good, bad, pattern } of [
    {
      name: "a 4th field at line 30,002",
      file: "orders.csv",
      good: csvLines(),
      bad: csvLines({ line: 30_002, text: "30001,name 30001,60002,extra" }),
      pattern: /orders\.csv at line 30002: Expected Number of Columns: 3 Found: 4/,
    },
    {
      name: "N/A in a numeric column at row 45,001",
      file: "orders.csv",
      good: csvLines(),
      bad: csvLines({ line: 45_002, text: "45001,name 45001,N/A" }),
      pattern: /orders\.csv at line 45002: .*Could not convert string "N\/A"/,
    },
    {
      name: "a broken NDJSON line late in the file",
      file: "events.ndjson",
      good: ndjsonLines(),
      bad: ndjsonLines(45_001),
      // DuckDB 1.5 reports the line after the broken one; dvt passes its words on.
      pattern: /malformed JSON in .*events\.ndjson: .*in line 4500[12]: unexpected character/,
    },
  ]
) {
  Deno.test(`extract: ${name} fails the table with exit 2; the previous data stays`, async () => {
    await using dir = await tempDir();
    await Deno.writeTextFile(join(dir.path, file), good);
    const first = await extract(dir.path, file);
    assert.equal(first.code, 0, first.stderr);
    const table = file.split(".")[0];
    assert.deepEqual(await published(dir.path, table), { n: ROWS, top: ROWS });
    await Deno.writeTextFile(join(dir.path, file), bad);
    for (const env of PATHS) {
      const run = await extract(dir.path, file, env);
      assert.equal(run.code, 2, `${JSON.stringify(env)}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr, pattern, JSON.stringify(env));
      assert.equal(run.stderr.match(/error: /g)?.length, 1, run.stderr);
      assert.deepEqual(await published(dir.path, table), { n: ROWS, top: ROWS });
    }
  });
}

Deno.test("extract: a ragged row, an empty file or a wrong delimiter is refused, not published as one column", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "people.csv");
  await Deno.writeTextFile(file, "id,name\n1,ann\n2,bob\n");
  assert.equal((await extract(dir.path, "people.csv")).code, 0);
  const before = await queryDuckDB(join(dir.path, "out/extract.duckdb"), "FROM people ORDER BY id");
  const cases = [
    {
      content: "id,name\n1,ann\n2,bob,extra\n3,cy\n",
      sets: [],
      pattern: /people\.csv: .*read as one column named "id,name"/,
    },
    { content: "", sets: [], pattern: /people\.csv: .*the file is empty/ },
    {
      content: "id,name\n1,ann\n2,bob\n",
      sets: ["--set", "delimiter=;;"],
      pattern: /people\.csv: .*the delimiter ";;" does not split its header/,
    },
  ];
  for (const { content, sets, pattern } of cases) {
    await Deno.writeTextFile(file, content);
    const run = await extract(dir.path, "people.csv", {}, sets);
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stderr, pattern);
    const after = await queryDuckDB(
      join(dir.path, "out/extract.duckdb"),
      "FROM people ORDER BY id",
    );
    assert.deepEqual(after, before);
  }
});

Deno.test("extract: allow_empty publishes an empty file as an empty table", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(join(dir.path, "nothing.csv"), "");
  const run = await extract(dir.path, "nothing.csv", {}, ["--set", "allow_empty=true"]);
  assert.equal(run.code, 0, run.stderr);
  const [row] = await queryDuckDB(
    join(dir.path, "out/extract.duckdb"),
    "SELECT count(*)::INTEGER AS n FROM nothing",
  );
  assert.equal(row.n, 0);
});

Deno.test("extract: JSON keys differing only in case are bad input naming the file, reported once", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(join(dir.path, "dups.json"), '{"a": {"x": 1, "X": 2}}\n');
  const run = await extract(dir.path, "dups.json");
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /cannot read .*dups\.json: Not implemented Error: Duplicate name "X"/);
  assert.equal(run.stderr.match(/Duplicate name/g)?.length, 1, run.stderr);
  assert.doesNotMatch(run.stderr, /discover\(\) failed/);
});

import assert from "node:assert/strict";
import { REPO_ROOT, tempDir } from "../../_helpers.ts";
import { DuckDB } from "../../../runtime/parquet/duckdb.ts";
import { quoteIdentifier, quoteLiteral } from "../../../runtime/util/sql.ts";

Deno.test("DuckDB.create() runs queries and reports native failures as 'Failed to <verb>'", async () => {
  await using db = await DuckDB.create(":memory:");
  await db.run(`CREATE TABLE ${quoteIdentifier('we"ird')} (v VARCHAR)`);
  await db.run(`INSERT INTO ${quoteIdentifier('we"ird')} VALUES (${quoteLiteral("it's")})`);
  assert.deepEqual(await db.all(`SELECT v FROM ${quoteIdentifier('we"ird')}`), [{ v: "it's" }]);
  await assert.rejects(
    () => db.all("SELECT * FROM missing"),
    /^Error: Failed to query SELECT \* FROM missing: Catalog Error/,
  );
});

Deno.test("DuckDB.create() fails clearly on a file that is not a database", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/x.duckdb`, "not a database");
  await assert.rejects(
    () => DuckDB.create(`${dir.path}/x.duckdb`, { readOnly: true }),
    /Failed to open/,
  );
});

Deno.test("DuckDB's native library loads on the first create(), not when the extract pipeline is imported", async () => {
  // In a fresh process: what is mapped after importing the pipeline, then after opening a database.
  const script = `
    const mapped = async () => /libduckdb\\.so/.test(await Deno.readTextFile("/proc/self/maps"));
    await import(${
    JSON.stringify(new URL("../../../runtime/commands/run_extract.ts", import.meta.url).href)
  });
    const afterImport = await mapped();
    const { DuckDB } = await import(${
    JSON.stringify(new URL("../../../runtime/parquet/duckdb.ts", import.meta.url).href)
  });
    (await DuckDB.create(":memory:")).close();
    console.log(JSON.stringify({ afterImport, afterCreate: await mapped() }));`;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--config", `${REPO_ROOT}deno.json`, "--ext=ts", script],
    cwd: REPO_ROOT,
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const seen = JSON.parse(new TextDecoder().decode(output.stdout));
  assert.deepEqual(seen, { afterImport: false, afterCreate: true });
});

import assert from "node:assert/strict";
import { tempDir } from "../../_helpers.ts";
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

/**
 * The history engine (history.ts) on its own: the last delivered row of a key wins, composite
 * keys, a deleted flag, deleting every key, the reserved column names, and a `_current` view
 * whose name another table has.
 */
import assert from "node:assert/strict";
import { tempDir } from "../../_helpers.ts";
import { DuckDB } from "../../../runtime/parquet/duckdb.ts";
import { type HistoryMerge, mergeHistory } from "../../../runtime/extract/history.ts";
import * as arrow from "apache-arrow";
import { ConnectorRuntime } from "../../../runtime/extract/runtime.ts";
import { InputError } from "../../../runtime/errors.ts";
import { Cap, type Connector } from "../../../runtime/protocol.ts";

const DAY_1 = new Date("2026-03-01T00:00:00Z");
const DAY_2 = new Date("2026-03-02T00:00:00Z");

async function parquet(path: string, select: string): Promise<string> {
  await using db = await DuckDB.create(":memory:");
  await db.run(`COPY (${select}) TO '${path}' (FORMAT parquet)`);
  return path;
}

async function rows(files: string[], columns: string): Promise<unknown[][]> {
  await using db = await DuckDB.create(":memory:");
  const list = files.map((file) => `'${file}'`).join(", ");
  const result = await db.all(
    `SELECT ${columns} FROM read_parquet([${list}], union_by_name = true,
      hive_partitioning = false) ORDER BY ALL`,
  );
  return result.map((row) => Object.values(row));
}

function merge(dir: string, run: string, fields: Partial<HistoryMerge>): HistoryMerge {
  return {
    table: "t",
    current: [],
    incoming: [],
    primaryKey: ["id"],
    validFrom: DAY_1,
    closeMissing: false,
    workDir: `${dir}/${run}`,
    ...fields,
  };
}

Deno.test("history: the last row delivered for a key wins; composite keys; a deleted flag", async () => {
  await using dir = await tempDir();
  const first = await parquet(
    `${dir.path}/1.parquet`,
    `SELECT * FROM (VALUES (1, 'a', 'x', false), (1, 'b', 'x', false), (1, 'a', 'y', false),
      (2, 'a', 'x', false)) t(id, region, v, gone)`,
  );
  const one = await mergeHistory(
    merge(dir.path, "r1", { incoming: [first], primaryKey: ["id", "region"], deletedFlag: "gone" }),
  );
  assert.equal(one.currentRows, 3);
  assert.deepEqual(await rows(one.current, "id, region, v"), [
    [1, "a", "y"],
    [1, "b", "x"],
    [2, "a", "x"],
  ]);
  const second = await parquet(
    `${dir.path}/2.parquet`,
    `SELECT * FROM (VALUES (1, 'a', 'y', false), (1, 'b', 'z', false), (2, 'a', 'x', true))
      t(id, region, v, gone)`,
  );
  const two = await mergeHistory(merge(dir.path, "r2", {
    current: one.current,
    incoming: [second],
    primaryKey: ["id", "region"],
    deletedFlag: "gone",
    validFrom: DAY_2,
  }));
  const validity = "id, region, v, _dvt_valid_from::VARCHAR, _dvt_valid_to::VARCHAR";
  assert.deepEqual(await rows(two.closed, validity), [
    [1, "b", "x", "2026-03-01 00:00:00+00", "2026-03-02 00:00:00+00"],
    [2, "a", "x", "2026-03-01 00:00:00+00", "2026-03-02 00:00:00+00"],
  ]);
  assert.deepEqual(await rows(two.current, validity), [
    [1, "a", "y", "2026-03-01 00:00:00+00", null],
    [1, "b", "z", "2026-03-02 00:00:00+00", null],
  ]);
});

Deno.test("history: a full read without rows closes every key and keeps an empty current part", async () => {
  await using dir = await tempDir();
  const first = await parquet(`${dir.path}/1.parquet`, "SELECT range AS id FROM range(3)");
  const one = await mergeHistory(merge(dir.path, "r1", { incoming: [first] }));
  const empty = await parquet(`${dir.path}/2.parquet`, "SELECT range AS id FROM range(0)");
  const two = await mergeHistory(merge(dir.path, "r2", {
    current: one.current,
    incoming: [empty],
    closeMissing: true,
    validFrom: DAY_2,
  }));
  assert.equal(two.closedRows, 3);
  assert.equal(two.currentRows, 0);
  assert.deepEqual(await rows(two.current, "*"), []);
  assert.deepEqual(
    (await rows(two.current.concat(two.closed), "_dvt_is_current")).flat(),
    [false, false, false],
  );
});

Deno.test("history: a source column named like dvt's own fails the table", async () => {
  await using dir = await tempDir();
  const file = await parquet(`${dir.path}/1.parquet`, "SELECT 1 AS id, true AS _dvt_is_current");
  await assert.rejects(
    () => mergeHistory(merge(dir.path, "r1", { incoming: [file] })),
    /has a column "_dvt_is_current", which history tables add themselves/,
  );
});

Deno.test("history: a table named like another's _current view is bad input before any read", async () => {
  await using dir = await tempDir();
  const schema = new arrow.Schema([new arrow.Field("id", new arrow.Int32())]);
  let reads = 0;
  const connector: Connector = {
    capabilities: Cap.DISCOVER | Cap.READ,
    discover: () => [
      { name: "a", schema, capabilities: Cap.READ, primaryKey: ["id"] },
      { name: "a_current", schema, capabilities: Cap.READ },
    ],
    *read() {
      reads++;
      yield new arrow.Table({ id: arrow.vectorFromArray([1], new arrow.Int32()) }).batches[0];
    },
  };
  const settings = { a: { disposition: "history" as const } };
  await assert.rejects(
    () => new ConnectorRuntime(dir.path).run(connector, { settings }),
    (error: Error) =>
      error instanceof InputError &&
      error.message ===
        'table "a" keeps history, whose view "a_current" is the name of table "a_current"',
  );
  assert.equal(reads, 0);
  // Without the other table in the extract there is no clash.
  const alone = await new ConnectorRuntime(dir.path).run(connector, { tables: ["a"], settings });
  assert.equal(alone.tablesExtracted, 1);
});

Deno.test("history: an added or retyped column makes no version by itself", async () => {
  await using dir = await tempDir();
  const first = await parquet(
    `${dir.path}/1.parquet`,
    "SELECT * FROM (VALUES (1::INT, 'Ada'), (2::INT, 'Grace')) t(id, name)",
  );
  const one = await mergeHistory(merge(dir.path, "r1", { incoming: [first] }));
  // id widened to BIGINT, country added: only Ada's row has a new value.
  const select = `SELECT * FROM (VALUES (1::BIGINT, 'Ada', 'NL'), (2::BIGINT, 'Grace', NULL))
    t(id, name, country)`;
  const second = await parquet(`${dir.path}/2.parquet`, select);
  const two = await mergeHistory(
    merge(dir.path, "r2", { current: one.current, incoming: [second], validFrom: DAY_2 }),
  );
  assert.deepEqual(await rows(two.closed, "id::INT, name"), [[1, "Ada"]]);
  assert.deepEqual(await rows(two.current, "id::INT, name, country"), [
    [1, "Ada", "NL"],
    [2, "Grace", null],
  ]);
  // The next run with the same rows compares like with like: nothing changes.
  const third = await parquet(`${dir.path}/3.parquet`, select);
  const three = await mergeHistory(
    merge(dir.path, "r3", { current: two.current, incoming: [third], validFrom: DAY_2 }),
  );
  assert.equal(three.closedRows, 0);
  assert.equal(three.currentRows, 2);
});

/**
 * A list column that breaks its declared nullability after the first 150,000 rows (past a
 * row group the direct Parquet writer has already flushed) fails the table, and the extract
 * published before stays as it was: rows, values and files.
 */
import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { queryDuckDB, tempDir } from "../../_helpers.ts";
import { ConnectorRuntime } from "../../../runtime/extract/runtime.ts";
import { memoryConnector } from "../../fixtures/runtime/connectors.ts";
import { batchOf } from "../parquet/_batches.ts";

const TAGS = new arrow.List(new arrow.Field("item", new arrow.Int64(), false));
const SCHEMA = new arrow.Schema([
  new arrow.Field("id", new arrow.Int32(), false),
  new arrow.Field("tags", TAGS, false),
]);
const BATCH_ROWS = 50_000;

function column<T extends arrow.DataType>(type: T, values: unknown[]): arrow.Data<T> {
  const builder = arrow.makeBuilder({ type, nullValues: [null, undefined] });
  for (const value of values) builder.append(value as never);
  return builder.finish().flush() as arrow.Data<T>;
}

/** Rows [from, from + BATCH_ROWS); `nullAt` (an id) gets a null element, which TAGS forbids. */
function tagBatch(from: number, run: number, nullAt?: number): arrow.RecordBatch {
  const ids = Array.from({ length: BATCH_ROWS }, (_, i) => from + i);
  const tags = ids.map((id) =>
    id === nullAt ? [BigInt(id), null] : [BigInt(id), BigInt(run)].slice(0, (id % 3) + 1)
  );
  return batchOf(SCHEMA, [column(new arrow.Int32(), ids), column(TAGS, tags)]);
}

Deno.test("a null in a NOT NULL list after 150,000 rows fails the table; the published extract stays", async () => {
  await using dir = await tempDir();
  let run = 1;
  const { connector } = memoryConnector([{
    info: { name: "events", schema: SCHEMA },
    *batches() {
      for (let from = 0; from < 3 * BATCH_ROWS; from += BATCH_ROWS) yield tagBatch(from, run);
      // The second run goes on past the first row group (122,880 rows), then breaks.
      if (run === 2) yield tagBatch(3 * BATCH_ROWS, run, 3 * BATCH_ROWS + 20_000);
    },
  }]);
  const runtime = new ConnectorRuntime(dir.path);
  const first = await runtime.run(connector);
  assert.equal(first.tablesFailed, 0);
  const summary = `SELECT count(*)::INT AS n, sum(len(tags))::INT AS elements,
    max(tags[2])::INT AS run FROM events`;
  const before = await queryDuckDB(`${dir.path}/extract.duckdb`, summary);
  // Lists of 1, 2, 2 elements in turn (id % 3 = 0, 1, 2).
  assert.deepEqual(before, [{ n: 150_000, elements: 250_000, run: 1 }]);
  const filesBefore = (await Array.fromAsync(Deno.readDir(`${dir.path}/data`))).map((f) => f.name);

  run = 2;
  const second = await runtime.run(connector);
  assert.equal(second.tablesFailed, 1);
  assert.match(second.errors[0].message, /column "tags" is a list declared without nulls/);
  assert.deepEqual(await queryDuckDB(`${dir.path}/extract.duckdb`, summary), before);
  const filesAfter = (await Array.fromAsync(Deno.readDir(`${dir.path}/data`))).map((f) => f.name);
  assert.deepEqual(filesAfter.sort(), filesBefore.sort(), "the failed run left no file behind");
});

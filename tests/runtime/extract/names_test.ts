import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { relative, resolve } from "node:path";
import { queryDuckDB, tempDir } from "../../_helpers.ts";
import { assignNames, isSafeName, normaliseName } from "../../../runtime/extract/names.ts";
import { ConnectorRuntime } from "../../../runtime/extract/runtime.ts";
import { batchOf, memoryConnector, schemaOf } from "../../fixtures/runtime/connectors.ts";

const hostile = [
  "../../etc/passwd",
  "a/b",
  "sales.orders",
  "Order Items",
  '"; DROP TABLE x; --',
  "",
  "日本語",
  "Ünïcödé Tàblé",
  "123abc",
  "..",
  "a\\b",
  "x".repeat(300),
];

Deno.test("normaliseName() produces safe identifiers", () => {
  for (const source of hostile) {
    const name = normaliseName(source);
    assert.ok(isSafeName(name), `${JSON.stringify(source)} -> ${name}`);
  }
  assert.equal(normaliseName("sales.orders"), "sales_orders");
  assert.equal(normaliseName("Order Items"), "order_items");
  assert.equal(normaliseName("123abc"), "t_123abc");
  assert.equal(normaliseName("Ünïcödé Tàblé"), "unicode_table");
  assert.equal(normaliseName("customerOrders"), "customer_orders");
  assert.equal(normaliseName("日本語"), normaliseName("日本語"), "stable");
  assert.notEqual(normaliseName("日本語"), normaliseName("中文"));
});

Deno.test("assignNames() dedupes collisions and keeps previous names", () => {
  const names = assignNames(["Order Items", "order_items", "order-items"]);
  assert.deepEqual([...names.values()].sort(), ["order_items", "order_items_2", "order_items_3"]);
  const kept = assignNames(
    ["order_items", "Order Items"],
    new Map([["Order Items", "order_items"]]),
  );
  assert.equal(kept.get("Order Items"), "order_items");
  assert.equal(kept.get("order_items"), "order_items_2");
});

Deno.test("run() keeps every path of hostile table names inside the output directory", async () => {
  await using dir = await tempDir();
  const out = `${dir.path}/out`;
  const schema = schemaOf({ v: new arrow.Utf8() });
  const { connector } = memoryConnector(hostile.map((name) => ({
    info: { name, schema },
    *batches() {
      yield batchOf({ v: { type: new arrow.Utf8(), values: [name] } });
    },
  })));
  const result = await new ConnectorRuntime(out).run(connector);
  assert.equal(result.tablesExtracted, hostile.length);
  for await (const path of walk(dir.path)) {
    const rel = relative(resolve(out), path);
    assert.ok(!rel.startsWith(".."), `${path} escaped ${out}`);
  }
  const meta = await queryDuckDB(
    `${out}/extract.duckdb`,
    "SELECT table_name, source_name FROM _meta",
  );
  assert.equal(meta.length, hostile.length);
  for (const { table_name, source_name } of meta) {
    const rows = await queryDuckDB(`${out}/extract.duckdb`, `SELECT v FROM "${table_name}"`);
    assert.deepEqual(rows, [{ v: source_name }]);
  }
});

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    yield path;
    if (entry.isDirectory) yield* walk(path);
  }
}

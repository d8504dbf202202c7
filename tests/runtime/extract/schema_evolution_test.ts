import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { tempDir } from "../../_helpers.ts";
import { ConnectorRuntime } from "../../../runtime/extract/runtime.ts";
import { diffSchemas } from "../../../runtime/extract/schema_evolution.ts";
import { formatSchemaChange } from "../../../runtime/extract/summary.ts";
import { emptyBatch } from "../../../runtime/parquet/arrow_schema.ts";
import { memoryConnector, schemaOf } from "../../fixtures/runtime/connectors.ts";

function connectorWith(fields: Record<string, arrow.DataType>) {
  const schema = schemaOf(fields);
  return memoryConnector([{
    info: { name: "t", schema },
    *batches() {
      yield emptyBatch(schema);
    },
  }])
    .connector;
}

const cases: [string, Record<string, arrow.DataType>, object[]][] = [
  ["no change", { id: new arrow.Int32(), name: new arrow.Utf8() }, []],
  ["added column", { id: new arrow.Int32(), name: new arrow.Utf8(), email: new arrow.Utf8() }, [
    { table: "t", added: ["email"], removed: [], retyped: [] },
  ]],
  ["removed column", { id: new arrow.Int32() }, [
    { table: "t", added: [], removed: ["name"], retyped: [] },
  ]],
  ["type change", { id: new arrow.Int64(), name: new arrow.Utf8() }, [
    { table: "t", added: [], removed: [], retyped: [{ column: "id", from: "Int32", to: "Int64" }] },
  ]],
];

for (const [label, fields, expected] of cases) {
  Deno.test(`run() reports schema evolution: ${label}`, async () => {
    await using dir = await tempDir();
    const runtime = new ConnectorRuntime(dir.path);
    const first = await runtime.run(
      connectorWith({ id: new arrow.Int32(), name: new arrow.Utf8() }),
    );
    assert.deepEqual(first.schemaChanges, [], "first run reports nothing");
    const second = await runtime.run(connectorWith(fields));
    assert.deepEqual(second.schemaChanges, expected);
    const snapshot = JSON.parse(await Deno.readTextFile(`${dir.path}/.dvt/schemas/t.json`));
    assert.deepEqual(snapshot.fields.map((f: { name: string }) => f.name), Object.keys(fields));
  });
}

Deno.test("diffSchemas() returns nothing on the first run", () => {
  assert.equal(diffSchemas("t", undefined, { fields: [] }), undefined);
});

Deno.test("formatSchemaChange() renders a change as the summary and dvt status print it", () => {
  assert.equal(
    formatSchemaChange({
      table: "t",
      added: ["a"],
      removed: ["b"],
      retyped: [{ column: "c", from: "Int32", to: "Utf8" }],
    }),
    "+a, -b, ~c (Int32 -> Utf8)",
  );
});

Deno.test("run() reports a schema change only once the table lands", async () => {
  await using dir = await tempDir();
  const runtime = new ConnectorRuntime(dir.path);
  await runtime.run(connectorWith({ id: new arrow.Int32() }));
  const wider = schemaOf({ id: new arrow.Int32(), email: new arrow.Utf8() });
  const failing = memoryConnector([{
    info: { name: "t", schema: wider },
    // deno-lint-ignore require-yield -- a read that fails before its first batch
    *batches() {
      throw new Error("source went away");
    },
  }]).connector;
  const failed = await runtime.run(failing);
  assert.equal(failed.tablesFailed, 1);
  assert.deepEqual(failed.schemaChanges, [], "a table that did not land changed nothing");
  const landed = await runtime.run(
    connectorWith({ id: new arrow.Int32(), email: new arrow.Utf8() }),
  );
  assert.deepEqual(landed.schemaChanges, [
    { table: "t", added: ["email"], removed: [], retyped: [] },
  ]);
  const again = await runtime.run(
    connectorWith({ id: new arrow.Int32(), email: new arrow.Utf8() }),
  );
  assert.deepEqual(again.schemaChanges, [], "reported once");
});

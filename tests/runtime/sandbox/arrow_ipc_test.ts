import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { decodeBatch, encodeBatch } from "../../../runtime/sandbox/arrow_ipc.ts";

function sample(ids: number[]): arrow.RecordBatch {
  return new arrow.Table({
    id: arrow.vectorFromArray(BigInt64Array.from(ids.map(BigInt))),
    value: arrow.vectorFromArray(Float64Array.from(ids.map((id) => id / 4))),
    // (Plain strings would become a dictionary column, which crosses as IPC.)
    label: arrow.vectorFromArray(ids.map((id) => id % 2 ? null : `label ${id}`), new arrow.Utf8()),
  }).batches[0];
}

function rows(batch: arrow.RecordBatch): unknown[] {
  return [...new arrow.Table(batch)].map((row) => row.toJSON());
}

Deno.test("a flat batch crosses as copied column bytes and decodes to the same values", () => {
  const batch = sample([1, 2, 3, 4]);
  const [wire, transfer] = encodeBatch(batch);
  assert.ok(wire.flat?.schemaIpc, "the first batch of a read carries its schema");
  const decoded = decodeBatch(structuredClone(wire, { transfer }));
  assert.deepEqual(rows(decoded), rows(batch));
  assert.equal(batch.getChild("id")!.get(0), 1n, "the connector keeps its own buffers");
});

Deno.test("an unchanged schema is sent once per read; the next batches decode against it", () => {
  const first = sample([1, 2]);
  const second = new arrow.RecordBatch(first.schema, sample([3, 4, 5]).data);
  const [firstWire] = encodeBatch(first);
  const [secondWire] = encodeBatch(second, first.schema);
  assert.equal(secondWire.flat?.schemaIpc, undefined);
  const schema = decodeBatch(firstWire).schema;
  assert.deepEqual(rows(decodeBatch(secondWire, schema)), rows(second));
  assert.throws(() => decodeBatch(secondWire), /a flat batch without a schema/);
  const renamed = new arrow.RecordBatch(
    first.schema.select(["id", "value"]),
    first.data,
  );
  const [changed] = encodeBatch(renamed, first.schema);
  assert.ok(changed.flat?.schemaIpc, "a different schema is sent again");
  const tagged = new arrow.Schema(first.schema.fields, new Map([["origin", "x"]]));
  const [retagged] = encodeBatch(new arrow.RecordBatch(tagged, first.data), first.schema);
  assert.ok(retagged.flat?.schemaIpc, "so is the same columns with other metadata");
});

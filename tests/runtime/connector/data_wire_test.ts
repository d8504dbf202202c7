import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import {
  batchFromWire,
  batchToWire,
  packDataToWire,
  wireable,
} from "../../../runtime/connector/data_wire.ts";

const schema = new arrow.Schema([
  new arrow.Field("id", new arrow.Int64(), false),
  new arrow.Field("key", new arrow.Utf8()),
  new arrow.Field("done", new arrow.Bool()),
  new arrow.Field("due", new arrow.DateDay()),
  new arrow.Field("updated", new arrow.TimestampMicrosecond("UTC")),
  new arrow.Field("price", new arrow.Decimal(2, 10, 128)),
  new arrow.Field("labels", new arrow.List(new arrow.Field("item", new arrow.Utf8()))),
  new arrow.Field(
    "author",
    new arrow.Struct([
      new arrow.Field("name", new arrow.Utf8()),
      new arrow.Field("active", new arrow.Bool()),
    ]),
  ),
]);

function rows(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    id: BigInt(i),
    key: i % 3 ? `A-${i}` : null,
    done: i % 4 === 0 ? null : i % 2 === 0,
    due: i % 5 ? Date.UTC(2026, 0, 1 + i) : null,
    updated: i % 6 ? Date.UTC(2026, 2, 1, 12, i) : null,
    price: i % 7 ? new Uint32Array([i * 101, 0, 0, 0]) : null,
    labels: i % 3 === 1 ? null : Array.from({ length: i % 4 }, (_, j) => `l${i}-${j}`),
    author: i % 8 ? { name: `user ${i}`, active: i % 2 === 1 } : null,
  }));
}

function batchOf(values: ReturnType<typeof rows>): arrow.RecordBatch {
  const children = schema.fields.map((field) => {
    const builder = arrow.makeBuilder({ type: field.type, nullValues: [null] });
    for (const row of values) builder.append((row as Record<string, unknown>)[field.name]);
    return builder.finish().flush();
  });
  const data = arrow.makeData({
    type: new arrow.Struct(schema.fields),
    length: values.length,
    nullCount: 0,
    children,
  });
  return new arrow.RecordBatch(schema, data);
}

function plain(batch: arrow.RecordBatch): unknown[] {
  return batch.toArray().map((row) =>
    JSON.parse(
      JSON.stringify(row.toJSON(), (_k, v) =>
        typeof v === "bigint"
          ? String(v)
          : v && typeof v === "object" && "toJSON" in v
          ? v.toJSON()
          : v),
    )
  );
}

Deno.test("data wire: a batch crosses as its buffers (structured clone) and reads back value for value, sliced ones too", () => {
  assert.equal(wireable(schema), true);
  const batch = batchOf(rows(50));
  for (const part of [batch, batch.slice(7, 31)]) {
    const crossed = structuredClone(batchToWire(part));
    const back = batchFromWire(schema, crossed);
    assert.equal(back.numRows, part.numRows);
    assert.deepEqual(plain(back), plain(part));
    assert.equal(back.getChild("key")!.nullCount, part.getChild("key")!.nullCount);
  }
});

Deno.test("data wire: dictionaries and view types are left to IPC", () => {
  const dictionary = new arrow.Schema([
    new arrow.Field("status", new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())),
  ]);
  assert.equal(wireable(dictionary), false);
  const nested = new arrow.Schema([
    new arrow.Field(
      "tags",
      new arrow.List(
        new arrow.Field("item", new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())),
      ),
    ),
  ]);
  assert.equal(wireable(nested), false);
});

Deno.test("data wire: packDataToWire copies only the bytes a batch's views cover into one buffer, which crosses by transfer", () => {
  // Decoded IPC: every column's views share the message's buffer, as a Databricks chunk's do.
  const decoded = arrow.tableFromIPC(arrow.tableToIPC(new arrow.Table([batchOf(rows(4000))])));
  const shared = decoded.batches[0].getChild("id")!.data[0].values.buffer as ArrayBuffer;
  const part = decoded.batches[0].slice(1000, 1100);
  const asked: number[] = [];
  const { wire, buffer } = packDataToWire(part.data, (bytes) => {
    asked.push(bytes);
    return new ArrayBuffer(bytes + 64);
  });
  assert.equal(asked.length, 1);
  // Exactly the views' bytes (8-byte aligned); a clone would copy the shared buffer per view.
  let covered = 0;
  const measure = (data: arrow.Data): void => {
    for (const view of [data.valueOffsets, data.values, data.nullBitmap, data.typeIds]) {
      if (view) covered += Math.ceil(view.byteLength / 8) * 8;
    }
    data.children.forEach(measure);
  };
  measure(part.data);
  assert.equal(asked[0], covered);
  assert.ok(covered < shared.byteLength / 2, `${covered} bytes packed of ${shared.byteLength}`);
  const views: ArrayBufferView[] = [];
  const collect = (node: typeof wire): void => {
    for (const view of node.buffers) if (view) views.push(view);
    node.children.forEach(collect);
  };
  collect(wire);
  assert.ok(views.every((view) => view.buffer === buffer && view.byteOffset % 8 === 0));
  const crossed = structuredClone(wire, { transfer: [buffer] });
  assert.equal(buffer.byteLength, 0); // moved, not copied
  assert.deepEqual(plain(batchFromWire(schema, crossed)), plain(part));
  assert.equal(part.getChild("key")!.get(1), "A-1001"); // the caller's batch stays usable
});

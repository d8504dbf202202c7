import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { concatBatches } from "../../../runtime/serve/concat_batches.ts";

const SCHEMA = new arrow.Schema([
  new arrow.Field("id", new arrow.Int64(), false),
  new arrow.Field("name", new arrow.Utf8(), true),
  new arrow.Field("ok", new arrow.Bool(), true),
  new arrow.Field("at", new arrow.TimestampMicrosecond("UTC"), true),
  new arrow.Field("day", new arrow.DateDay(), true),
  new arrow.Field("amount", new arrow.Decimal(2, 12, 128), true),
  new arrow.Field("ratio", new arrow.Float64(), true),
  new arrow.Field("labels", new arrow.List(new arrow.Field("item", new arrow.Utf8(), true)), true),
  new arrow.Field(
    "user",
    new arrow.Struct([
      new arrow.Field("key", new arrow.Utf8(), true),
      new arrow.Field("n", new arrow.Int32(), true),
    ]),
    true,
  ),
]);

/** A batch of `rows` rows with every column's values and some nulls, built by Arrow itself. */
function batchOf(first: number, rows: number): arrow.RecordBatch {
  const values = (field: arrow.Field, i: number): unknown => {
    const n = first + i;
    if (field.nullable && n % 5 === 3) return null;
    switch (field.name) {
      case "id":
        return BigInt(n);
      case "name":
        return `name ${n} ${"é".repeat(n % 4)}`;
      case "ok":
        return n % 3 === 0;
      case "at":
        return n * 1_000_003;
      case "day":
        return new Date(Date.UTC(2026, 0, 1 + n));
      case "amount":
        return new Uint32Array([n * 7, 0, 0, 0]);
      case "ratio":
        return n / 7;
      case "labels":
        return Array.from({ length: n % 3 }, (_, k) => `l${n}-${k}`);
      case "user":
        return { key: `u${n}`, n };
    }
  };
  const children = SCHEMA.fields.map((field) => {
    const builder = arrow.makeBuilder({ type: field.type, nullValues: [null] });
    for (let i = 0; i < rows; i++) builder.append(values(field, i) as never);
    return builder.finish().flush();
  });
  return new arrow.RecordBatch(
    SCHEMA,
    arrow.makeData({ type: new arrow.Struct(SCHEMA.fields), length: rows, nullCount: 0, children }),
  );
}

function rowsOf(batches: arrow.RecordBatch[]): string {
  const table = new arrow.Table(SCHEMA, batches);
  return JSON.stringify(table.toArray(), (_k, v) => typeof v === "bigint" ? `${v}n` : v);
}

Deno.test("concatBatches() makes one batch with every value of many small ones", () => {
  const batches = [batchOf(0, 1), batchOf(1, 3), batchOf(4, 1), batchOf(5, 7), batchOf(12, 1)];
  // A slice (as a batch taken from a bigger one) starts at an offset into its buffers.
  batches.push(batchOf(13, 9).slice(2, 6));
  const combined = concatBatches(SCHEMA, batches);
  assert.equal(combined.length, 1);
  assert.equal(combined[0].numRows, 1 + 3 + 1 + 7 + 1 + 4);
  assert.equal(rowsOf(combined), rowsOf(batches));
  const nulls = batches.reduce((sum, batch) => sum + batch.getChild("name")!.nullCount, 0);
  assert.equal(combined[0].getChild("name")!.nullCount, nulls);
});

Deno.test("concatBatches() leaves batches of types it cannot join as they are", () => {
  const schema = new arrow.Schema([
    new arrow.Field("d", new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()), true),
  ]);
  const batch = (value: string) => {
    const builder = arrow.makeBuilder({ type: schema.fields[0].type });
    builder.append(value);
    const data = builder.finish().flush();
    return new arrow.RecordBatch(
      schema,
      arrow.makeData({
        type: new arrow.Struct(schema.fields),
        length: 1,
        nullCount: 0,
        children: [data],
      }),
    );
  };
  const batches = [batch("a"), batch("b")];
  assert.equal(concatBatches(schema, batches).length, 2);
});

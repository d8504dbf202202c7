import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import {
  batchFromValues,
  parseDecimal,
  parseTimestampMicros,
  ValueParseError,
} from "../../../runtime/connector/text_columns.ts";

Deno.test("parseDecimal() scales, rounds half away from zero and rejects junk", () => {
  assert.equal(parseDecimal("12.345", 2), 1235n);
  assert.equal(parseDecimal("-12.345", 2), -1235n);
  assert.equal(parseDecimal("7", 3), 7000n);
  assert.equal(parseDecimal("1.5e2", 0), 150n);
  assert.equal(parseDecimal("12a", 2), undefined);
  assert.equal(parseDecimal("", 2), undefined);
});

Deno.test("parseTimestampMicros() reads SQL and ISO forms with offsets and microseconds", () => {
  assert.equal(parseTimestampMicros("1970-01-01 00:00:01.000002"), 1_000_002n);
  assert.equal(parseTimestampMicros("1970-01-01T01:00:00+01:00"), 0n);
  assert.equal(parseTimestampMicros("1970-01-01T00:00:00Z"), 0n);
  assert.equal(parseTimestampMicros("2026-13-01"), undefined);
  assert.equal(parseTimestampMicros("yesterday"), undefined);
});

Deno.test("batchFromValues() builds nested and exact columns and names a bad cell", () => {
  const schema = new arrow.Schema([
    new arrow.Field("id", new arrow.Int64()),
    new arrow.Field("tags", new arrow.List(new arrow.Field("item", new arrow.Utf8()))),
    new arrow.Field(
      "point",
      new arrow.Struct([
        new arrow.Field("x", new arrow.Float64()),
        new arrow.Field("y", new arrow.Float64()),
      ]),
    ),
    new arrow.Field("at", new arrow.TimestampMicrosecond("UTC")),
  ]);
  const batch = batchFromValues(arrow, schema, [
    ["9007199254740993", null],
    ['["a","b"]', ["c"]],
    [{ x: 1, y: "2.5" }, null],
    ["2026-01-01 00:00:00", null],
  ]);
  assert.equal(batch.getChild("id")!.get(0), 9007199254740993n);
  assert.deepEqual([...batch.getChild("tags")!.get(0)!], ["a", "b"]);
  assert.equal(batch.getChild("point")!.get(0)!.y, 2.5);
  assert.equal(batch.getChild("point")!.get(1), null);
  assert.throws(
    () => batchFromValues(arrow, schema, [["x"], [null], [null], [null]], 41),
    (error) =>
      error instanceof ValueParseError &&
      /column "id", row 42: cannot read "x"/.test(error.message),
  );
});

Deno.test("batchFromValues() fast paths agree with exact BigInt parsing", () => {
  const schema = new arrow.Schema([
    new arrow.Field("n", new arrow.Int64()),
    new arrow.Field("d", new arrow.Decimal(3, 20, 128)),
    new arrow.Field("t", new arrow.Utf8()),
  ]);
  const ints = ["0", "4294967295", "4294967296", "999999999999999", "-5", "9223372036854775807"];
  const decimals = ["0", "1.5", "12.345", "-7.25", "999999999999.999", "123456789012345.678"];
  const texts = ["plain", "žluťoučký kůň", "", "a,b", "emoji 🙂", "z"];
  const batch = batchFromValues(arrow, schema, [ints, decimals, texts]);
  assert.deepEqual([...batch.getChild("n")!].map(String), ints);
  const unscaled = (i: number) => {
    const words = batch.getChild("d")!.data[0].values as Uint32Array;
    let value = 0n;
    for (let w = 3; w >= 0; w--) value = (value << 32n) | BigInt(words[i * 4 + w]);
    return BigInt.asIntN(128, value);
  };
  assert.deepEqual(decimals.map((_, i) => unscaled(i)), decimals.map((d) => parseDecimal(d, 3)));
  assert.deepEqual([...batch.getChild("t")!], texts);
});

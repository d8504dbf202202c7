import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { CursorTracker, isoFromEpochNanos } from "../../../runtime/extract/cursor.ts";
import { ExtractError } from "../../../runtime/errors.ts";
import { batchOf, schemaOf } from "../../fixtures/runtime/connectors.ts";

function maxOf(type: arrow.DataType, values: unknown[]) {
  const batch = batchOf({ c: { type, values } });
  const tracker = new CursorTracker("t", "c", batch.schema);
  tracker.observe(batch.slice(0, 2));
  tracker.observe(batch.slice(2));
  return tracker.value();
}

Deno.test("CursorTracker renders the maximum in the protocol's forms", () => {
  assert.equal(maxOf(new arrow.Int32(), [3, null, 9, 4]), 9);
  assert.equal(maxOf(new arrow.Float64(), [1.5, 2.5, null, -1]), 2.5);
  assert.equal(maxOf(new arrow.Int64(), [1n, 9007199254740993n, 5n]), "9007199254740993");
  assert.equal(maxOf(new arrow.Utf8(), ["b", "a", "c", null]), "c");
  assert.equal(
    maxOf(new arrow.DateDay(), [new Date("2026-01-02"), new Date("2026-03-04"), null]),
    "2026-03-04",
  );
  assert.equal(
    maxOf(new arrow.TimestampMillisecond(), [
      new Date("2026-01-02T00:00:00.001Z"),
      new Date("2026-01-02T00:00:00.999Z"),
      null,
    ]),
    "2026-01-02T00:00:00.999Z",
  );
  assert.equal(maxOf(new arrow.Int32(), [null, null, null]), undefined);
});

Deno.test("isoFromEpochNanos() keeps sub-millisecond digits", () => {
  assert.equal(isoFromEpochNanos(1_767_312_000_000_123_000n), "2026-01-02T00:00:00.000123Z");
  assert.equal(isoFromEpochNanos(1_767_312_000_001_000_000n), "2026-01-02T00:00:00.001Z");
});

Deno.test("CursorTracker rejects a missing or unorderable cursor column", () => {
  const schema = schemaOf({ flag: new arrow.Bool() });
  assert.throws(() => new CursorTracker("t", "nope", schema), (error: unknown) => {
    assert.ok(error instanceof ExtractError);
    assert.equal(error.table, "t");
    return true;
  });
  assert.throws(() => new CursorTracker("t", "flag", schema), /cannot order rows/);
});

Deno.test("CursorTracker fails clearly on an infinity cursor instead of a RangeError", () => {
  const micros = (values: bigint[]) => {
    const type = new arrow.TimestampMicrosecond("UTC");
    const data = arrow.makeData({ type, length: values.length, data: BigInt64Array.from(values) });
    const batch = new arrow.RecordBatch({ ts: data });
    const tracker = new CursorTracker("events", "ts", batch.schema);
    tracker.observe(batch);
    return () => tracker.value();
  };
  const infinity = /^table "events": cursor column "ts" holds infinity, which cannot be an/;
  assert.throws(
    micros([1n, 0x7fff_ffff_ffff_ffffn]),
    (e) => e instanceof ExtractError && infinity.test(e.message),
  );
  assert.throws(micros([-0x7fff_ffff_ffff_ffffn]), /holds -infinity/);
  assert.throws(micros([0x7fff_ffff_ffff_0000n]), /holds a date outside years -271821 to 275760/);
  const days = arrow.makeData({
    type: new arrow.DateDay(),
    length: 1,
    data: Int32Array.of(0x7fff_ffff),
  });
  const batch = new arrow.RecordBatch({ d: days });
  const tracker = new CursorTracker("t", "d", batch.schema);
  tracker.observe(batch);
  assert.throws(() => tracker.value(), /cursor column "d" holds infinity/);
});

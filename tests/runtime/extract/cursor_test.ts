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

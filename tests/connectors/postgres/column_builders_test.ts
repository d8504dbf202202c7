/**
 * The NULL mask of the postgres decoders: only NULL rows are recorded, and the validity bitmap
 * (1 = valid) made from them must be exact for any batch length, across batches.
 */
import assert from "node:assert/strict";
import { NullMask } from "../../../connectors/postgres/column_builders.ts";

/** The validity bitmap Arrow expects for `length` rows with `nulls` NULL. */
function expected(length: number, nulls: number[]): Uint8Array {
  const bitmap = new Uint8Array((length + 7) >> 3);
  for (let row = 0; row < length; row++) {
    if (!nulls.includes(row)) bitmap[row >> 3] |= 1 << (row & 7);
  }
  return bitmap;
}

Deno.test("postgres NullMask: exact validity bitmaps, none without NULLs, reset between batches", () => {
  const mask = new NullMask();
  const batches: [number, number[]][] = [
    [10, [0, 9]],
    [3, []],
    [5000, [1, 4095, 4999]],
    [17, [16]],
    [8, [3]],
  ];
  for (const [length, nulls] of batches) {
    for (const row of nulls) mask.add(row);
    assert.equal(mask.nulls, nulls.length);
    const bitmap = mask.finish(length);
    if (nulls.length === 0) assert.equal(bitmap, undefined);
    else assert.deepEqual(bitmap, expected(length, nulls), `length ${length}`);
    mask.reset();
  }
});

import assert from "node:assert/strict";
import { formatCount, formatElapsed, formatSize } from "../../../runtime/util/units.ts";
import { formatSeconds } from "../../../runtime/extract/summary.ts";

Deno.test("formatSize() and formatCount() write sizes and counts as people read them", () => {
  assert.equal(formatSize(512), "512 B");
  assert.equal(formatSize(1536), "1.5 KiB");
  assert.equal(formatSize(3 * 2 ** 30), "3.0 GiB");
  assert.equal(formatCount(1234567.4), "1,234,567");
});

Deno.test("formatElapsed() never rounds a minute up to 60 seconds", () => {
  assert.equal(formatElapsed(0.42), "0.4s");
  assert.equal(formatElapsed(12.7), "12s");
  assert.equal(formatElapsed(59.6), "59s");
  assert.equal(formatElapsed(119.7), "1m59s");
  assert.equal(formatElapsed(185), "3m05s");
});

Deno.test("the extract summary's times are formatElapsed's, empty when not measured", () => {
  assert.equal(formatSeconds(119.7), "1m59s");
  assert.equal(formatSeconds(undefined), "");
});

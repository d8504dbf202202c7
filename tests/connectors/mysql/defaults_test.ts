/** The mysql connector's defaults for readers per table and the reader thread, by size and CPUs. */
import assert from "node:assert/strict";
import { defaultReaders } from "../../../connectors/mysql/parallel_ranges.ts";
import { defaultReaderThread } from "../../../connectors/mysql/worker_reader.ts";

Deno.test("mysql defaults: two readers only for large tables on 4+ CPUs", () => {
  assert.equal(defaultReaders(10_000_000, 2), 1);
  assert.equal(defaultReaders(10_000_000, 4), 2);
  assert.equal(defaultReaders(1_999_999, 8), 1);
  assert.equal(defaultReaders(2_000_000, 8), 2);
});

Deno.test("mysql defaults: the reader thread only for 1M+ row tables on 4+ CPUs", () => {
  assert.equal(defaultReaderThread(10_000_000, 2), false);
  assert.equal(defaultReaderThread(10_000_000, 4), true);
  assert.equal(defaultReaderThread(999_999, 16), false);
  assert.equal(defaultReaderThread(1_000_000, 4), true);
});

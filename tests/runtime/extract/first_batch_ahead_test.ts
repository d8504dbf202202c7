import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { firstBatchAhead } from "../../../runtime/extract/first_batch_ahead.ts";
import { batchOf } from "../../fixtures/runtime/connectors.ts";

const ids = (...values: number[]) => batchOf({ id: { type: new arrow.Int32(), values } });

Deno.test("firstBatchAhead starts the read at once and yields the source's batches in order", async () => {
  const steps: string[] = [];
  async function* source() {
    steps.push("first request");
    await new Promise((resolve) => setTimeout(resolve, 5));
    yield ids(1, 2);
    steps.push("second request");
    yield ids(3);
  }
  const ahead = firstBatchAhead(source());
  assert.deepEqual(steps, ["first request"], "the first batch is requested before anyone asks");
  const seen: number[] = [];
  for await (const batch of ahead) seen.push(...batch.getChild("id")!.toArray());
  assert.deepEqual(seen, [1, 2, 3]);
  assert.deepEqual(steps, ["first request", "second request"]);
});

Deno.test("firstBatchAhead throws the first request's failure when the batch is asked for", async () => {
  async function* failing(): AsyncGenerator<arrow.RecordBatch> {
    const failed = await Promise.resolve(true);
    if (failed) throw new Error("statement FAILED");
    yield ids(0);
  }
  const ahead = firstBatchAhead(failing());
  // Nothing is thrown (or left unhandled) until the writer asks.
  await new Promise((resolve) => setTimeout(resolve, 5));
  await assert.rejects(ahead[Symbol.asyncIterator]().next(), /statement FAILED/);
  const throwsAtOnce: Iterable<arrow.RecordBatch> = {
    [Symbol.iterator]: () => ({
      next: () => {
        throw new Error("bad config");
      },
    }),
  };
  await assert.rejects(
    firstBatchAhead(throwsAtOnce)[Symbol.asyncIterator]().next(),
    /bad config/,
  );
});

Deno.test("firstBatchAhead's return() closes the source (its cursor, its statement)", async () => {
  let closed = false;
  async function* source() {
    try {
      yield ids(1);
      yield ids(2);
    } finally {
      closed = true;
    }
  }
  const iterator = firstBatchAhead(source())[Symbol.asyncIterator]();
  assert.equal((await iterator.next()).done, false);
  await iterator.return!();
  assert.ok(closed);
});

Deno.test("firstBatchAhead's return() before the first batch was asked for does not wait for it", async () => {
  let release!: () => void;
  let closed = false;
  async function* slow() {
    try {
      await new Promise<void>((resolve) => release = resolve);
      yield ids(1);
    } finally {
      closed = true;
    }
  }
  const iterator = firstBatchAhead(slow())[Symbol.asyncIterator]();
  await iterator.return!(); // a writer that failed before reading: returns at once
  assert.equal(closed, false);
  release();
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(closed, "the source closes once its pending step ends");
});

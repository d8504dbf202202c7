import assert from "node:assert/strict";
import { createLimiter, pool } from "../../../runtime/util/pool.ts";

Deno.test("createLimiter() never runs more than the limit and finishes every task", async () => {
  const run = createLimiter(3);
  let running = 0;
  let peak = 0;
  const task = async (value: number) => {
    running++;
    peak = Math.max(peak, running);
    // Yield a few times so tasks genuinely overlap.
    for (let i = 0; i < (value % 4) + 1; i++) await Promise.resolve();
    running--;
    return value * 2;
  };
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => run(() => task(i))));
  assert.deepEqual(results, Array.from({ length: 20 }, (_, i) => i * 2));
  assert.equal(peak, 3);
  assert.equal(running, 0);
});

Deno.test("createLimiter() frees the slot of a failing task", async () => {
  const run = createLimiter(1);
  await assert.rejects(() => run(() => Promise.reject(new Error("boom"))), /boom/);
  assert.equal(await run(() => Promise.resolve("next")), "next");
});

Deno.test("pool() works through every item with at most the limit in flight", async () => {
  let running = 0;
  let peak = 0;
  const done: number[] = [];
  await pool(Array.from({ length: 10 }, (_, i) => i), 4, async (item) => {
    running++;
    peak = Math.max(peak, running);
    for (let i = 0; i < (item % 3) + 1; i++) await Promise.resolve();
    running--;
    done.push(item);
  });
  assert.deepEqual(done.sort((a, b) => a - b), Array.from({ length: 10 }, (_, i) => i));
  assert.equal(peak, 4);
});

Deno.test("pool() rejects with a failing item's error", async () => {
  await assert.rejects(
    () =>
      pool(
        [1, 2, 3],
        2,
        (item) => item === 2 ? Promise.reject(new Error("item 2")) : Promise.resolve(),
      ),
    /item 2/,
  );
});

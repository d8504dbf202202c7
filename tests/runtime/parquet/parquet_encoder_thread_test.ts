import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { queryDuckDB, tempDir } from "../../_helpers.ts";
import { ExtractError } from "../../../runtime/errors.ts";
import {
  EncoderFailure,
  MAX_BATCHES_IN_FLIGHT,
  ParquetEncoderThread,
} from "../../../runtime/parquet/parquet_encoder_thread.ts";
import { encodeInWorker, writeParquetFile } from "../../../runtime/parquet/parquet_writer.ts";
import { DirectParquetWriter } from "../../../runtime/parquet/direct_parquet_writer.ts";
import { batchOf } from "../../fixtures/runtime/connectors.ts";

const rows = (from: number, n: number) =>
  batchOf({
    id: { type: new arrow.Int64(), values: Array.from({ length: n }, (_, i) => BigInt(from + i)) },
    name: { type: new arrow.Utf8(), values: Array.from({ length: n }, (_, i) => `n${from + i}`) },
  });

Deno.test("ParquetEncoderThread writes the batches it is handed, in order, read back by DuckDB", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/t.parquet`;
  const encoder = ParquetEncoderThread.open(path);
  for (let i = 0; i < 5; i++) await encoder.write(rows(i * 1000, 1000));
  await encoder.finish();
  const [row] = await queryDuckDB(
    undefined,
    `SELECT count(*)::INT AS n, sum(id)::BIGINT AS s, max(name) AS m FROM '${path}'`,
  );
  assert.equal(row.n, 5000);
  assert.equal(row.s, 12_497_500n);
  assert.equal(row.m, "n999");
});

Deno.test("ParquetEncoderThread with a schema runs the direct writer: the same file as in process", async () => {
  await using dir = await tempDir();
  const batches = Array.from({ length: 8 }, (_, i) => rows(i * 20_000, 20_000));
  const schema = batches[0].schema;
  const inWorker = `${dir.path}/w.parquet`;
  const encoder = ParquetEncoderThread.open(inWorker, schema);
  for (const batch of batches) await encoder.write(batch);
  await encoder.finish();
  // The batches stay usable here (their buffers were copied, not moved).
  assert.equal(batches[7].getChild("name")?.get(0), "n140000");
  const inProcess = `${dir.path}/p.parquet`;
  const writer = await DirectParquetWriter.open(inProcess, schema);
  for (const batch of batches) writer.write(batch);
  await writer.finish();
  assert.deepEqual(await Deno.readFile(inWorker), await Deno.readFile(inProcess));
  const [row] = await queryDuckDB(
    undefined,
    `SELECT count(*)::INT AS n, count(DISTINCT row_group_id)::INT AS groups
     FROM read_parquet('${inWorker}', file_row_number = true) JOIN parquet_metadata('${inWorker}')
       ON file_row_number BETWEEN row_group_id * 122880 AND row_group_id * 122880 + 122879
     WHERE column_id = 0`,
  );
  assert.deepEqual(row, { n: 160_000, groups: 2 });
});

Deno.test("ParquetEncoderThread with a schema writes slices of decoded Arrow IPC (views into one shared buffer) value for value", async () => {
  await using dir = await tempDir();
  const decoded = arrow.tableFromIPC(arrow.tableToIPC(new arrow.Table([rows(0, 50_000)])));
  const parts = [0, 1, 2, 3, 4].map((i) => decoded.batches[0].slice(i * 10_000, (i + 1) * 10_000));
  const path = `${dir.path}/ipc.parquet`;
  const encoder = ParquetEncoderThread.open(path, decoded.schema);
  for (const part of parts) await encoder.write(part);
  await encoder.finish();
  assert.equal(parts[4].getChild("name")?.get(9_999), "n49999");
  const [row] = await queryDuckDB(
    undefined,
    `SELECT count(*)::INT AS n, sum(id)::BIGINT AS s, min(name) AS lo, max(name) AS hi,
       count(*) FILTER (WHERE name <> 'n' || id)::INT AS wrong FROM '${path}'`,
  );
  assert.deepEqual(row, { n: 50_000, s: 1_249_975_000n, lo: "n0", hi: "n9999", wrong: 0 });
});

Deno.test("ParquetEncoderThread.prewarm starts a worker the next open() takes; disposing stops one nobody took", async () => {
  await using dir = await tempDir();
  {
    using _unused = ParquetEncoderThread.prewarm();
    assert.equal(ParquetEncoderThread.prewarmed, true);
  }
  assert.equal(ParquetEncoderThread.prewarmed, false);
  using _warm = ParquetEncoderThread.prewarm();
  const batches = Array.from({ length: 3 }, (_, i) => rows(i * 1000, 1000));
  const encoder = ParquetEncoderThread.open(`${dir.path}/warm.parquet`, batches[0].schema);
  assert.equal(ParquetEncoderThread.prewarmed, false);
  for (const batch of batches) await encoder.write(batch);
  await encoder.finish();
  const [row] = await queryDuckDB(
    undefined,
    `SELECT count(*)::INT AS n, max(name) AS m FROM '${dir.path}/warm.parquet'`,
  );
  assert.deepEqual(row, { n: 3000, m: "n999" });
});

Deno.test("ParquetEncoderThread takes more batches than its in-flight bound as the worker consumes them", async () => {
  await using dir = await tempDir();
  const encoder = ParquetEncoderThread.open(`${dir.path}/b.parquet`);
  try {
    // Sends beyond the bound wait for the worker's "taken": they only finish if credits return.
    const sends = Array.from({ length: MAX_BATCHES_IN_FLIGHT + 1 }, (_, i) => i);
    let resolved = 0;
    const pending = sends.reduce(
      (chain, i) =>
        chain.then(() => encoder.write(rows(i * 10, 10))).then(() => {
          resolved++;
        }),
      Promise.resolve(),
    );
    await pending;
    assert.equal(resolved, MAX_BATCHES_IN_FLIGHT + 1);
    await encoder.finish();
  } finally {
    encoder.terminate();
  }
});

Deno.test("ParquetEncoderThread reports a file it cannot write instead of hanging", async () => {
  await using dir = await tempDir();
  const encoder = ParquetEncoderThread.open(`${dir.path}/missing/dir/t.parquet`);
  await assert.rejects(async () => {
    for (let i = 0; i < 10; i++) await encoder.write(rows(i, 1));
    await encoder.finish();
  }, EncoderFailure);
});

/** Runs `fn` with the encoder worker forced on or off. */
async function withWorker(on: boolean, fn: () => Promise<void>): Promise<void> {
  const before = Deno.env.get("DVT_PARQUET_WORKER");
  Deno.env.set("DVT_PARQUET_WORKER", on ? "1" : "0");
  try {
    assert.equal(encodeInWorker(), on);
    await fn();
  } finally {
    if (before === undefined) Deno.env.delete("DVT_PARQUET_WORKER");
    else Deno.env.set("DVT_PARQUET_WORKER", before);
  }
}

for (const worker of [true, false]) {
  const mode = worker ? "in a worker" : "in process";

  Deno.test(`writeParquetFile() ${mode}: many batches read back in full`, async () => {
    await withWorker(worker, async () => {
      await using dir = await tempDir();
      const path = `${dir.path}/t.parquet`;
      const seen: number[] = [];
      const result = await writeParquetFile(
        path,
        Array.from({ length: 6 }, (_, i) => rows(i * 500, 500)),
        { table: "t", onBatch: (_batch, soFar) => seen.push(soFar) },
      );
      assert.equal(result.rows, 3000);
      assert.deepEqual(seen, [500, 1000, 1500, 2000, 2500, 3000]);
      const [row] = await queryDuckDB(
        undefined,
        `SELECT count(DISTINCT id)::INT AS n, max(id)::INT AS m FROM '${path}'`,
      );
      assert.deepEqual(row, { n: 3000, m: 2999 });
    });
  });

  Deno.test(`writeParquetFile() ${mode}: an unwritable file is an ExtractError`, async () => {
    await withWorker(worker, async () => {
      await using dir = await tempDir();
      const error = await writeParquetFile(
        `${dir.path}/missing/t.parquet`,
        [rows(0, 10), rows(10, 10), rows(20, 10)],
        { table: "t" },
      ).then(() => undefined, (caught) => caught);
      assert.ok(error instanceof ExtractError, String(error));
      assert.match(error.message, /^table "t": failed to write Parquet: /);
    });
  });

  Deno.test(`writeParquetFile() ${mode}: a source failing midway stops and fails`, async () => {
    await withWorker(worker, async () => {
      await using dir = await tempDir();
      let closed = false;
      async function* failing() {
        try {
          for (let i = 0; i < 4; i++) yield rows(i * 10, 10);
          throw new Error("connection reset");
        } finally {
          closed = true;
        }
      }
      await assert.rejects(
        () => writeParquetFile(`${dir.path}/f.parquet`, failing(), { table: "f" }),
        /connection reset/,
      );
      assert.ok(closed);
    });
  });
}

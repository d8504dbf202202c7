import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { join } from "node:path";
import { queryDuckDB, tempDir } from "../../_helpers.ts";
import { OutputLayout } from "../../../runtime/extract/layout.ts";
import { appendStreamBatches } from "../../../runtime/extract/stream_writer.ts";
import { compactPartitions } from "../../../runtime/serve/compact_partitions.ts";
import { openFoldEngine } from "../../../runtime/serve/fold_engine.ts";

Deno.test("compactPartitions() merges a month's fold-written files into one, in order, keeping values and types", async () => {
  await using dir = await tempDir();
  const layout = new OutputLayout(dir.path);
  const files: string[] = [];
  for (let seq = 1; seq <= 5; seq++) {
    const table = arrow.tableFromArrays({
      id: BigInt64Array.from([BigInt(seq * 10), BigInt(seq * 10 + 1)]),
      name: [`a${seq}`, `b${seq}`],
    });
    const result = await appendStreamBatches(layout, "events", table.batches, { tag: `w${seq}` });
    files.push(...result.files);
  }
  const kept = "data/events/2026-01-keep.parquet"; // written by dvt extract: never merged
  await Deno.copyFile(layout.absolute(files[0]), layout.absolute(kept));
  assert.deepEqual(await compactPartitions(layout, [kept, ...files], 5), [kept, ...files]);
  const compacted = await compactPartitions(layout, [kept, ...files], 4);
  assert.equal(compacted.length, 2);
  assert.equal(compacted[0], kept);
  assert.match(compacted[1], /^data\/events\/\d{4}-\d{2}-[^.]*\.l1-w5\.parquet$/);
  const rows = await queryDuckDB(
    undefined,
    `SELECT id, name, typeof(id) AS type FROM read_parquet('${join(dir.path, compacted[1])}')`,
  );
  assert.deepEqual(
    rows.map((r) => `${r.id}:${r.name}:${r.type}`),
    [1, 2, 3, 4, 5].flatMap((s) => [`${s * 10}:a${s}:BIGINT`, `${s * 10 + 1}:b${s}:BIGINT`]),
  );
  // Merged files are a level of their own: new small files do not rewrite them.
  const more = await appendStreamBatches(
    layout,
    "events",
    arrow.tableFromArrays({ id: BigInt64Array.from([99n]), name: ["z"] }).batches,
    { tag: "w6" },
  );
  const next = [...compacted, ...more.files];
  assert.deepEqual(await compactPartitions(layout, next, 1), next);
});

Deno.test("compactPartitions() merges with a fold thread's engine when given one, and the engine stays usable", async () => {
  await using dir = await tempDir();
  await using engine = await openFoldEngine();
  const layout = new OutputLayout(dir.path);
  const files: string[] = [];
  for (let seq = 1; seq <= 3; seq++) {
    const table = arrow.tableFromArrays({ id: BigInt64Array.from([BigInt(seq)]) });
    files.push(
      ...(await appendStreamBatches(layout, "events", table.batches, { tag: `w${seq}` })).files,
    );
  }
  const [merged] = await compactPartitions(layout, files, 2, engine);
  assert.match(merged, /\.l1-w3\.parquet$/);
  const rows = await engine.all(`SELECT id FROM read_parquet('${join(dir.path, merged)}')`);
  assert.deepEqual(rows.map((row) => row.id), [1n, 2n, 3n]);
});

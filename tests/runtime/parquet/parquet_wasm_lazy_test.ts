import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { queryDuckDB, tempDir } from "../../_helpers.ts";

const PROBE = fileURLToPath(new URL("./wasm_loads_probe.ts", import.meta.url));

Deno.test("a flat table is written without compiling parquet-wasm; a nested one loads it on first use", async () => {
  await using dir = await tempDir();
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "-A", PROBE, dir.path],
    stdout: "piped",
    stderr: "piped",
    env: { DVT_PARQUET_WORKER: "0" },
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  const counts = JSON.parse(new TextDecoder().decode(output.stdout).trim());
  assert.equal(counts.afterFlat, 0, "the flat table compiled wasm");
  assert.ok(counts.afterNested > 0, "the nested table did not load parquet-wasm");
  const flat = await queryDuckDB(
    undefined,
    `SELECT id, name FROM '${dir.path}/flat.parquet' ORDER BY id`,
  );
  assert.deepEqual(flat.map((r) => [Number(r.id), r.name]), [[1, "a"], [2, "b"], [3, "c"]]);
  const nested = await queryDuckDB(undefined, `SELECT tags FROM '${dir.path}/nested.parquet'`);
  assert.equal(nested.length, 2);
});

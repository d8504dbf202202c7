/**
 * kill -9 at random moments of history (SCD type 2) and merge runs with deletes: the previous
 * published state stays intact every time, and the next complete run converges to what an
 * uninterrupted sequence of runs publishes.
 */
import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import { fileURLToPath as fromFileUrl } from "node:url";
import { queryDuckDB, REPO_ROOT, tempDir } from "../../_helpers.ts";

const SCRIPT = fromFileUrl(new URL("../../fixtures/runtime/history_extract.ts", import.meta.url));
const KILLS = 4;
/** Enough rows that a run spends most of its time reading and merging. */
const ROWS = "30000";

function spawnRun(out: string, version: number): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", `${REPO_ROOT}deno.json`, SCRIPT, out, String(version), ROWS],
    stdout: "null",
    stderr: "piped",
  }).spawn();
}

/** Runs to the end; returns how long it took (ms). */
async function runToEnd(out: string, version: number): Promise<number> {
  const started = performance.now();
  const output = await spawnRun(out, version).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  return performance.now() - started;
}

/**
 * What readers see: every version of `h` (validity as ranks of the run timestamps, or the
 * timestamps themselves when `exact`), `h_current` and `m`, as counts and checksums.
 */
async function published(out: string, exact: boolean): Promise<unknown> {
  const database = `${out}/extract.duckdb`;
  const from = exact ? "_dvt_valid_from::VARCHAR" : "a.r";
  const to = exact ? "_dvt_valid_to::VARCHAR" : "b.r";
  const [history] = await queryDuckDB(
    database,
    `WITH ts AS (
       SELECT t, dense_rank() OVER (ORDER BY t) AS r FROM (
         SELECT _dvt_valid_from AS t FROM h UNION SELECT _dvt_valid_to FROM h
           WHERE _dvt_valid_to IS NOT NULL))
     SELECT count(*)::INT AS n, count(*) FILTER (_dvt_is_current)::INT AS current,
       sum(hash(id, value, _dvt_is_current, _dvt_row_hash, ${from}, ${to}))::VARCHAR AS sum
     FROM h LEFT JOIN ts a ON a.t = _dvt_valid_from LEFT JOIN ts b ON b.t = _dvt_valid_to`,
  );
  const [current] = await queryDuckDB(
    database,
    "SELECT count(*)::INT AS n, sum(hash(id, value))::VARCHAR AS sum FROM h_current",
  );
  const [merged] = await queryDuckDB(
    database,
    "SELECT count(*)::INT AS n, sum(hash(id, value))::VARCHAR AS sum FROM m",
  );
  const meta = await queryDuckDB(
    database,
    "SELECT table_name, rows::INT AS rows, data_files FROM _meta ORDER BY 1",
  );
  for (const { data_files } of meta) {
    for (const file of JSON.parse(String(data_files))) {
      assert.ok(!file.includes(".tmp-"), `a view reads a temp file: ${file}`);
    }
  }
  return { history, current, merged, meta: exact ? meta : meta.map((m) => m.rows) };
}

Deno.test("history and merge runs killed with SIGKILL at random moments leave the previous state and converge", async () => {
  await using dir = await tempDir();
  const reference = `${dir.path}/reference`;
  const killed = `${dir.path}/killed`;
  let longest = 0;
  for (const version of [1, 2, 3]) {
    longest = Math.max(longest, await runToEnd(reference, version));
  }
  for (const version of [1, 2]) await runToEnd(killed, version);
  const before = await published(killed, true);
  const delays: number[] = [];
  for (let i = 0; i < KILLS; i++) {
    // Spread over the whole run: start-up, reading, the merges, publishing.
    const delay = Math.round(Math.random() * longest);
    delays.push(delay);
    const child = spawnRun(killed, 3);
    await new Promise((resolve) => setTimeout(resolve, delay));
    try {
      child.kill("SIGKILL");
    } catch {
      // It finished before the kill: the state is then the next run's, checked below.
    }
    const status = await child.status;
    await child.stderr.cancel();
    if (status.success) {
      assert.deepEqual(
        await published(killed, false),
        await published(reference, false),
        `run finished before the kill after ${delay} ms`,
      );
      return;
    }
    const after = await published(killed, true);
    if (!isDeepStrictEqual(after, before)) {
      // Killed between publishing (one rename, the commit point) and exiting: the run is
      // complete, so what readers see must be exactly the uninterrupted result.
      assert.deepEqual(
        await published(killed, false),
        await published(reference, false),
        `killed after ${delay} ms, after publishing`,
      );
      return;
    }
  }
  await runToEnd(killed, 3);
  assert.deepEqual(
    await published(killed, false),
    await published(reference, false),
    `kills after ${delays.join(", ")} ms`,
  );
  const names = (await Array.fromAsync(Deno.readDir(`${killed}/data`))).map((e) => e.name);
  assert.ok(!names.some((name) => name.startsWith(".tmp-")), `leftovers: ${names.join(", ")}`);
});

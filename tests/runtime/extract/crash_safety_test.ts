import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import { queryDuckDB, REPO_ROOT, tempDir } from "../../_helpers.ts";

const SCRIPT = fromFileUrl(new URL("../../fixtures/runtime/slow_extract.ts", import.meta.url));

function spawnExtract(out: string, version: string, delayMs: number) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", `${REPO_ROOT}deno.json`, SCRIPT, out, version, String(delayMs)],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function runToEnd(out: string, version: string) {
  const child = spawnExtract(out, version, 0);
  const output = await child.output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
}

/** Kills the child with SIGKILL once it printed `line` (or finished). */
async function killAfter(child: Deno.ChildProcess, line: string) {
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.split("\n").includes(line)) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += value;
  }
  child.kill("SIGKILL");
  await reader.cancel();
  await child.stderr.cancel();
  await child.status;
}

async function assertExtract(out: string, version: string) {
  const db = `${out}/extract.duckdb`;
  for (const view of ["fast", "slow"]) {
    const rows = await queryDuckDB(
      db,
      `SELECT count(*)::INT AS n, min(version) AS lo, max(version) AS hi FROM ${view}`,
    );
    const expected = view === "fast" ? 1000 : 100_000;
    assert.deepEqual(rows, [{ n: expected, lo: version, hi: version }]);
  }
  const meta = await queryDuckDB(db, "SELECT data_files FROM _meta");
  for (const { data_files } of meta) {
    for (const file of JSON.parse(String(data_files))) {
      assert.ok(!file.includes(".tmp-"), `view reads a temp file: ${file}`);
      await Deno.stat(`${out}/${file}`);
    }
  }
}

Deno.test("run() killed with SIGKILL at any point leaves the previous extract intact", async () => {
  await using dir = await tempDir();
  const out = `${dir.path}/out`;
  await runToEnd(out, "v1");
  await assertExtract(out, "v1");
  for (const line of ["batch 0", "batch 5", "batch 40", "batch 99"]) {
    await killAfter(spawnExtract(out, "v2", 5), line);
    await assertExtract(out, "v1");
  }
  const leftovers = (await Array.fromAsync(Deno.readDir(`${out}/data`))).map((e) => e.name);
  assert.ok(leftovers.some((name) => name.startsWith(".tmp-")), "the kills left temp files");
  await runToEnd(out, "v3");
  await assertExtract(out, "v3");
  const after = (await Array.fromAsync(Deno.readDir(`${out}/data`))).map((e) => e.name).sort();
  assert.equal(after.length, 2, `only the live generation files remain: ${after.join(", ")}`);
  const root = (await Array.fromAsync(Deno.readDir(out))).map((e) => e.name).sort();
  assert.deepEqual(root, [".dvt", "data", "extract.duckdb"]);
});

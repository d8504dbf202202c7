/**
 * Escape suite: the data path. A connector that breaks the protocol, shares memory with a batch,
 * never ends or floods memory fails its table; the previous data stays published.
 */
import assert from "node:assert/strict";
import { SandboxError } from "../../../runtime/errors.ts";
import { startSandboxedConnector } from "../../../runtime/sandbox/sandboxed_connector.ts";
import { extractGood, extractProbe, probeProject, publishedIds, runCliWithin } from "./_probe.ts";

const QUIET = { debug() {}, info() {}, warn() {}, error() {} };
const LYING_WORKER = new URL("../../fixtures/sandbox/lying_worker.js", import.meta.url);

async function readThroughLyingWorker(mode: string): Promise<number[]> {
  const connector = await startSandboxedConnector({
    name: mode,
    code: "",
    moduleUrl: "file:///lying.js",
    config: {},
    permissions: { net: [], env: [] },
    logger: QUIET,
    workerUrl: LYING_WORKER,
  });
  try {
    const ids: number[] = [];
    for await (const batch of connector.read!("items", { batchSize: 10 })) {
      ids.push(...Array.from(batch.getChild("id")!.toArray() as Int32Array));
    }
    return ids;
  } finally {
    await connector.close?.();
  }
}

Deno.test("host: a result or end message answering an open read fails the read", async () => {
  for (const mode of ["result-for-read", "result-after-batch"]) {
    await assert.rejects(
      readThroughLyingWorker(mode),
      (error: unknown) =>
        error instanceof SandboxError && /answered read\(items\) with a result message/.test(
          error.message,
        ),
      mode,
    );
  }
  assert.deepEqual(await readThroughLyingWorker("honest"), [1, 2, 3]);
});

Deno.test("host: a batch in a SharedArrayBuffer is refused", async () => {
  await assert.rejects(
    readThroughLyingWorker("shared-batch"),
    /shared memory \(SharedArrayBuffer\)/,
  );
});

Deno.test("a connector forging a result/end mid-read fails the table; the previous data stays", async () => {
  await using project = await probeProject({
    top: `let lastId = 0;
      self.addEventListener("message", (event) => { if (event.data?.id) lastId = event.data.id; });`,
    attack: `self.postMessage({ kind: "result", id: lastId, value: null });
      await new Promise((resolve) => setTimeout(resolve, 200));
      self.postMessage({ kind: "end", id: lastId });
      await new Promise((resolve) => setTimeout(resolve, 200));`,
  });
  await extractGood(project);
  const run = await extractProbe(project);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /items: failed/);
  assert.deepEqual(await publishedIds(project), [1, 2, 3, 4, 5, 6]);
});

Deno.test("a connector posting a SharedArrayBuffer batch and changing it fails the table", async () => {
  await using project = await probeProject({
    top: `let lastId = 0;
      self.addEventListener("message", (event) => { if (event.data?.id) lastId = event.data.id; });`,
    attack: `const bytes = ctx.arrow.tableToIPC(
        ctx.arrow.tableFromArrays({ id: Int32Array.from([100, 200, 300]) }), "stream");
      const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
      shared.set(bytes);
      self.postMessage({ kind: "batch", id: lastId, ipc: shared });
      const ints = new Int32Array(shared.buffer, 0, Math.floor(shared.length / 4));
      const deadline = Date.now() + 1000;
      while (Date.now() < deadline) for (let i = ints.length - 8; i < ints.length; i++) ints[i]++;`,
  });
  await extractGood(project);
  const run = await extractProbe(project);
  assert.equal(run.code, 1, run.stderr);
  assert.deepEqual(await publishedIds(project), [1, 2, 3, 4, 5, 6]);
});

Deno.test("a read() that never ends is stopped at DVT_SANDBOX_MAX_ROWS; the previous data stays", async () => {
  await using project = await probeProject({
    attack: `while (true) yield rows(Array.from({ length: 100 }, (_, i) => i));`,
  });
  await extractGood(project);
  const run = await extractProbe(project, {
    env: { DVT_SANDBOX_MAX_ROWS: "1000" },
    timeoutMs: 60_000,
  });
  assert.equal(run.timedOut, false, "dvt stopped the connector itself");
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /yielded more than 1,000 rows from read\(items\)/);
  assert.match(run.stderr, /DVT_SANDBOX_MAX_ROWS/);
  assert.deepEqual(await publishedIds(project), [1, 2, 3, 4, 5, 6]);
});

// Deno cannot stop a worker busy in a loop (denoland/deno#35657), so a hoarding connector goes
// on after it is "stopped"; dvt must bound it anyway (by ending the run past twice the budget).
Deno.test("a memory flood is stopped near the budget (peak RSS measured by the kernel)", async () => {
  await using project = await probeProject({
    attack: `const hoard = [];
      while (true) hoard.push(new Array(1 << 20).fill(hoard.length));`,
  });
  const peak = async (good: boolean) => {
    const timed = await new Deno.Command("/usr/bin/time", {
      args: [
        "-f",
        "maxrss=%M",
        Deno.execPath(),
        "run",
        "--no-prompt",
        "-A",
        "--unstable-worker-options",
        new URL("../../../cli.ts", import.meta.url).pathname,
        "extract",
        "--connector",
        "./connectors/probe",
        "--out",
        project.out,
        ...(good ? [] : ["--set", "mode=evil"]),
      ],
      cwd: project.dir,
      env: { DVT_SANDBOX_MEMORY_MB: "256", NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(timed.stderr);
    return { code: timed.code, stderr, kb: Number(/maxrss=(\d+)/.exec(stderr)?.[1]) };
  };
  const baseline = await peak(true);
  assert.equal(baseline.code, 0, baseline.stderr);
  const burst = await peak(false);
  assert.equal(burst.code, 1, burst.stderr);
  assert.match(burst.stderr, /used more than its memory budget of 256 MiB/);
  const grownMiB = (burst.kb - baseline.kb) / 1024;
  assert.ok(grownMiB < 2 * 256 + 192, `peak grew by ${Math.round(grownMiB)} MiB over a good run`);
  assert.deepEqual(await publishedIds(project), [1, 2, 3, 4, 5, 6]);
});

Deno.test("a bad DVT_* value is exit 2 naming the variable and the expected form", async () => {
  await using project = await probeProject();
  for (
    const [name, value, form] of [
      ["DVT_SANDBOX_MEMORY_MB", "2G", /whole number greater than 0/],
      ["DVT_SANDBOX_TIMEOUT_S", "-5", /whole number greater than 0/],
      ["DVT_SANDBOX_MAX_ROWS", "1e9", /whole number greater than 0/],
      ["DVT_NATIVE_SCAN", "yes", /neither 0 nor 1/],
    ] as const
  ) {
    const run = await runCliWithin(
      ["extract", "--connector", "./connectors/probe", "--out", project.out],
      project.dir,
      { env: { [name]: value } },
    );
    assert.equal(run.code, 2, `${name}: ${run.stderr}`);
    assert.match(run.stderr, new RegExp(`${name}="${value}"`));
    assert.match(run.stderr, form);
    assert.doesNotMatch(run.stderr, /NaN|at .*\.ts:\d+/);
  }
});

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const PROGRESS_URL = new URL("../../../runtime/util/progress.ts", import.meta.url).href;

async function runReporter(mode: "plain" | "json"): Promise<string> {
  const script = `
    import { createProgressReporter } from ${JSON.stringify(PROGRESS_URL)};
    const reporter = await createProgressReporter(${JSON.stringify(mode)}, "rows");
    reporter.start("orders", 10);
    reporter.update("orders", 5);
    reporter.finish("orders", "ok", { done: 10000, bytes: 2048 });
    reporter.close();
    console.log("stdout stays clean");
  `;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", script],
    cwd: fileURLToPath(new URL("../../../", import.meta.url)),
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  assert.equal(new TextDecoder().decode(output.stdout), "stdout stays clean\n");
  return new TextDecoder().decode(output.stderr);
}

Deno.test("plain progress prints one line per finished task on stderr", async () => {
  const stderr = await runReporter("plain");
  assert.match(stderr, /^orders: ok \(10,000 rows, 2\.0 KiB, \d+\.\ds\)\n$/);
});

Deno.test("json progress prints one event per call on stderr", async () => {
  const stderr = await runReporter("json");
  const events = stderr.trim().split("\n").map((line) => JSON.parse(line));
  assert.deepEqual(events.map((event) => event.event), [
    "progress.start",
    "progress",
    "progress.finish",
  ]);
  assert.equal(events[1].done, 5);
  assert.equal(events[2].done, 10000);
  assert.equal(events[2].bytes, 2048);
  assert.equal(typeof events[2].seconds, "number");
});

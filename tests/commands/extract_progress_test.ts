/**
 * The progress display as a user sees it: `dvt extract` in a pseudo-terminal (python3's pty),
 * frames captured, then Ctrl-C (SIGINT) mid-run.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { CLI_PATH, queryDuckDB, runCli, tempDir } from "../_helpers.ts";

const MANIFEST = `name: slow
version: 0.1.0
description: batches of 1,000 rows with a pause before each
entrypoint: ./connector.ts
capabilities: [discover, read]
config:
  batches: { type: integer, default: 1 }
  delay_ms: { type: integer, default: 0 }
`;
const CONNECTOR = `
export default (ctx, config) => {
  const { arrow } = ctx;
  const batch = (from) => new arrow.Table({
    id: arrow.vectorFromArray(Array.from({ length: 1000 }, (_, i) => from + i), new arrow.Int32()),
  }).batches[0];
  const schema = batch(0).schema;
  return {
    capabilities: 1 | 2,
    discover: () => [{ name: "events", schema, capabilities: 2 }],
    async *read() {
      for (let i = 0; i < config.batches; i++) {
        await new Promise((resolve) => setTimeout(resolve, config.delay_ms));
        yield batch(i * 1000);
      }
    },
  };
};
`;

/**
 * Runs argv in a pty 100 columns wide; a second after `waitFor` appears, sends SIGINT to the
 * process group, as Ctrl-C does (dvt may run itself again as a child; both get it).
 */
const PTY_DRIVER = `
import fcntl, json, os, pty, select, signal, struct, sys, termios, time
argv, cwd, wait_for = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3].encode()
env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "CI")}
pid, fd = pty.fork()
if pid == 0:
    os.chdir(cwd)
    os.execvpe(argv[0], argv, env)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
out, deadline, sent_at = b"", time.time() + 120, None
while True:
    ready, _, _ = select.select([fd], [], [], 0.1)
    if ready:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        out += data
    if sent_at is None and wait_for in out:
        sent_at = time.time()
    if sent_at is not None and sent_at > 0 and time.time() - sent_at > 1.0:
        os.killpg(pid, signal.SIGINT)  # as Ctrl-C does: the terminal's whole process group
        sent_at = -1
    if time.time() > deadline:
        os.kill(pid, signal.SIGKILL)
        break
_, status = os.waitpid(pid, 0)
print(json.dumps({"code": os.waitstatus_to_exitcode(status), "output": out.decode("utf-8", "replace")}))
`;

async function inPty(args: string[], cwd: string, waitFor: string) {
  const argv = [Deno.execPath(), "run", "-A", "--unstable-worker-options", CLI_PATH, ...args];
  const output = await new Deno.Command("python3", {
    args: ["-c", PTY_DRIVER, JSON.stringify(argv), cwd, waitFor],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  return JSON.parse(new TextDecoder().decode(output.stdout)) as { code: number; output: string };
}

Deno.test("on a terminal: a live counter with rows, rate and elapsed; Ctrl-C restores the cursor and exits 130", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(join(dir.path, "slow"));
  await Deno.writeTextFile(join(dir.path, "slow/connector.yaml"), MANIFEST);
  await Deno.writeTextFile(join(dir.path, "slow/connector.ts"), CONNECTOR);
  const base = ["extract", "--connector", "./slow", "--out", "out"];
  const first = await runCli(base, { cwd: dir.path });
  assert.equal(first.code, 0, first.stderr);

  const run = await inPty(
    [...base, "--set", "batches=400", "--set", "delay_ms=60"],
    dir.path,
    "rows/s",
  );
  assert.equal(run.code, 130, run.output);
  // deno-lint-ignore no-control-regex -- frames are separated by ANSI escape sequences
  const frames = run.output.split(/\r|\n|\x1b\[\??\d*[A-Za-z]/).filter((frame) => frame.trim());
  // A counter (the total is unknown): thousands separators, a rate and the elapsed time.
  const counter = /events\s+reading\s+\d{1,3}(,\d{3})+ rows\s+[\d,]+ rows\/s\s+\d+\.\ds/;
  assert.ok(frames.some((frame) => counter.test(frame)), run.output);
  assert.ok(frames.some((frame) => /^\S+ (discovering|reading)\s+\d+\.\ds$/.test(frame.trim())));
  // Never a full bar, nor a line wider than the terminal.
  assert.ok(!frames.some((frame) => /\[█+\]|100%/.test(frame)), run.output);
  assert.ok(frames.every((frame) => [...frame].length <= 100));
  // The cursor was hidden while drawing and shown again after the interrupt.
  const hidden = run.output.lastIndexOf("\x1b[?25l");
  assert.ok(hidden >= 0, "the cursor was hidden while drawing");
  assert.ok(run.output.lastIndexOf("\x1b[?25h") > hidden, "the cursor is shown again");
  assert.match(run.output, /interrupted — the previous extract is unchanged/);
  const rows = await queryDuckDB(
    join(dir.path, "out/extract.duckdb"),
    "SELECT count(*)::INTEGER AS n FROM events",
  );
  assert.deepEqual(rows, [{ n: 1000 }]);
});

Deno.test("in CI: one line per table with rows, size and seconds", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(join(dir.path, "slow"));
  await Deno.writeTextFile(join(dir.path, "slow/connector.yaml"), MANIFEST);
  await Deno.writeTextFile(join(dir.path, "slow/connector.ts"), CONNECTOR);
  const result = await runCli(
    ["extract", "--connector", "./slow", "--out", "out", "--set", "batches=3"],
    { cwd: dir.path, env: { CI: "1" } },
  );
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /^events: ok \(3,000 rows, [\d.]+ KiB, \d+\.\ds\)$/m);
});

/**
 * Start-up benchmark: how long `dvt --help` and every command's `--help` take against an empty
 * Deno program, run by the real deno binary in interleaved rounds so both see the same machine
 * load. Prints one JSON line per case on stdout: median milliseconds, the empty program's median
 * and their ratio; the target is at most 2x the empty program.
 *
 * Usage: deno run -A bench/startup.ts [--runs 11] [--compare DIR]
 *
 * `--compare DIR` also times `dvt --help` and `dvt extract --help` of another checkout (e.g. one
 * without deno.json's `lazy-dynamic-imports`) in the same rounds, for a before/after figure.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { commandPaths } from "../runtime/commands/command_table.ts";

const CLI = fileURLToPath(new URL("../cli.ts", import.meta.url));
const TARGET_RATIO = 2;

function flag(name: string, fallback: string): string {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 && Deno.args[index + 1] ? Deno.args[index + 1] : fallback;
}

async function timeOnce(args: string[]): Promise<number> {
  const started = performance.now();
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    stdout: "null",
    stderr: "piped",
  }).output();
  const elapsed = performance.now() - started;
  if (output.code !== 0) {
    throw new Error(
      `deno ${args.join(" ")} exited ${output.code}: ${new TextDecoder().decode(output.stderr)}`,
    );
  }
  return elapsed;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

const runs = Number(flag("runs", "11"));
const dir = await Deno.makeTempDir({ prefix: "dvt-bench-startup-" });
try {
  const empty = join(dir, "empty.ts");
  await Deno.writeTextFile(empty, "export {};\n");
  const helpOf = (cli: string, path: string[], label = "") => ({
    name: `${label}${["dvt", ...path, "--help"].join(" ")}`,
    args: ["run", "--allow-all", "--unstable-worker-options", cli, ...path, "--help"],
  });
  const compare = flag("compare", "");
  const cases = [
    { name: "empty deno program", args: ["run", "-A", empty] },
    ...[[], ...commandPaths()].map((path) => helpOf(CLI, path)),
    ...(compare
      ? [[], ["extract"]].map((path) => helpOf(join(compare, "cli.ts"), path, `${compare}: `))
      : []),
  ];
  const times = cases.map(() => [] as number[]);
  for (const item of cases) await timeOnce(item.args); // warm the caches
  for (let round = 0; round < runs; round++) {
    for (const [index, item] of cases.entries()) times[index].push(await timeOnce(item.args));
  }
  const baseline = median(times[0]);
  for (const [index, item] of cases.entries()) {
    const ms = median(times[index]);
    const ratio = ms / baseline;
    console.log(JSON.stringify({
      bench: "startup",
      metric: item.name,
      value: `${Math.round(ms)} ms (${ratio.toFixed(2)}x)`,
      median_ms: Math.round(ms),
      baseline_ms: Math.round(baseline),
      ratio: Number(ratio.toFixed(2)),
      runs,
      ...(index === 0 ? {} : { target: `<= ${TARGET_RATIO}x empty`, met: ratio <= TARGET_RATIO }),
    }));
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}

/**
 * Shared by bench/mysql.ts and bench/sqlite.ts: run a child process while polling its peak RSS,
 * time it, and print one JSON line per figure for bench/run.ts to summarise.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** Repository root. */
export const ROOT: string = fileURLToPath(new URL("../", import.meta.url));

/** The value of `--name value` on the command line, or `fallback`. */
export function flag(name: string, fallback: string): string {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 && Deno.args[index + 1] ? Deno.args[index + 1] : fallback;
}

/** One measured child run. */
export interface Measured {
  seconds: number;
  peakRssBytes: number;
  /** User + system CPU seconds of the child (all its threads), as last seen in /proc. */
  cpuSeconds?: number;
  /**
   * ... of its main thread alone: on 2 CPUs shared with the server, the wall time is about the
   * larger of this and (all of dvt's CPU + the server's) / 2.
   */
  mainThreadCpuSeconds?: number;
  /** CPU seconds the database server spent during the run, where the bench measures it. */
  serverCpuSeconds?: number;
  code: number;
  stderr: string;
}

/**
 * User + system CPU seconds of process `pid` so far (0 once it is gone); with `children`, plus
 * those of its children that ended (PostgreSQL's backends, counted by the postmaster).
 */
export function cpuSecondsOf(pid: number, children = false): Promise<number> {
  return statCpuSeconds(`/proc/${pid}/stat`, children);
}

async function statCpuSeconds(path: string, children = false): Promise<number> {
  const stat = await Deno.readTextFile(path).catch(() => "");
  // Fields after the parenthesised command name: utime, stime, cutime, cstime are the 12th-15th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
  if (fields.length <= 14) return 0;
  return (fields[11] + fields[12] + (children ? fields[13] + fields[14] : 0)) / 100;
}

async function vmHwm(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`).catch(() => "");
  const kib = status.match(/VmHWM:\s+(\d+) kB/)?.[1];
  return kib ? Number(kib) * 1024 : 0;
}

/** Runs `command args` (stdout discarded), polling its VmHWM until it exits. */
export async function measure(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<Measured> {
  const started = performance.now();
  const child = new Deno.Command(command, { args, env, stdout: "null", stderr: "piped" }).spawn();
  let peak = 0;
  let cpu = 0;
  let mainCpu = 0;
  const poll = setInterval(async () => {
    peak = Math.max(peak, await vmHwm(child.pid));
    cpu = Math.max(cpu, await cpuSecondsOf(child.pid));
    mainCpu = Math.max(mainCpu, await statCpuSeconds(`/proc/${child.pid}/task/${child.pid}/stat`));
  }, 20);
  const output = await child.output();
  clearInterval(poll);
  return {
    seconds: (performance.now() - started) / 1000,
    peakRssBytes: peak,
    cpuSeconds: cpu,
    mainThreadCpuSeconds: mainCpu,
    code: output.code,
    stderr: new TextDecoder().decode(output.stderr),
  };
}

/** `dvt extract` as a child process, the way users run it. */
export function dvtExtract(
  args: string[],
  env: Record<string, string> = {},
): Promise<Measured> {
  return measure(Deno.execPath(), [
    "run",
    "-A",
    "--unstable-worker-options",
    `${ROOT}cli.ts`,
    "extract",
    ...args,
    "--full-refresh",
  ], { NO_COLOR: "1", ...env });
}

/** Prints one JSON line for bench/run.ts. */
export function emit(bench: string, record: Record<string, unknown>): void {
  console.log(JSON.stringify({ bench, ...record }));
}

/** Runs each case `repeat` times, alternating, and keeps each one's fastest run. */
export async function bestOf(
  repeat: number,
  cases: Record<string, () => Promise<Measured>>,
): Promise<Record<string, Measured>> {
  const best: Record<string, Measured> = {};
  for (let round = 0; round < repeat; round++) {
    for (const [name, run] of Object.entries(cases)) {
      const result = await run();
      if (result.code !== 0) throw new Error(`${name} failed: ${result.stderr}`);
      if (!best[name] || result.seconds < best[name].seconds) best[name] = result;
    }
  }
  return best;
}

/** Emits rows/s and peak RSS of each case and the ratios to `baseline`, with the targets. */
export function reportCases(
  bench: string,
  rows: number,
  best: Record<string, Measured>,
  baseline: string,
  targets: Record<string, number>,
): void {
  const rate = (name: string) => rows / best[name].seconds;
  for (const [name, m] of Object.entries(best)) {
    emit(bench, {
      case: name,
      rows,
      seconds: Number(m.seconds.toFixed(2)),
      rowsPerSecond: Math.round(rate(name)),
      peakRssMiB: Math.round(m.peakRssBytes / 1048576),
      ...(m.cpuSeconds === undefined ? {} : { cpuSeconds: Number(m.cpuSeconds.toFixed(2)) }),
      ...(m.mainThreadCpuSeconds === undefined
        ? {}
        : { mainThreadCpuSeconds: Number(m.mainThreadCpuSeconds.toFixed(2)) }),
      ...(m.serverCpuSeconds === undefined
        ? {}
        : { serverCpuSeconds: Number(m.serverCpuSeconds.toFixed(2)) }),
    });
  }
  for (const [name, target] of Object.entries(targets)) {
    const ratio = rate(name) / rate(baseline);
    emit(bench, {
      metric: `${name}_vs_${baseline}`,
      value: Number(ratio.toFixed(3)),
      target: `${target === 1 ? ">" : ">="} ${target}`,
      met: target === 1 ? ratio > 1 : ratio >= target,
    });
    emit(bench, {
      metric: `${name}_peak_rss_mib`,
      value: Math.round(best[name].peakRssBytes / 1048576),
      target: "< 512",
      met: best[name].peakRssBytes < 512 * 1048576,
    });
  }
}

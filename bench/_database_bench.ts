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

/**
 * Runs each case `repeat` times in alternating rounds (every case once per round, the order
 * rotated each round so no case always follows the same one) and returns every run, by case.
 * Single runs on this shared 2-core machine move by 30% even idle, so the report takes medians.
 */
export async function alternatingRounds(
  repeat: number,
  cases: Record<string, () => Promise<Measured>>,
  log: (record: Record<string, unknown>) => void = () => {},
): Promise<Record<string, Measured[]>> {
  const names = Object.keys(cases);
  const runs: Record<string, Measured[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < repeat; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length];
      const result = await cases[name]();
      if (result.code !== 0) throw new Error(`${name} failed: ${result.stderr}`);
      runs[name].push(result);
      log({ event: "run", round: round + 1, case: name, ...figures(result) });
    }
  }
  return runs;
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const round2 = (value: number) => Number(value.toFixed(2));

/** One run's figures, rounded, for the JSON lines. */
function figures(m: Measured): Record<string, number> {
  return {
    seconds: round2(m.seconds),
    peakRssMiB: Math.round(m.peakRssBytes / 1048576),
    ...(m.cpuSeconds === undefined ? {} : { cpuSeconds: round2(m.cpuSeconds) }),
    ...(m.mainThreadCpuSeconds === undefined
      ? {}
      : { mainThreadCpuSeconds: round2(m.mainThreadCpuSeconds) }),
    ...(m.serverCpuSeconds === undefined ? {} : { serverCpuSeconds: round2(m.serverCpuSeconds) }),
  };
}

/** The median of one figure over a case's runs, with its spread, or nothing if not measured. */
function spread(runs: Measured[], key: keyof Measured, name: string): Record<string, unknown> {
  const values = runs.map((m) => m[key]).filter((v): v is number => typeof v === "number");
  if (!values.length) return {};
  if (runs.length === 1) return { [name]: round2(values[0]) };
  return {
    [name]: round2(median(values)),
    [`${name}Range`]: [round2(Math.min(...values)), round2(Math.max(...values))],
  };
}

/**
 * Emits each case's median wall time (rows/s from it), peak RSS and CPU over its runs, with the
 * range, and the ratios to `baseline` with the targets: the ratio of the medians decides "met";
 * the ratios within each round (same load on both sides) are listed beside it.
 */
export function reportCases(
  bench: string,
  rows: number,
  runs: Record<string, Measured[]>,
  baseline: string,
  targets: Record<string, number>,
): void {
  const seconds = (name: string) => median(runs[name].map((m) => m.seconds));
  const peak = (name: string) => Math.max(...runs[name].map((m) => m.peakRssBytes));
  for (const [name, measured] of Object.entries(runs)) {
    emit(bench, {
      case: name,
      rows,
      runs: measured.length,
      ...spread(measured, "seconds", "seconds"),
      rowsPerSecond: Math.round(rows / seconds(name)),
      peakRssMiB: Math.round(peak(name) / 1048576),
      ...spread(measured, "cpuSeconds", "cpuSeconds"),
      ...spread(measured, "mainThreadCpuSeconds", "mainThreadCpuSeconds"),
      ...spread(measured, "serverCpuSeconds", "serverCpuSeconds"),
    });
  }
  for (const [name, target] of Object.entries(targets)) {
    if (!runs[name] || !runs[baseline]) continue;
    const ratio = seconds(baseline) / seconds(name);
    const perRound = runs[name].map((m, i) => round2(runs[baseline][i].seconds / m.seconds));
    emit(bench, {
      metric: `${name}_vs_${baseline}`,
      value: Number(ratio.toFixed(3)),
      ...(perRound.length > 1 ? { perRound } : {}),
      target: `${target === 1 ? ">" : ">="} ${target}`,
      met: target === 1 ? ratio > 1 : ratio >= target,
    });
    emit(bench, {
      metric: `${name}_peak_rss_mib`,
      value: Math.round(peak(name) / 1048576),
      target: "< 512",
      met: peak(name) < 512 * 1048576,
    });
  }
}

/**
 * Progress of long work (tables being extracted, JARs being downloaded), shown three ways, all
 * on stderr:
 * - on a TTY, one live line per task: a real bar when the total is known, otherwise a counter;
 *   always the count with thousands separators, the rate and the elapsed time, fitted to the
 *   terminal's width, plus a line for the run's phase (discovering, reading, publishing);
 * - in CI or a pipe, one line per finished task (rows, size, seconds) and a heartbeat line for
 *   every task still running at least every 10 seconds, so a long step is never silent;
 * - with `--json`, events with numeric fields (rows, bytes, seconds).
 *
 * @module
 */
import process from "node:process";
import { type OutputMode, printDiagnostic, printEvent } from "./output.ts";
import { formatCount, formatElapsed, formatSize } from "./units.ts";

/** What a finished task reports; every field numeric except the error text. */
export interface FinishStats {
  /** Units done (rows, bytes) when the task ended. */
  done?: number;
  /** Bytes the task produced (a table's Parquet size). */
  bytes?: number;
  /** Why it failed or was skipped. */
  error?: string;
}

/** Receives progress of named tasks. */
export interface ProgressReporter {
  /** The whole run entered a phase: discovering, reading, publishing, ... */
  phase?(label: string): void;
  /** A task begins; `total` when known (bytes, rows). */
  start(task: string, total?: number): void;
  /** The task reached `done` units (cumulative). */
  update(task: string, done: number): void;
  /** The task ended. */
  finish(task: string, status: "ok" | "failed" | "skipped", stats?: FinishStats): void;
  /** Stops every live line and restores the cursor; call once at the end. */
  close(): void;
}

/** Longest silence in plain mode while a task or phase is running. */
export const HEARTBEAT_MS = 10_000;

/** One task's progress, as every reporter tracks it. */
interface TaskState {
  task: string;
  total?: number;
  done: number;
  startedAt: number;
  status?: "ok" | "failed" | "skipped";
  stats?: FinishStats;
}

function seconds(state: TaskState, now = performance.now()): number {
  return (now - state.startedAt) / 1000;
}

/** `12,345 rows  4,321 rows/s  2.9s` (the amount, the rate, the elapsed time). */
function amount(state: TaskState, unit: string, now = performance.now()): string {
  const elapsed = seconds(state, now);
  const count = unit === "bytes" ? formatSize(state.done) : `${formatCount(state.done)} ${unit}`;
  const of = state.total !== undefined
    ? ` of ${unit === "bytes" ? formatSize(state.total) : formatCount(state.total)}`
    : "";
  const rate = elapsed >= 0.5
    ? unit === "bytes"
      ? `  ${formatSize(state.done / elapsed)}/s`
      : `  ${formatCount(state.done / elapsed)} ${unit}/s`
    : "";
  return `${count}${of}${rate}  ${formatElapsed(elapsed)}`;
}

/** `60 rows, 1.9 KiB, 0.4s` for a finished task. */
function finishedDetail(state: TaskState, unit: string): string {
  const parts: string[] = [];
  const done = state.stats?.done ?? state.done;
  if (state.status !== "skipped") {
    parts.push(unit === "bytes" ? formatSize(done) : `${formatCount(done)} ${unit}`);
    if (state.stats?.bytes !== undefined) parts.push(formatSize(state.stats.bytes));
    parts.push(formatElapsed(seconds(state)));
  }
  if (state.stats?.error) parts.push(state.stats.error.split("\n")[0]);
  return parts.join(", ");
}

/** Keeps the task states and the phase; the reporters decide how to show them. */
abstract class TrackingReporter implements ProgressReporter {
  protected tasks = new Map<string, TaskState>();
  protected currentPhase?: { label: string; startedAt: number };
  constructor(protected unit: string) {}

  phase(label: string): void {
    this.currentPhase = { label, startedAt: performance.now() };
  }
  start(task: string, total?: number): void {
    this.tasks.set(task, { task, total, done: 0, startedAt: performance.now() });
  }
  update(task: string, done: number): void {
    const state = this.tasks.get(task);
    if (state) state.done = done;
  }
  finish(task: string, status: "ok" | "failed" | "skipped", stats?: FinishStats): void {
    const state = this.tasks.get(task) ?? { task, done: 0, startedAt: performance.now() };
    if (stats?.done !== undefined) state.done = stats.done;
    state.status = status;
    state.stats = stats;
    this.tasks.set(task, state);
  }
  abstract close(): void;
}

/** CI and pipes: a line per finished task, and a heartbeat for what is still running. */
class PlainReporter extends TrackingReporter {
  #timer: number;
  constructor(unit: string) {
    super(unit);
    // Deno's timers return ids; node's typings (loaded with node:process) say otherwise.
    this.#timer = setInterval(() => this.#heartbeat(), HEARTBEAT_MS) as unknown as number;
    Deno.unrefTimer(this.#timer);
  }
  #heartbeat(): void {
    const running = [...this.tasks.values()].filter((state) => !state.status);
    if (!running.length && this.currentPhase) {
      const elapsed = (performance.now() - this.currentPhase.startedAt) / 1000;
      printDiagnostic(`${this.currentPhase.label}... ${formatElapsed(elapsed)}`);
    }
    for (const state of running) {
      const phase = this.currentPhase ? `${this.currentPhase.label} ` : "";
      printDiagnostic(`${state.task}: ${phase}${amount(state, this.unit)}`);
    }
  }
  override finish(task: string, status: "ok" | "failed" | "skipped", stats?: FinishStats) {
    super.finish(task, status, stats);
    const state = this.tasks.get(task)!;
    printDiagnostic(`${task}: ${status} (${finishedDetail(state, this.unit)})`);
  }
  close(): void {
    clearInterval(this.#timer);
  }
}

/** `--json`: one event per call, numbers as numbers. */
class JsonReporter extends TrackingReporter {
  #lastUpdate = new Map<string, number>();
  override phase(label: string): void {
    super.phase(label);
    printEvent({ event: "progress.phase", phase: label });
  }
  override start(task: string, total?: number): void {
    super.start(task, total);
    printEvent({ event: "progress.start", task, total, unit: this.unit });
  }
  override update(task: string, done: number): void {
    super.update(task, done);
    const state = this.tasks.get(task);
    if (!state) return;
    const elapsed = seconds(state);
    printEvent({
      event: "progress",
      task,
      done,
      total: state.total,
      unit: this.unit,
      seconds: round(elapsed),
      perSecond: elapsed > 0 ? Math.round(done / elapsed) : undefined,
    });
    this.#lastUpdate.set(task, done);
  }
  override finish(task: string, status: "ok" | "failed" | "skipped", stats?: FinishStats) {
    super.finish(task, status, stats);
    const state = this.tasks.get(task)!;
    printEvent({
      event: "progress.finish",
      task,
      status,
      done: state.done,
      unit: this.unit,
      ...(stats?.bytes !== undefined ? { bytes: stats.bytes } : {}),
      seconds: round(seconds(state)),
      ...(stats?.error ? { error: stats.error } : {}),
    });
  }
  close(): void {}
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const RUN_LINE = "\u0000run";

/** Terminal width, read at every frame so a resized terminal gets lines that fit. */
function terminalWidth(): number {
  try {
    return Deno.consoleSize().columns || 80;
  } catch {
    return 80;
  }
}

/** Cuts a line to `width` visible characters. */
function fit(line: string, width: number): string {
  const chars = [...line];
  return chars.length <= width ? line : chars.slice(0, Math.max(1, width - 1)).join("") + "…";
}

type Bars = import("cli-progress").MultiBar;
type Bar = import("cli-progress").SingleBar;

/** A TTY: one live line per task, drawn by cli-progress with dvt's own line format. */
class TtyReporter extends TrackingReporter {
  #multibar: Bars;
  #bars = new Map<string, Bar>();
  #frame = 0;

  constructor(progress: typeof import("cli-progress"), unit: string) {
    super(unit);
    this.#multibar = new progress.MultiBar({
      stream: process.stderr,
      format: (_options: unknown, params: { value: number }, payload: { task: string }) =>
        this.#render(payload.task, params.value),
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      fps: 8,
      forceRedraw: true,
    });
  }

  override phase(label: string): void {
    super.phase(label);
    if (!this.#bars.has(RUN_LINE)) {
      this.#bars.set(RUN_LINE, this.#multibar.create(1, 0, { task: RUN_LINE }));
    }
    this.#bars.get(RUN_LINE)!.update(0, { task: RUN_LINE });
  }
  override start(task: string, total?: number): void {
    super.start(task, total);
    this.#bars.set(task, this.#multibar.create(total ?? 1, 0, { task }));
  }
  override update(task: string, done: number): void {
    super.update(task, done);
    this.#bars.get(task)?.update(done, { task });
  }
  override finish(task: string, status: "ok" | "failed" | "skipped", stats?: FinishStats) {
    super.finish(task, status, stats);
    const bar = this.#bars.get(task) ?? this.#multibar.create(1, 0, { task });
    this.#bars.set(task, bar);
    bar.update(this.tasks.get(task)!.done, { task });
  }
  close(): void {
    const run = this.#bars.get(RUN_LINE);
    if (run) this.#multibar.remove(run);
    this.#multibar.stop();
  }

  /** One line: `name [bar] 45%  4,500 of 10,000 rows  1,234 rows/s  3.6s` or a counter. */
  #render(task: string, _value: number): string {
    const width = terminalWidth();
    const spin = SPINNER[Math.floor(this.#frame++ / 2) % SPINNER.length];
    if (task === RUN_LINE) {
      const phase = this.currentPhase;
      if (!phase) return "";
      const elapsed = (performance.now() - phase.startedAt) / 1000;
      return fit(`${spin} ${phase.label}  ${formatElapsed(elapsed)}`, width);
    }
    const state = this.tasks.get(task);
    if (!state) return "";
    const name = task.length > 24 ? `${task.slice(0, 23)}…` : task.padEnd(
      Math.min(24, Math.max(...[...this.tasks.keys()].map((k) => k.length))),
    );
    if (state.status) {
      const mark = state.status === "ok" ? "✓" : state.status === "failed" ? "✗" : "-";
      return fit(`${mark} ${name}  ${state.status}  ${finishedDetail(state, this.unit)}`, width);
    }
    const text = amount(state, this.unit);
    if (state.total !== undefined && state.total > 0) {
      const ratio = Math.min(1, state.done / state.total);
      const room = width - name.length - text.length - 12;
      const size = Math.max(0, Math.min(30, room));
      const filled = Math.round(size * ratio);
      const bar = size ? `[${"█".repeat(filled)}${"░".repeat(size - filled)}] ` : "";
      return fit(`${spin} ${name}  ${bar}${Math.floor(ratio * 100)}%  ${text}`, width);
    }
    const phase = this.currentPhase?.label ?? "";
    return fit(`${spin} ${name}  ${phase ? `${phase}  ` : ""}${text}`, width);
  }
}

/**
 * Creates the reporter for an output mode. The TTY bars library is loaded only when a bar is
 * actually shown, so `--help` and CI runs never pay for it.
 */
export async function createProgressReporter(
  mode: OutputMode,
  unit = "rows",
): Promise<ProgressReporter> {
  if (mode === "json") return new JsonReporter(unit);
  if (mode === "plain") return new PlainReporter(unit);
  const { default: progress } = await import("cli-progress");
  return new TtyReporter(progress, unit);
}

/** A reporter that shows nothing; for library use and tests. */
export const silentProgress: ProgressReporter = {
  phase() {},
  start() {},
  update() {},
  finish() {},
  close() {},
};

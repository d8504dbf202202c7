/**
 * Progress of long work (tables being extracted, JARs being downloaded), shown three ways:
 * a bar per task on a TTY, a plain line per task at most every few seconds in CI or pipes,
 * and JSON events with `--json`. All of it goes to stderr.
 *
 * @module
 */
import process from "node:process";
import { type OutputMode, printDiagnostic, printEvent } from "./output.ts";

/** Receives progress of named tasks. */
export interface ProgressReporter {
  /** A task begins; `total` when known (bytes, rows). */
  start(task: string, total?: number): void;
  /** The task reached `done` units. */
  update(task: string, done: number): void;
  /** The task ended; `detail` is shown next to it (e.g. "1,204 rows"). */
  finish(task: string, status: "ok" | "failed" | "skipped", detail?: string): void;
  /** Stops every bar; call once at the end. */
  close(): void;
}

/** Minimum time between two plain lines for the same task. */
const PLAIN_INTERVAL_MS = 5_000;

class PlainReporter implements ProgressReporter {
  #lastPrinted = new Map<string, number>();
  #unit: string;
  constructor(unit: string) {
    this.#unit = unit;
  }
  start(task: string): void {
    this.#lastPrinted.set(task, Date.now());
  }
  update(task: string, done: number): void {
    const last = this.#lastPrinted.get(task) ?? 0;
    if (Date.now() - last < PLAIN_INTERVAL_MS) return;
    this.#lastPrinted.set(task, Date.now());
    printDiagnostic(`${task}: ${done.toLocaleString("en-US")} ${this.#unit}`);
  }
  finish(task: string, status: string, detail?: string): void {
    this.#lastPrinted.delete(task);
    printDiagnostic(`${task}: ${status}${detail ? ` (${detail})` : ""}`);
  }
  close(): void {}
}

class JsonReporter implements ProgressReporter {
  #unit: string;
  constructor(unit: string) {
    this.#unit = unit;
  }
  start(task: string, total?: number): void {
    printEvent({ event: "progress.start", task, total, unit: this.#unit });
  }
  update(task: string, done: number): void {
    printEvent({ event: "progress", task, done, unit: this.#unit });
  }
  finish(task: string, status: string, detail?: string): void {
    printEvent({ event: "progress.finish", task, status, detail });
  }
  close(): void {}
}

type Bars = import("cli-progress").MultiBar;
type Bar = import("cli-progress").SingleBar;

class TtyReporter implements ProgressReporter {
  #multibar: Bars;
  #bars = new Map<string, Bar>();
  #unit: string;
  constructor(multibar: Bars, unit: string) {
    this.#multibar = multibar;
    this.#unit = unit;
  }
  start(task: string, total?: number): void {
    const bar = this.#multibar.create(total ?? 0, 0, { task, unit: this.#unit, detail: "" });
    this.#bars.set(task, bar);
  }
  update(task: string, done: number): void {
    const bar = this.#bars.get(task);
    if (!bar) return;
    if (bar.getTotal() < done) bar.setTotal(done);
    bar.update(done);
  }
  finish(task: string, status: string, detail?: string): void {
    const bar = this.#bars.get(task);
    if (!bar) return;
    bar.setTotal(Math.max(bar.getTotal(), 1));
    bar.update(bar.getTotal(), { detail: `${status}${detail ? ` (${detail})` : ""}` });
    bar.stop();
  }
  close(): void {
    this.#multibar.stop();
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
  const multibar = new progress.MultiBar({
    stream: process.stderr,
    format: "{task} |{bar}| {value} {unit} {detail}",
    hideCursor: true,
    clearOnComplete: false,
    stopOnComplete: false,
  }, progress.Presets.shades_classic);
  return new TtyReporter(multibar, unit);
}

/** A reporter that shows nothing; for library use and tests. */
export const silentProgress: ProgressReporter = {
  start() {},
  update() {},
  finish() {},
  close() {},
};

/**
 * Hands record batches from one or more server readers (mysql2 callbacks) to one async consumer,
 * with back-pressure: a reader whose batches the consumer has not taken yet is paused, so memory
 * holds at most a few batches per reader whatever the table size. The first error wins and ends
 * the stream: a failed reader is never mistaken for the end of the data.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";

/** A producer the queue can pause and resume (a connection streaming one query). */
export interface Pausable {
  pause(): void;
  resume(): void;
}

/** Where a reader hands its batches, its end or its failure. */
export interface BatchTarget {
  /** Takes a batch; may pause `from` until the consumer catches up. */
  push(batch: Arrow.RecordBatch, from: Pausable): void;
  /** The reader ended successfully. */
  finish(): void;
  /** The reader failed. */
  fail(error: unknown): void;
  /** True once a failure was reported (the reader stops). */
  readonly failed: boolean;
}

/** Batches waiting for the consumer, from `producers` readers. */
export class BatchQueue implements BatchTarget {
  #ready: Arrow.RecordBatch[] = [];
  #paused = new Set<Pausable>();
  #open: number;
  #error: unknown;
  #wake?: () => void;

  /** `producers`: how many readers will call {@linkcode BatchQueue.finish}. */
  constructor(producers: number, readonly limit = 2) {
    this.#open = producers;
  }

  /** Adds a batch; pauses `from` when the consumer is behind. */
  push(batch: Arrow.RecordBatch, from: Pausable): void {
    this.#ready.push(batch);
    if (this.#ready.length >= this.limit && !this.#paused.has(from)) {
      this.#paused.add(from);
      from.pause();
    }
    this.#notify();
  }

  /** One reader ended successfully. */
  finish(): void {
    this.#open--;
    this.#notify();
  }

  /** A reader failed: the stream ends with this error (the first one reported). */
  fail(error: unknown): void {
    if (this.#error === undefined) this.#error = error ?? new Error("reader failed");
    this.#notify();
  }

  /** True once an error has been reported. */
  get failed(): boolean {
    return this.#error !== undefined;
  }

  #notify() {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Yields batches until every reader finished; throws the first reader error. */
  async *drain(): AsyncGenerator<Arrow.RecordBatch> {
    while (true) {
      if (this.#error !== undefined) throw this.#error;
      const batch = this.#ready.shift();
      if (batch) {
        if (this.#ready.length < this.limit) this.#resumeAll();
        yield batch;
        continue;
      }
      if (this.#open <= 0) return;
      this.#resumeAll();
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  #resumeAll() {
    for (const producer of this.#paused) producer.resume();
    this.#paused.clear();
  }
}

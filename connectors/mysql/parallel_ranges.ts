/**
 * Splits a table into key ranges for parallel readers: equal-width ranges of a single-column
 * integer primary key between its MIN and MAX. The first range is open below and the last open
 * above, so rows outside the bounds seen at planning time are still read exactly once.
 *
 * @module
 */
import type { KeyRange } from "./select_sql.ts";

/**
 * Tables estimated above this many rows get two readers unless `parallel` says otherwise, on
 * machines with {@linkcode PARALLEL_DEFAULT_MIN_CPUS} CPUs or more.
 */
export const PARALLEL_DEFAULT_ROWS = 2_000_000;

/** Readers used when `parallel` is not set and the table is large. */
export const PARALLEL_DEFAULT_READERS = 2;

/**
 * Below this many CPUs one reader is the default: with the server on the same two cores, a second
 * connection added dvt CPU (+7% for 10M rows, BENCHMARKS.md) and no measurable speed.
 */
export const PARALLEL_DEFAULT_MIN_CPUS = 4;

/** Readers for a table when `parallel` is not set. */
export function defaultReaders(estimatedRows: number, cpus: number): number {
  return cpus >= PARALLEL_DEFAULT_MIN_CPUS && estimatedRows >= PARALLEL_DEFAULT_ROWS
    ? PARALLEL_DEFAULT_READERS
    : 1;
}

/** `readers` ranges covering [min, max] of `column` (fewer when the span is small). */
export function splitRange(column: string, min: bigint, max: bigint, readers: number): KeyRange[] {
  const span = max - min + 1n;
  const count = BigInt(readers) > span ? Number(span) : readers;
  if (count <= 1) return [{ column }];
  const step = span / BigInt(count);
  const ranges: KeyRange[] = [];
  for (let i = 0; i < count; i++) {
    ranges.push({
      column,
      from: i === 0 ? undefined : min + step * BigInt(i),
      to: i === count - 1 ? undefined : min + step * BigInt(i + 1),
    });
  }
  return ranges;
}

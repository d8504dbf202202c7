/**
 * One iterator over anything iterable, synchronously or not: callers pull items one at a time
 * (and can stop early with `return()`) whichever kind a source handed them.
 *
 * @module
 */

/**
 * The iterator of `source`: its async iterator when it has one, otherwise its sync iterator.
 *
 * @example
 * ```ts
 * import { iteratorOf } from "./iterator_of.ts";
 * const first = await iteratorOf([1, 2, 3]).next();
 * if (first.value !== 1) throw new Error("unreachable");
 * ```
 */
export function iteratorOf<T>(
  source: AsyncIterable<T> | Iterable<T>,
): AsyncIterator<T> | Iterator<T> {
  return Symbol.asyncIterator in source
    ? source[Symbol.asyncIterator]()
    : (source as Iterable<T>)[Symbol.iterator]();
}

/**
 * A batch source whose first batch is requested at once: the connector starts its read (a query
 * sent, a statement submitted, a first download begun) while the Parquet writer still prepares
 * (it probes the schema with parquet-wasm before it asks for a batch), instead of after it. The
 * batches, their order and the source's errors are unchanged; a failure of that first request is
 * thrown when the writer asks for the batch, as it would have been.
 *
 * @module
 */
import type * as arrow from "apache-arrow";
import type { BatchSource } from "../protocol.ts";
import { iteratorOf } from "../util/iterator_of.ts";

type Step = IteratorResult<arrow.RecordBatch>;

/**
 * `source`, with its first batch already requested.
 *
 * @example
 * ```ts
 * import { firstBatchAhead } from "./first_batch_ahead.ts";
 * let started = false;
 * function* batches() {
 *   started = true;
 *   yield* [];
 * }
 * const source = firstBatchAhead(batches());
 * if (!started) throw new Error("the read starts before anyone iterates");
 * for await (const _ of source) throw new Error("no batches");
 * ```
 */
export function firstBatchAhead(source: BatchSource): AsyncIterable<arrow.RecordBatch> {
  const iterator = iteratorOf(source);
  // An async function turns a synchronous throw of next() into a rejection, awaited in turn.
  let first: Promise<Step> | undefined = (async () => await iterator.next())();
  first.catch(() => {}); // handled by whoever asks for the batch
  const ahead: AsyncIterator<arrow.RecordBatch> = {
    next(): Promise<Step> {
      const step = first ?? (async () => await iterator.next())();
      first = undefined;
      return step;
    },
    async return(): Promise<Step> {
      const unasked = first !== undefined;
      first = undefined;
      const closing = Promise.resolve(iterator.return?.());
      // A source still busy with the unasked first batch closes when that step ends; the caller
      // (a writer that failed before reading) need not wait for a query it never used.
      if (unasked) closing.catch(() => {});
      else await closing;
      return { done: true, value: undefined };
    },
  };
  return { [Symbol.asyncIterator]: () => ahead };
}

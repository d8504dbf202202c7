/**
 * Writes a table that a connector split into several sources (`readParts`): each source goes to
 * its own temporary Parquet file, all written concurrently. The parts succeed together or fail
 * together: the first failure stops the other readers at their next batch, every temporary file
 * is removed, and that first error is reported.
 *
 * @module
 */
import type * as arrow from "apache-arrow";
import { type ParquetWriteResult, writeParquetFile } from "../parquet/parquet_writer.ts";
import type { BatchSource } from "../protocol.ts";
import { removeIfExists } from "./publish.ts";

/** Options of {@linkcode writeParts}. */
export interface PartsWriteOptions {
  table: string;
  schema?: arrow.Schema;
  /** Called after each batch of any part, with the rows written so far by all parts. */
  onBatch?: (batch: arrow.RecordBatch, rowsSoFar: number) => void;
}

/** Raised inside the other parts once one part failed; never reported itself. */
class PartAborted extends Error {}

async function* abortable(
  source: BatchSource,
  failed: () => boolean,
): AsyncGenerator<arrow.RecordBatch> {
  for await (const batch of source) {
    if (failed()) throw new PartAborted("another part failed");
    yield batch;
  }
}

/**
 * Writes `sources[i]` to `temps[i]`; returns the total rows and bytes. On failure removes every
 * file in `temps` and rethrows the first real error.
 */
export async function writeParts(
  temps: string[],
  sources: BatchSource[],
  options: PartsWriteOptions,
): Promise<ParquetWriteResult> {
  let failure: unknown;
  let rows = 0;
  const results = await Promise.allSettled(
    sources.map((source, i) =>
      writeParquetFile(temps[i], abortable(source, () => failure !== undefined), {
        table: options.table,
        schema: options.schema,
        onBatch: (batch) => {
          rows += batch.numRows;
          options.onBatch?.(batch, rows);
        },
      }).catch((error) => {
        if (failure === undefined && !(error instanceof PartAborted)) failure = error;
        throw error;
      })
    ),
  );
  if (failure !== undefined || results.some((r) => r.status === "rejected")) {
    await Promise.all(temps.map(removeIfExists));
    throw failure ?? (results.find((r) => r.status === "rejected") as PromiseRejectedResult).reason;
  }
  const written = results.map((r) => (r as PromiseFulfilledResult<ParquetWriteResult>).value);
  return {
    rows: written.reduce((sum, part) => sum + part.rows, 0),
    bytes: written.reduce((sum, part) => sum + part.bytes, 0),
    schema: written[0].schema,
  };
}

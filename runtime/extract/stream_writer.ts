/**
 * Append-only writer for stream tables: batches go to `data/<name>/YYYY-MM-<unique>.parquet`,
 * a new file every `flushRows` rows and at the end. The month comes from the UTC time the file
 * is started. Existing partition files are never reopened, re-read or rewritten; each new file
 * is written under a temp name and renamed into place complete. A partition in place is not yet
 * published: views read only the partitions `_meta` lists (see publish.ts), so the caller
 * publishes the returned `files` or leaves them to the next clean-up. Reusable by `dvt serve`.
 *
 * @module
 */
import type * as arrow from "apache-arrow";
import { join } from "node:path";
import { type OutputLayout, TEMP_PREFIX } from "./layout.ts";
import { writeParquetFile } from "../parquet/parquet_writer.ts";
import type { BatchSource } from "../protocol.ts";
import { iteratorOf } from "../util/iterator_of.ts";

/** Options of {@linkcode appendStreamBatches}. */
export interface StreamAppendOptions {
  /** Rows per partition file (a file may exceed it by less than one batch). Default 100,000. */
  flushRows?: number;
  /** Declared schema; batches must match it. */
  schema?: arrow.Schema;
  /** Called after each batch with the running row count. */
  onBatch?: (batch: arrow.RecordBatch, rows: number) => void;
  /** Appended to each file name (`YYYY-MM-<unique>-<tag>.parquet`); [a-z0-9] only. */
  tag?: string;
  /** Clock, for tests. */
  now?: () => Date;
}

/** What {@linkcode appendStreamBatches} wrote. */
export interface StreamAppendResult {
  rows: number;
  bytes: number;
  /** Relative paths of the files written. */
  files: string[];
  schema?: arrow.Schema;
}

/** Appends a stream of batches to a stream table's partition directory. */
export async function appendStreamBatches(
  layout: OutputLayout,
  name: string,
  batches: BatchSource,
  options: StreamAppendOptions = {},
): Promise<StreamAppendResult> {
  const flushRows = options.flushRows ?? 100_000;
  const now = options.now ?? (() => new Date());
  const dirRelative = layout.streamDir(name);
  const dir = layout.absolute(dirRelative);
  await Deno.mkdir(dir, { recursive: true });
  const iterator = iteratorOf(batches);
  let pending = await iterator.next();
  const result: StreamAppendResult = { rows: 0, bytes: 0, files: [], schema: options.schema };
  while (!pending.done) {
    const tag = options.tag ? `-${options.tag}` : "";
    const fileName = `${now().toISOString().slice(0, 7)}-${uniqueSuffix()}${tag}.parquet`;
    const temp = join(dir, `${TEMP_PREFIX}${fileName}.part`);
    const segment = async function* () {
      let rows = 0;
      while (!pending.done && rows < flushRows) {
        const batch = pending.value;
        rows += batch.numRows;
        yield batch;
        pending = await iterator.next();
      }
    };
    try {
      const written = await writeParquetFile(temp, segment(), {
        table: name,
        schema: result.schema,
        onBatch: (batch, soFar) => options.onBatch?.(batch, result.rows + soFar),
      });
      result.schema = written.schema;
      result.rows += written.rows;
      result.bytes += written.bytes;
      await Deno.rename(temp, join(dir, fileName));
      result.files.push(`${dirRelative}/${fileName}`);
    } catch (error) {
      // All or nothing: a stream that fails appends no partition, not even finished ones.
      for (const path of [temp, ...result.files.map((file) => layout.absolute(file))]) {
        await Deno.remove(path).catch(() => {});
      }
      throw error;
    }
  }
  return result;
}

/** Time-ordered unique suffix so file names sort by write time. */
function uniqueSuffix(): string {
  const random = crypto.getRandomValues(new Uint32Array(1))[0].toString(36).padStart(7, "0");
  return `${Date.now().toString(36)}-${random}`;
}

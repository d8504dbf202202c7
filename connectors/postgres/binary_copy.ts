/**
 * Parses the byte stream of `COPY ... TO STDOUT (FORMAT binary)` into Arrow record batches.
 * Format (PostgreSQL docs, "COPY — Binary Format"): an 11-byte signature, int32 flags, int32
 * header-extension length (+ extension); then per row an int16 field count and per field an
 * int32 length (-1 = NULL) followed by that many bytes; an int16 -1 ends the data.
 *
 * The end marker is required: a stream that stops before it (a killed connection, a dropped
 * socket) is an error, never a short table.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import type { ArrowModule } from "./column_builders.ts";
import { type FieldDecoder, ValueError } from "./field_decoders.ts";

const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00];

/** A value that failed to convert, with the column it belongs to. */
export class ColumnValueError extends Error {
  constructor(readonly column: string, readonly reason: string) {
    super(`column "${column}": ${reason}`);
  }
}

/** Options of {@linkcode decodeBinaryCopy}. */
export interface BinaryCopyOptions {
  arrow: ArrowModule;
  schema: Arrow.Schema;
  decoders: FieldDecoder[];
  batchSize: number;
}

/** Bytes received but not decoded yet; chunks are appended, decoded rows dropped from the front. */
class ByteQueue {
  bytes = new Uint8Array(1 << 20);
  view = new DataView(this.bytes.buffer);
  start = 0;
  end = 0;

  push(chunk: Uint8Array): void {
    if (this.end + chunk.length > this.bytes.length) {
      const kept = this.end - this.start;
      let size = this.bytes.length;
      while (size < kept + chunk.length) size *= 2;
      const target = size === this.bytes.length ? this.bytes : new Uint8Array(size);
      target.set(this.bytes.subarray(this.start, this.end), 0);
      this.bytes = target;
      this.view = new DataView(target.buffer);
      this.start = 0;
      this.end = kept;
    }
    this.bytes.set(chunk, this.end);
    this.end += chunk.length;
  }
}

/** How far {@linkcode decodeRows} got. */
interface Progress {
  rows: number;
  ended: boolean;
}

/**
 * Decodes complete rows from the queue until the batch is full, the data ends or a row is
 * incomplete. Kept free of `yield` so the engine optimises the hot loop.
 */
function decodeRows(
  queue: ByteQueue,
  decoders: FieldDecoder[],
  schema: Arrow.Schema,
  progress: Progress,
  batchSize: number,
): void {
  const { bytes, view, end } = queue;
  const columns = decoders.length;
  let at = queue.start;
  let rows = progress.rows;
  while (rows < batchSize && at + 2 <= end) {
    const count = view.getInt16(at);
    if (count === -1) {
      progress.ended = true;
      at += 2;
      break;
    }
    if (count !== columns) throw new Error(`COPY row has ${count} fields, expected ${columns}`);
    const rowEnd = rowLimit(view, at + 2, count, end);
    if (rowEnd < 0) break;
    let field = at + 2;
    let c = 0;
    try {
      for (; c < columns; c++) {
        const length = view.getInt32(field);
        field += 4;
        if (length < 0) decoders[c].appendNull(rows);
        else {
          decoders[c].append(rows, bytes, view, field, length);
          field += length;
        }
      }
    } catch (error) {
      if (error instanceof ValueError) {
        throw new ColumnValueError(schema.fields[c].name, error.message);
      }
      throw error;
    }
    at = rowEnd;
    rows++;
  }
  queue.start = at;
  progress.rows = rows;
}

/** Yields batches of `batchSize` rows (the last may be smaller) from a binary COPY stream. */
export async function* decodeBinaryCopy(
  chunks: AsyncIterable<Uint8Array>,
  options: BinaryCopyOptions,
): AsyncGenerator<Arrow.RecordBatch> {
  const { arrow, schema, decoders } = options;
  const batchSize = Math.max(1, options.batchSize);
  const queue = new ByteQueue();
  const progress: Progress = { rows: 0, ended: false };
  let headerDone = false;

  const flush = () => {
    const children = decoders.map((decoder) => decoder.flush(progress.rows));
    const data = arrow.makeData({
      type: new arrow.Struct(schema.fields),
      length: progress.rows,
      nullCount: 0,
      children,
    });
    progress.rows = 0;
    return new arrow.RecordBatch(schema, data);
  };

  for await (const chunk of chunks) {
    if (progress.ended) {
      if (chunk.length) throw new Error("the server sent data after the end of the COPY stream");
      continue;
    }
    queue.push(chunk);
    if (!headerDone) {
      const headerEnd = headerLength(queue.bytes.subarray(0, queue.end), queue.view);
      if (headerEnd === undefined) continue;
      queue.start = headerEnd;
      headerDone = true;
    }
    while (true) {
      decodeRows(queue, decoders, schema, progress, batchSize);
      if (progress.rows < batchSize) break;
      yield flush();
    }
  }
  if (!progress.ended) {
    throw new Error("the COPY stream ended before its end marker (the connection was lost)");
  }
  if (progress.rows > 0) yield flush();
}

/** End offset of the header, or undefined when more bytes are needed. */
function headerLength(bytes: Uint8Array, view: DataView): number | undefined {
  if (bytes.length < 19) return undefined;
  for (let i = 0; i < SIGNATURE.length; i++) {
    if (bytes[i] !== SIGNATURE[i]) throw new Error("the COPY stream is not in binary format");
  }
  const extension = view.getInt32(15);
  return bytes.length < 19 + extension ? undefined : 19 + extension;
}

/** End offset of the row whose fields start at `at`, or -1 when it is not complete yet. */
function rowLimit(view: DataView, at: number, count: number, limit: number): number {
  for (let c = 0; c < count; c++) {
    if (at + 4 > limit) return -1;
    const length = view.getInt32(at);
    at += 4 + (length > 0 ? length : 0);
  }
  return at <= limit ? at : -1;
}

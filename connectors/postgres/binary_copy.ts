/**
 * Parses the CopyData messages of `COPY ... TO STDOUT (FORMAT binary)` into Arrow record batches.
 * The rows are decoded where they lie in the socket's chunks (PostgreSQL sends one row per
 * message); only a row split across messages is put together in a {@linkcode ByteQueue} first.
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

/** Bytes received but not decoded yet; appended at the end, decoded rows dropped from the front. */
class ByteQueue {
  bytes = new Uint8Array(1 << 16);
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

/** The state of one COPY's decoding. */
interface Reader {
  decoders: FieldDecoder[];
  schema: Arrow.Schema;
  batchSize: number;
  /** Rows decoded into the current batch. */
  rows: number;
  headerDone: boolean;
  ended: boolean;
  /** Bytes of a row (or the header) that continue in a later message. */
  queue: ByteQueue;
}

/** Where decoding stands in a chunk of whole CopyData messages. */
interface Cursor {
  /** Start of the next message. */
  next: number;
  /** The unread payload of the current message: `[at, end)`. */
  at: number;
  end: number;
}

/**
 * Decodes complete rows of `bytes[at, end)` until the batch is full, the data ends or a row is
 * incomplete; returns where it stopped. Kept free of `yield` so the engine optimises the hot loop.
 */
function decodeRows(
  bytes: Uint8Array,
  view: DataView,
  at: number,
  end: number,
  reader: Reader,
): number {
  const { decoders, batchSize } = reader;
  const columns = decoders.length;
  let rows = reader.rows;
  while (rows < batchSize && at + 2 <= end) {
    const count = view.getInt16(at);
    if (count === -1) {
      reader.ended = true;
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
        throw new ColumnValueError(reader.schema.fields[c].name, error.message);
      }
      throw error;
    }
    at = rowEnd;
    rows++;
  }
  reader.rows = rows;
  return at;
}

const afterEnd = () => new Error("the server sent data after the end of the COPY stream");

/** Decodes the header and rows waiting in the queue. */
function decodeQueued(reader: Reader): void {
  const queue = reader.queue;
  if (!reader.headerDone) {
    const waiting = queue.bytes.subarray(queue.start, queue.end);
    const headerEnd = headerLength(waiting, new DataView(waiting.buffer, waiting.byteOffset));
    if (headerEnd === undefined) return;
    queue.start += headerEnd;
    reader.headerDone = true;
  }
  queue.start = decodeRows(queue.bytes, queue.view, queue.start, queue.end, reader);
  if (reader.ended && queue.start < queue.end) throw afterEnd();
  if (queue.start === queue.end) queue.start = queue.end = 0;
}

/** Moves the cursor to the next message of the chunk; false at the chunk's end. */
function nextMessage(view: DataView, cursor: Cursor): boolean {
  if (cursor.next >= view.byteLength) return false;
  cursor.at = cursor.next + 5;
  cursor.end = cursor.next + 1 + view.getInt32(cursor.next + 1);
  cursor.next = cursor.end;
  return true;
}

/** Decodes the chunk's messages from the cursor on until the batch is full or the chunk ends. */
function decodeMessages(chunk: Uint8Array, view: DataView, cursor: Cursor, reader: Reader): void {
  const queue = reader.queue;
  while (reader.rows < reader.batchSize) {
    if (queue.start < queue.end || (!reader.headerDone && cursor.at < cursor.end)) {
      // An unfinished row (or the header) first: the rest of this message joins it.
      if (cursor.at < cursor.end) queue.push(chunk.subarray(cursor.at, cursor.end));
      cursor.at = cursor.end;
      decodeQueued(reader);
      if (reader.rows >= reader.batchSize || queue.start === queue.end) continue;
      if (!nextMessage(view, cursor)) return;
      continue;
    }
    if (cursor.at < cursor.end) {
      if (reader.ended) throw afterEnd();
      cursor.at = decodeRows(chunk, view, cursor.at, cursor.end, reader);
      if (reader.rows < reader.batchSize && cursor.at < cursor.end && !reader.ended) {
        queue.push(chunk.subarray(cursor.at, cursor.end)); // a row that continues in the next message
        cursor.at = cursor.end;
      }
      continue;
    }
    if (!nextMessage(view, cursor)) return;
  }
}

/**
 * Yields batches of `batchSize` rows (the last may be smaller) from chunks of whole CopyData
 * messages (copy_out.ts).
 */
export async function* decodeBinaryCopy(
  chunks: AsyncIterable<Uint8Array>,
  options: BinaryCopyOptions,
): AsyncGenerator<Arrow.RecordBatch> {
  const { arrow, schema, decoders } = options;
  const reader: Reader = {
    decoders,
    schema,
    batchSize: Math.max(1, options.batchSize),
    rows: 0,
    headerDone: false,
    ended: false,
    queue: new ByteQueue(),
  };

  const flush = () => {
    const children = decoders.map((decoder) => decoder.flush(reader.rows));
    const data = arrow.makeData({
      type: new arrow.Struct(schema.fields),
      length: reader.rows,
      nullCount: 0,
      children,
    });
    reader.rows = 0;
    return new arrow.RecordBatch(schema, data);
  };

  for await (const chunk of chunks) {
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const cursor: Cursor = { next: 0, at: 0, end: 0 };
    while (true) {
      decodeMessages(chunk, view, cursor, reader);
      if (reader.rows < reader.batchSize) break;
      yield flush();
    }
  }
  if (!reader.ended) {
    throw new Error("the COPY stream ended before its end marker (the connection was lost)");
  }
  if (reader.rows > 0) yield flush();
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

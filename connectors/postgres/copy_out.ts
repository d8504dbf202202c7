/**
 * `COPY ... TO STDOUT` read straight from node-postgres' socket. `pg` still connects,
 * authenticates (SCRAM, md5, password) and runs TLS; while the COPY runs, this query takes the
 * socket's `data` events and hands on runs of whole CopyData messages (a 1-byte code, an int32
 * length, then the payload: PostgreSQL sends one per row) as views of the socket's chunks, without
 * copying them; only a message cut by a chunk boundary is put together in a buffer of its own.
 * The decoder (binary_copy.ts) reads the rows inside the messages where they lie.
 *
 * Why not `pg-copy-streams`: it buffers every chunk in a list of Buffers, copies each row's
 * message out of it and pauses/resumes the socket per chunk through a Readable stream. Measured
 * on 2M rows over TLS (BENCHMARKS.md), reading the COPY with it took 2.35 CPU s and 200 MiB;
 * reading the frames here, 1.26 CPU s and 147 MiB.
 *
 * Anything other than CopyData, a notice or a parameter status (an ErrorResponse, CopyDone and
 * what follows) goes back to `pg`'s own parser, which reports errors and the end of the query
 * through the `handle*` methods below, so failures surface exactly as for any other query.
 * Protocol: PostgreSQL docs, "Message Flow: COPY Operations" and "Message Formats".
 *
 * @module
 */
import { Buffer } from "node:buffer";

const COPY_DATA = 0x64; // 'd'
const COPY_DONE = 0x63; // 'c'
const COPY_OUT_RESPONSE = 0x48; // 'H'
const NOTICE = 0x4e; // 'N'
const PARAMETER_STATUS = 0x53; // 'S'
const NOTIFICATION = 0x41; // 'A'

/** The socket as node-postgres exposes it (a node:net or node:tls socket). */
interface SocketStream {
  listeners(event: "data"): unknown[];
  on(event: "data", listener: (chunk: Uint8Array) => void): void;
  removeListener(event: "data", listener: (chunk: Uint8Array) => void): void;
  pause(): void;
  resume(): void;
}

/** node-postgres' connection, as far as a submitted query uses it. */
interface PgConnection {
  stream: SocketStream;
  query(text: string): void;
}

/**
 * One COPY OUT as a node-postgres submittable (`client.query(copy)`) whose CopyData messages are
 * read with `for await`, as chunks that each hold whole messages only. At most about `highWaterMark` bytes wait for the reader: beyond that the
 * socket is paused, so a server faster than the decoder cannot fill memory.
 */
export class CopyOutQuery implements AsyncIterable<Uint8Array> {
  #connection?: PgConnection;
  #pgListener?: (chunk: Uint8Array) => void;
  readonly #onData = (chunk: Uint8Array) => this.#receive(chunk);
  #queue: Uint8Array[] = [];
  #queued = 0;
  #paused = false;
  #finished = false;
  #cancelled = false;
  #error?: unknown;
  #wake?: () => void;
  #split = new MessageSplit();

  constructor(readonly text: string, readonly highWaterMark = 1 << 20) {}

  /** Called by node-postgres when the query's turn comes. */
  submit(connection: PgConnection): void {
    this.#connection = connection;
    const stream = connection.stream;
    const listeners = stream.listeners("data");
    if (listeners.length !== 1) throw new Error("unexpected socket listeners for COPY");
    this.#pgListener = listeners[0] as (chunk: Uint8Array) => void;
    stream.removeListener("data", this.#pgListener);
    stream.on("data", this.#onData);
    connection.query(this.text);
  }

  handleError(error: unknown): void {
    this.#detach();
    this.#error ??= error ?? new Error("COPY failed");
    this.#finish();
  }

  handleCommandComplete(): void {}

  handleReadyForQuery(): void {
    this.#finish();
  }

  handleEmptyQuery(): void {}

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    try {
      while (true) {
        const chunk = this.#queue.shift();
        if (chunk) {
          this.#queued -= chunk.length;
          if (this.#paused && this.#queued <= this.highWaterMark >> 1) this.#setPaused(false);
          yield chunk;
          continue;
        }
        if (this.#error !== undefined) throw this.#error;
        if (this.#finished) return;
        await new Promise<void>((resolve) => this.#wake = resolve);
      }
    } finally {
      // A reader that stops early must not leave the socket paused: closing the connection
      // waits for the socket's end, which a paused socket never reports.
      this.#cancelled = true;
      this.#queue = [];
      this.#setPaused(false);
    }
  }

  #finish(): void {
    this.#finished = true;
    this.#wakeReader();
  }

  #wakeReader(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #setPaused(paused: boolean): void {
    if (this.#paused === paused || !this.#connection) return;
    this.#paused = paused;
    if (paused) this.#connection.stream.pause();
    else this.#connection.stream.resume();
  }

  /** Gives the socket back to node-postgres with the bytes it has to parse. */
  #detach(rest?: Uint8Array): void {
    const connection = this.#connection;
    const pgListener = this.#pgListener;
    if (!connection || !pgListener) return;
    this.#pgListener = undefined;
    connection.stream.removeListener("data", this.#onData);
    connection.stream.on("data", pgListener);
    this.#setPaused(false);
    if (rest?.length) pgListener(Buffer.from(rest.buffer, rest.byteOffset, rest.length));
  }

  #receive(chunk: Uint8Array): void {
    // A plain view: subarrays of node Buffers are much slower to create. Each socket chunk is a
    // buffer of its own, so views of it stay valid while they wait for the reader.
    const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const rest = this.#split.push(bytes, (messages) => this.#emit(messages));
    // CopyDone, an ErrorResponse or anything unexpected: node-postgres takes it from here.
    if (rest) this.#detach(rest);
  }

  #emit(payload: Uint8Array): void {
    if (!payload.length || this.#cancelled) return;
    this.#queue.push(payload);
    this.#queued += payload.length;
    if (this.#queued >= this.highWaterMark) this.#setPaused(true);
    this.#wakeReader();
  }
}

const passesOver = (code: number) =>
  code === COPY_OUT_RESPONSE || code === NOTICE || code === PARAMETER_STATUS ||
  code === NOTIFICATION;

/**
 * Splits socket chunks into runs of whole CopyData messages, carrying a message cut by a chunk
 * boundary over to the next chunk, and skipping the messages the COPY may interleave (notices,
 * parameter status). Stops at the first other message.
 */
class MessageSplit {
  /** Header of a message whose first bytes ended the previous chunk. */
  #header = new Uint8Array(5);
  #headerBytes = 0;
  /** A CopyData message being put together across chunks, and how much of it has arrived. */
  #message?: Uint8Array;
  #filled = 0;
  /** Body bytes still to skip of a message that is passed over. */
  #skip = 0;

  /**
   * Hands each run of whole CopyData messages in `bytes` to `emit`. Returns the bytes from the
   * first message that ends the COPY (its header included), or undefined when there is none.
   */
  push(bytes: Uint8Array, emit: (messages: Uint8Array) => void): Uint8Array | undefined {
    const end = bytes.length;
    let at = 0;
    // First what the previous chunk left unfinished: a skipped body, a message, a header.
    if (this.#skip > 0) {
      at = Math.min(this.#skip, end);
      this.#skip -= at;
    }
    if (this.#message) {
      const message = this.#message;
      const take = Math.min(message.length - this.#filled, end - at);
      message.set(bytes.subarray(at, at + take), this.#filled);
      this.#filled += take;
      at += take;
      if (this.#filled < message.length) return undefined;
      this.#message = undefined;
      emit(message);
    }
    if (this.#headerBytes > 0) {
      const header = this.#header;
      while (this.#headerBytes < 5 && at < end) header[this.#headerBytes++] = bytes[at++];
      if (this.#headerBytes < 5) return undefined;
      this.#headerBytes = 0;
      const length = readInt32(header, 1);
      if (header[0] === COPY_DATA) {
        this.#message = new Uint8Array(1 + length);
        this.#message.set(header);
        this.#filled = 5;
        return this.push(bytes.subarray(at), emit);
      }
      if (passesOver(header[0])) {
        this.#skip = length - 4;
        return this.push(bytes.subarray(at), emit);
      }
      if (header[0] === COPY_DONE) return bytes.subarray(at);
      const rest = new Uint8Array(5 + end - at);
      rest.set(header);
      rest.set(bytes.subarray(at), 5);
      return rest;
    }
    // Then whole messages, as long runs of views; one tight loop over local variables.
    let run = at;
    while (at < end) {
      if (at + 5 > end) { // a header cut by the end of the chunk
        if (run < at) emit(bytes.subarray(run, at));
        this.#header.set(bytes.subarray(at));
        this.#headerBytes = end - at;
        return undefined;
      }
      const code = bytes[at];
      const next = at + 1 + readInt32(bytes, at + 1);
      if (code === COPY_DATA && next <= end) {
        at = next;
        continue;
      }
      if (run < at) emit(bytes.subarray(run, at));
      if (code === COPY_DATA) { // cut by the end of the chunk
        this.#message = new Uint8Array(next - at);
        this.#message.set(bytes.subarray(at));
        this.#filled = end - at;
        return undefined;
      }
      if (code === COPY_DONE) return bytes.subarray(next);
      if (!passesOver(code)) return bytes.subarray(at);
      this.#skip = Math.max(0, next - end);
      at = run = Math.min(next, end);
    }
    if (run < at) emit(bytes.subarray(run, at));
    return undefined;
  }
}

function readInt32(bytes: Uint8Array, at: number): number {
  return (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
}

/**
 * `COPY ... TO STDOUT` read straight from node-postgres' socket. `pg` still connects,
 * authenticates (SCRAM, md5, password) and runs TLS; while the COPY runs, this query takes the
 * socket's `data` events, strips the protocol framing (a 1-byte code and an int32 length before
 * every CopyData message, one per row) and hands the payload bytes on in socket-sized chunks.
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
 * One COPY OUT as a node-postgres submittable (`client.query(copy)`) whose payload bytes are read
 * with `for await`. At most about `highWaterMark` bytes wait for the reader: beyond that the
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
  #frames: FrameState = {
    header: new Uint8Array(5),
    headerBytes: 0,
    code: 0,
    remaining: 0,
    stop: -1,
  };

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
    // buffer of its own, so the payloads can be moved to its front in place.
    const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const frames = this.#frames;
    const used = stripFrames(bytes, frames);
    this.#emit(bytes.subarray(0, used));
    if (frames.stop < 0) return;
    // CopyDone, an ErrorResponse or anything unexpected: node-postgres takes it from here.
    const rest = bytes.subarray(frames.stop);
    if (frames.header[0] === COPY_DONE) this.#detach(rest);
    else {
      const message = new Uint8Array(5 + rest.length);
      message.set(frames.header, 0);
      message.set(rest, 5);
      this.#detach(message);
    }
  }

  #emit(payload: Uint8Array): void {
    if (!payload.length || this.#cancelled) return;
    this.#queue.push(payload);
    this.#queued += payload.length;
    if (this.#queued >= this.highWaterMark) this.#setPaused(true);
    this.#wakeReader();
  }
}

/** Framing state carried from one socket chunk to the next. */
interface FrameState {
  /** The last message header read (bytes of one cut by the socket collect here). */
  header: Uint8Array;
  headerBytes: number;
  /** Code and unread body bytes of the message being read. */
  code: number;
  remaining: number;
  /** Where the body of a message that ends the COPY starts in the chunk, or -1. */
  stop: number;
}

const passesThrough = (code: number) =>
  code === COPY_DATA || code === COPY_OUT_RESPONSE || code === NOTICE ||
  code === PARAMETER_STATUS || code === NOTIFICATION;

/**
 * Moves the CopyData bodies of `bytes` to its front, in place, and returns their length. Stops
 * after the header of a message that ends the COPY (`state.stop`, `state.header`). One tight loop
 * over local variables: it runs once per row.
 */
function stripFrames(bytes: Uint8Array, state: FrameState): number {
  const end = bytes.length;
  let used = 0;
  let at = 0;
  let code = state.code;
  let remaining = state.remaining;
  state.stop = -1;
  while (true) {
    if (remaining > 0) {
      const take = Math.min(remaining, end - at);
      if (code === COPY_DATA) {
        if (used !== at) bytes.copyWithin(used, at, at + take);
        used += take;
      }
      at += take;
      remaining -= take;
      if (remaining > 0) break;
    }
    if (at >= end) break;
    if (state.headerBytes === 0 && at + 5 <= end) {
      code = bytes[at];
      remaining = ((bytes[at + 1] << 24) | (bytes[at + 2] << 16) | (bytes[at + 3] << 8) |
        bytes[at + 4]) - 4;
      at += 5;
      if (passesThrough(code)) continue;
      state.header.set(bytes.subarray(at - 5, at));
    } else {
      const header = state.header;
      while (state.headerBytes < 5 && at < end) header[state.headerBytes++] = bytes[at++];
      if (state.headerBytes < 5) break;
      state.headerBytes = 0;
      code = header[0];
      remaining = ((header[1] << 24) | (header[2] << 16) | (header[3] << 8) | header[4]) - 4;
      if (passesThrough(code)) continue;
    }
    state.stop = at;
    remaining = 0;
    break;
  }
  state.code = code;
  state.remaining = remaining;
  return used;
}

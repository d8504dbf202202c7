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

// Below this many bytes a loop copies faster than creating a subarray for `set`.
const SHORT_COPY = 64;

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
  // Framing state carried from one socket chunk to the next.
  #header = new Uint8Array(5);
  #headerBytes = 0;
  #code = 0;
  #remaining = 0;

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
    // A plain view: subarrays of node Buffers are much slower to create.
    const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const payload = new Uint8Array(bytes.length);
    let used = 0;
    let at = 0;
    while (at < bytes.length) {
      if (this.#remaining > 0) {
        const take = Math.min(this.#remaining, bytes.length - at);
        if (this.#code === COPY_DATA) {
          if (take < SHORT_COPY) {
            for (let i = 0; i < take; i++) payload[used + i] = bytes[at + i];
          } else payload.set(bytes.subarray(at, at + take), used);
          used += take;
        }
        at += take;
        this.#remaining -= take;
        continue;
      }
      const header = this.#header;
      while (this.#headerBytes < 5 && at < bytes.length) header[this.#headerBytes++] = bytes[at++];
      if (this.#headerBytes < 5) break;
      this.#headerBytes = 0;
      this.#code = header[0];
      this.#remaining = ((header[1] << 24) | (header[2] << 16) | (header[3] << 8) | header[4]) - 4;
      const code = this.#code;
      if (
        code === COPY_DATA || code === COPY_OUT_RESPONSE || code === NOTICE ||
        code === PARAMETER_STATUS || code === NOTIFICATION
      ) continue;
      // CopyDone, an ErrorResponse or anything unexpected: node-postgres takes it from here.
      this.#emit(payload.subarray(0, used));
      used = 0;
      if (code === COPY_DONE) {
        this.#detach(bytes.subarray(at));
      } else {
        // The message's own header may have started in the previous chunk.
        const rest = new Uint8Array(5 + bytes.length - at);
        rest.set(header, 0);
        rest.set(bytes.subarray(at), 5);
        this.#detach(rest);
      }
      this.#remaining = 0;
      return;
    }
    this.#emit(payload.subarray(0, used));
  }

  #emit(payload: Uint8Array): void {
    if (!payload.length || this.#cancelled) return;
    this.#queue.push(payload);
    this.#queued += payload.length;
    if (this.#queued >= this.highWaterMark) this.#setPaused(true);
    this.#wakeReader();
  }
}

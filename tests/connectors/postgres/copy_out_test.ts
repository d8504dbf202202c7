/**
 * The COPY OUT framing reader on protocol bytes split at every possible place (a socket may cut
 * anywhere, even inside a 5-byte message header), the hand-back to node-postgres of what is not
 * COPY data, and the socket pause when the reader falls behind. End-to-end reads against the real
 * server are in extract_test.ts, types_test.ts and failures_test.ts.
 */
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { CopyOutQuery } from "../../../connectors/postgres/copy_out.ts";

/** One protocol message: code, int32 length (itself included), body. */
function message(code: string, body: Uint8Array = new Uint8Array()): Uint8Array {
  const bytes = new Uint8Array(5 + body.length);
  bytes[0] = code.charCodeAt(0);
  new DataView(bytes.buffer).setInt32(1, 4 + body.length);
  bytes.set(body, 5);
  return bytes;
}

const concat = (parts: Uint8Array[]) => {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) all.set(part, (at += part.length) - part.length);
  return all;
};

const text = (s: string) => new TextEncoder().encode(s);

/** A socket as node-postgres holds it, with its parser listening for `data`. */
class FakeSocket extends EventEmitter {
  handedBack: Uint8Array[] = [];
  pauses = 0;
  resumes = 0;
  constructor() {
    super();
    this.on("data", (chunk: Uint8Array) => this.handedBack.push(new Uint8Array(chunk)));
  }
  pause() {
    this.pauses++;
  }
  resume() {
    this.resumes++;
  }
}

function submitted(highWaterMark?: number) {
  const socket = new FakeSocket();
  const sent: string[] = [];
  const copy = new CopyOutQuery("COPY t TO STDOUT", highWaterMark);
  copy.submit({ stream: socket, query: (sql: string) => sent.push(sql) });
  return { copy, socket, sent };
}

async function collect(copy: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of copy) parts.push(part);
  return concat(parts);
}

const rows = [text("row one"), text(""), text("a longer row ".repeat(10)), text("4")];
// The reader hands on whole CopyData messages, headers included.
const copyBody = concat(rows.map((row) => message("d", row)));
const wire = concat([
  message("H", new Uint8Array([1, 0, 1, 0, 1])),
  message("d", rows[0]),
  message("N", text("a notice")),
  message("d", rows[1]),
  message("S", text("TimeZone\0UTC\0")),
  message("d", rows[2]),
  message("d", rows[3]),
  message("c"),
]);
const after = concat([message("C", text("COPY 4\0")), message("Z", text("I"))]);

Deno.test("copy out: messages and hand-back are exact wherever the socket cuts the bytes", async () => {
  const all = concat([wire, after]);
  for (let cut = 0; cut <= all.length; cut++) {
    for (const second of [cut, Math.min(all.length, cut + 3)]) {
      const { copy, socket, sent } = submitted();
      for (const piece of [all.subarray(0, cut), all.subarray(cut, second), all.subarray(second)]) {
        // A socket hands over a buffer of its own per chunk (the reader compacts it in place).
        if (piece.length) socket.emit("data", piece.slice());
      }
      assert.deepEqual(sent, ["COPY t TO STDOUT"]);
      copy.handleCommandComplete();
      copy.handleReadyForQuery();
      assert.deepEqual(await collect(copy), copyBody, `cut at ${cut}/${second}`);
      assert.deepEqual(concat(socket.handedBack), after, `cut at ${cut}/${second}`);
      assert.deepEqual(socket.listenerCount("data"), 1);
    }
  }
});

Deno.test("copy out: an ErrorResponse goes back to node-postgres whole, and the read fails", async () => {
  const error = message("E", text("SERROR\0C57P01\0Mterminating connection\0\0"));
  const all = concat([message("H", new Uint8Array(5)), message("d", rows[0]), error]);
  for (let cut = 0; cut <= all.length; cut++) {
    const { copy, socket } = submitted();
    if (cut) socket.emit("data", all.slice(0, cut));
    if (cut < all.length) socket.emit("data", all.slice(cut));
    assert.deepEqual(concat(socket.handedBack), error, `cut at ${cut}`);
    copy.handleError(new Error("terminating connection"));
    const parts: Uint8Array[] = [];
    await assert.rejects(async () => {
      for await (const part of copy) parts.push(part);
    }, /terminating connection/);
    assert.deepEqual(concat(parts), message("d", rows[0]));
  }
});

Deno.test("copy out: the socket pauses while the reader is behind and resumes as it catches up", async () => {
  const { copy, socket } = submitted(1000);
  const row = new Uint8Array(100).fill(7);
  for (let i = 0; i < 30; i++) socket.emit("data", message("d", row));
  assert.deepEqual(socket.pauses, 1);
  assert.deepEqual(socket.resumes, 0);
  socket.emit("data", concat([message("c"), after]));
  copy.handleReadyForQuery();
  const body = await collect(copy);
  assert.deepEqual(body.length, 30 * (5 + 100));
  assert.ok(socket.resumes >= 1, "the socket was never resumed");
});

Deno.test("copy out: a reader that stops early leaves the socket flowing and drops later data", async () => {
  const { copy, socket } = submitted(100);
  for (let i = 0; i < 5; i++) socket.emit("data", message("d", new Uint8Array(60)));
  assert.deepEqual(socket.pauses, 1);
  for await (const _ of copy) break;
  assert.deepEqual(socket.resumes, 1);
  socket.emit("data", message("d", new Uint8Array(60)));
  assert.deepEqual(socket.pauses, 1);
});

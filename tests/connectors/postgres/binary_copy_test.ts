/**
 * The binary COPY decoder on CopyData messages cut in every way the protocol allows: PostgreSQL
 * sends the header, each row and the end marker as messages of their own (the fast path decodes
 * rows where they lie), but a message may hold several rows or part of one. Values must come out
 * the same however the bytes are framed; a missing end marker or data after it fails.
 */
import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { decodeBinaryCopy } from "../../../connectors/postgres/binary_copy.ts";
import { createDecoder } from "../../../connectors/postgres/field_decoders.ts";
import { arrowField, type ColumnPlan } from "../../../connectors/postgres/column_types.ts";

const plans: ColumnPlan[] = [
  { name: "id", kind: "int64", declared: "bigint", asText: false, notNull: false },
  { name: "name", kind: "text", declared: "text", asText: false, notNull: false },
];
const ROWS = 23;
const names = (i: number) => i % 5 === 3 ? null : `name ${"é".repeat(i % 4)}${i}`;

/** The COPY payload: signature, flags, extension length, rows, end marker. */
function copyPayload(): { header: Uint8Array; rows: Uint8Array[]; trailer: Uint8Array } {
  const header = new Uint8Array(19);
  header.set([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]);
  const rows = Array.from({ length: ROWS }, (_, i) => {
    const name = names(i);
    const text = name === null ? undefined : new TextEncoder().encode(name);
    const row = new Uint8Array(2 + 4 + 8 + 4 + (text?.length ?? 0));
    const view = new DataView(row.buffer);
    view.setInt16(0, 2);
    view.setInt32(2, 8);
    view.setBigInt64(6, BigInt(i) * 1_000_000_007n - 5n);
    view.setInt32(14, text ? text.length : -1);
    if (text) row.set(text, 18);
    return row;
  });
  return { header, rows, trailer: new Uint8Array([0xff, 0xff]) };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) all.set(part, (at += part.length) - part.length);
  return all;
}

function message(body: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(5 + body.length);
  bytes[0] = 0x64;
  new DataView(bytes.buffer).setInt32(1, 4 + body.length);
  bytes.set(body, 5);
  return bytes;
}

/** Groups messages into chunks of `perChunk` messages (copy_out.ts hands on whole messages). */
function chunked(messages: Uint8Array[], perChunk: number): Uint8Array[] {
  const chunks = [];
  for (let i = 0; i < messages.length; i += perChunk) {
    chunks.push(concat(messages.slice(i, i + perChunk)));
  }
  return chunks;
}

async function decode(chunks: Uint8Array[], batchSize: number) {
  async function* source() {
    for (const chunk of chunks) yield chunk;
  }
  const schema = new arrow.Schema(plans.map((plan) => arrowField(arrow, plan)));
  const ids: bigint[] = [];
  const texts: (string | null)[] = [];
  for await (
    const batch of decodeBinaryCopy(source(), {
      arrow,
      schema,
      decoders: plans.map((plan) => createDecoder(arrow, plan)),
      batchSize,
    })
  ) {
    assert.ok(batch.numRows <= batchSize);
    for (let i = 0; i < batch.numRows; i++) {
      ids.push(batch.getChildAt(0)!.get(i));
      texts.push(batch.getChildAt(1)!.get(i));
    }
  }
  return { ids, texts };
}

const expected = {
  ids: Array.from({ length: ROWS }, (_, i) => BigInt(i) * 1_000_000_007n - 5n),
  texts: Array.from({ length: ROWS }, (_, i) => names(i)),
};

Deno.test("postgres binary COPY: the same values however the rows are framed and chunked", async () => {
  const { header, rows, trailer } = copyPayload();
  const stream = concat([header, ...rows, trailer]);
  const framings: [string, Uint8Array[]][] = [
    ["one row per message (PostgreSQL)", [header, ...rows, trailer].map(message)],
    ["one message", [message(stream)]],
    ["header with rows, trailer with the last row", [
      message(concat([header, ...rows.slice(0, 5)])),
      ...rows.slice(5, -1).map(message),
      message(concat([rows[ROWS - 1], trailer])),
    ]],
  ];
  for (const size of [1, 2, 3, 7, 18, 19, 20, 64]) {
    const pieces = [];
    for (let at = 0; at < stream.length; at += size) pieces.push(stream.subarray(at, at + size));
    framings.push([`messages of ${size} bytes`, pieces.map(message)]);
  }
  for (const [framing, messages] of framings) {
    for (const perChunk of [1, 3, 1000]) {
      for (const batchSize of [1, 4, 50_000]) {
        const got = await decode(chunked(messages, perChunk), batchSize);
        assert.deepEqual(
          got,
          expected,
          `${framing}, ${perChunk} per chunk, batches of ${batchSize}`,
        );
      }
    }
  }
});

Deno.test("postgres binary COPY: no end marker, or data after it, fails instead of landing", async () => {
  const { header, rows, trailer } = copyPayload();
  await assert.rejects(
    () => decode(chunked([header, ...rows].map(message), 2), 4),
    /ended before its end marker/,
  );
  await assert.rejects(
    () => decode(chunked([header, ...rows.slice(0, 3), rows[3].subarray(0, 9)].map(message), 2), 4),
    /ended before its end marker/,
  );
  await assert.rejects(
    () => decode(chunked([header, ...rows, trailer, rows[0]].map(message), 1), 4),
    /after the end of the COPY stream/,
  );
  await assert.rejects(
    () => decode([message(concat([header, rows[0], trailer, rows[1]]))], 4),
    /after the end of the COPY stream/,
  );
});

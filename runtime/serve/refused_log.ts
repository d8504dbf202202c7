/**
 * `<out>/.dvt/serve/refused.jsonl`: deliveries `dvt serve` acknowledged that the connector's
 * `receive()` then refused at the fold (bad input: a payload it cannot turn into rows). They were
 * answered 2xx, so the sender will not resend them; this file keeps each one whole (log position,
 * delivery id, when it was received, the connector's reason, headers without the signature, the
 * raw body), one JSON line each, appended and fsynced before the fold that drops it from the log
 * is published. A crash between the two can record a delivery twice, never lose one.
 *
 * @module
 */
import { dirname } from "node:path";
import { errorMessage } from "../errors.ts";
import type { Refusal } from "./receive_batch.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Appends refusals durably to `path`. */
export async function recordRefusals(path: string, refusals: readonly Refusal[]): Promise<void> {
  if (!refusals.length) return;
  const refusedAt = new Date().toISOString();
  const lines = refusals.map(({ record, error }) =>
    `${
      JSON.stringify({
        seq: record.seq,
        id: record.id,
        receivedAt: record.receivedAt,
        refusedAt,
        error: errorMessage(error),
        headers: record.headers,
        body: decoder.decode(record.body),
      })
    }\n`
  );
  const bytes = encoder.encode(lines.join(""));
  const file = await Deno.open(path, { append: true, create: true });
  try {
    let written = 0;
    while (written < bytes.length) written += await file.write(bytes.subarray(written));
    await file.syncData();
  } finally {
    file.close();
  }
  // The file may be new: its directory entry must survive a crash too.
  const dir = await Deno.open(dirname(path), { read: true });
  try {
    await dir.sync();
  } finally {
    dir.close();
  }
}

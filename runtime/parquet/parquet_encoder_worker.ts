/**
 * Worker entry of {@linkcode ParquetEncoderThread}: receives a file path, then Arrow IPC batches
 * (transferred, not copied), encodes them with parquet-wasm into that zstd Parquet file, and
 * hands each buffer back once taken (the sender's backpressure, and its buffer for the next
 * batch) and says when the file is complete.
 * Running here keeps zstd and Parquet encoding off the thread that decodes source rows.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import * as parquet from "parquet-wasm";
import { wasmBatchOf, writeAll, writerProperties } from "./parquet_properties.ts";
import type { EncoderReply, EncoderRequest } from "./parquet_encoder_thread.ts";

const queued: { buffer: ArrayBuffer; length: number }[] = [];
let ended = false;
let wake: (() => void) | undefined;

function reply(message: EncoderReply): void {
  self.postMessage(message);
}

self.onmessage = (event: MessageEvent<EncoderRequest>) => {
  const request = event.data;
  if (request.kind === "open") void encode(request.path);
  else if (request.kind === "batch") queued.push(request);
  else ended = true;
  wake?.();
  wake = undefined;
};

/** The next queued batch; undefined once the sender said the batches ended. */
async function nextBatch(): Promise<{ buffer: ArrayBuffer; length: number } | undefined> {
  while (!queued.length && !ended) await new Promise<void>((resolve) => wake = resolve);
  return queued.shift();
}

async function encode(path: string): Promise<void> {
  let inputError: unknown;
  let finished = false;
  const input = new ReadableStream<parquet.RecordBatch>({
    async pull(controller) {
      try {
        const next = await nextBatch();
        if (!next) {
          finished = true;
          controller.close();
          return;
        }
        controller.enqueue(wasmBatchOf(new Uint8Array(next.buffer, 0, next.length)));
        // Copied into wasm memory: the buffer goes back to carry a later batch.
        self.postMessage({ kind: "taken", buffer: next.buffer } satisfies EncoderReply, [
          next.buffer,
        ]);
      } catch (error) {
        inputError = error;
        controller.error(error);
      }
    },
  }, { highWaterMark: 0 });
  try {
    const file = await Deno.open(path, { write: true, create: true, truncate: true });
    try {
      const output = await parquet.transformParquetStream(input, writerProperties());
      for await (const chunk of output as ReadableStream<Uint8Array>) await writeAll(file, chunk);
      // The encoder ends its output quietly when its input fails: check the input ourselves.
      if (inputError !== undefined) throw inputError;
      if (!finished) throw new Error("the Parquet encoder stopped before the last batch");
      await file.sync();
    } finally {
      file.close();
    }
    reply({ kind: "done" });
  } catch (error) {
    reply({ kind: "failed", message: error instanceof Error ? error.message : String(error) });
  }
}

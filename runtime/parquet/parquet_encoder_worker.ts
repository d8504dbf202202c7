/**
 * Worker entry of {@linkcode ParquetEncoderThread}. With a schema, it runs the direct writer on
 * batches that arrive as column buffers. Otherwise it receives a file path, then Arrow IPC batches
 * (transferred, not copied), encodes them with parquet-wasm into that zstd Parquet file, and
 * hands each buffer back once taken (the sender's backpressure, and its buffer for the next
 * batch) and says when the file is complete.
 * Running here keeps zstd and Parquet encoding off the thread that decodes source rows.
 * parquet-wasm (5 MB of wasm to compile) is loaded only by a worker that encodes with it.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import * as arrow from "apache-arrow";
import type * as parquet from "parquet-wasm";
import { batchFromWire, type WireData } from "../connector/data_wire.ts";
import { DirectParquetWriter } from "./direct_parquet_writer.ts";
import { writeAll } from "./parquet_properties.ts";
import type { EncoderReply, EncoderRequest } from "./parquet_encoder_thread.ts";

type Queued = Extract<EncoderRequest, { kind: "batch" | "rows" }>;

const queued: Queued[] = [];
let ended = false;
let wake: (() => void) | undefined;

function reply(message: EncoderReply): void {
  self.postMessage(message);
}

self.onmessage = (event: MessageEvent<EncoderRequest>) => {
  const request = event.data;
  if (request.kind === "open") {
    const writing = request.schema
      ? writeDirect(request.path, request.schema)
      : encode(request.path);
    writing.catch((error) => reply({ kind: "failed", message: String(error) }));
  } else if (request.kind === "batch" || request.kind === "rows") queued.push(request);
  else ended = true;
  wake?.();
  wake = undefined;
};

/** The next queued batch; undefined once the sender said the batches ended. */
async function nextBatch(): Promise<Queued | undefined> {
  while (!queued.length && !ended) await new Promise<void>((resolve) => wake = resolve);
  return queued.shift();
}

/** The direct writer: batches of `schema` (Arrow IPC) arrive as their column buffers. */
async function writeDirect(path: string, schemaIpc: Uint8Array): Promise<void> {
  let writer: DirectParquetWriter | undefined;
  try {
    const schema = arrow.tableFromIPC(schemaIpc).schema;
    writer = await DirectParquetWriter.open(path, schema);
    for (let next = await nextBatch(); next; next = await nextBatch()) {
      if (next.kind !== "rows") throw new Error("the direct writer received Arrow IPC");
      writer.write(batchFromWire(schema, next.wire));
      // Written (the writer keeps no view of it): the buffer goes back to carry a later batch.
      const buffer = packedBuffer(next.wire);
      self.postMessage({ kind: "taken", buffer } satisfies EncoderReply, buffer ? [buffer] : []);
    }
    await writer.finish();
    reply({ kind: "done" });
  } catch (error) {
    writer?.close();
    reply({ kind: "failed", message: error instanceof Error ? error.message : String(error) });
  }
}

/** The one buffer {@linkcode packDataToWire} put every view of `wire` in (none: no buffers). */
function packedBuffer(wire: WireData): ArrayBuffer | undefined {
  const view = wire.buffers.find((buffer) => buffer);
  if (view) return view.buffer as ArrayBuffer;
  for (const child of wire.children) {
    const found = packedBuffer(child);
    if (found) return found;
  }
  return undefined;
}

async function encode(path: string): Promise<void> {
  const [parquetWasm, { wasmBatchOf, writerProperties }] = await Promise.all([
    import("parquet-wasm"),
    import("./parquet_wasm_encoder.ts"),
  ]);
  let inputError: unknown;
  let finished = false;
  const input = new ReadableStream<parquet.RecordBatch>({
    async pull(controller) {
      try {
        const next = await nextBatch();
        if (next?.kind === "rows") throw new Error("the encoder received buffers, not Arrow IPC");
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
      const output = await parquetWasm.transformParquetStream(input, writerProperties());
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

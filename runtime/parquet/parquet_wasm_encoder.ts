/**
 * The parquet-wasm encoder, for the schemas the direct writer (direct_parquet_writer.ts) does not
 * cover: nested types, dictionaries, intervals, float16. parquet_writer.ts loads this module on
 * first use only, so runs whose tables are all flat never compile parquet-wasm.
 *
 * @module
 */
import * as arrow from "apache-arrow";
import * as parquet from "parquet-wasm";
import { emptyBatch } from "./arrow_schema.ts";
import { ExtractError } from "../errors.ts";
import { EncoderFailure } from "./parquet_encoder_thread.ts";
import { MAX_ROW_GROUP_ROWS, writeAll } from "./parquet_properties.ts";

/** What {@linkcode encodeInProcess} pulls batches from (parquet_writer.ts's conformed source). */
export interface EncoderSource {
  next(): Promise<arrow.RecordBatch | undefined>;
  handed(batch: arrow.RecordBatch): void;
  requireSchema(): arrow.Schema;
}

/** zstd, 122,880-row groups, plain encoding. A new object each call: some writers consume it. */
export function writerProperties(): parquet.WriterProperties {
  return new parquet.WriterPropertiesBuilder()
    .setCompression(parquet.Compression.ZSTD)
    .setMaxRowGroupSize(MAX_ROW_GROUP_ROWS)
    .setCreatedBy("dvt")
    // Measured: dictionary pages on high-cardinality columns made files 3x larger and writes
    // 1.8x slower; zstd already folds repeated values, so plain encoding wins overall.
    .setDictionaryEnabled(false)
    .build();
}

/** Moves one Arrow IPC stream (one record batch) into wasm memory as a parquet-wasm batch. */
export function wasmBatchOf(ipc: Uint8Array): parquet.RecordBatch {
  const table = parquet.Table.fromIPCStream(ipc);
  try {
    const batch = table.recordBatch(0);
    if (!batch) throw new Error("an Arrow IPC message without a record batch reached the encoder");
    return batch;
  } finally {
    table.free();
  }
}

/**
 * Fails fast on column types the Parquet encoder cannot write (e.g. Arrow's MonthDayNano
 * interval): encoding them in `transformParquetStream` fails inside the stream, which then
 * never ends, so an unwritable schema would hang the extract instead of failing the table.
 * The encoder only meets a column's type when it writes a value, hence a row (of nulls).
 */
export function assertWritable(table: string, schema: arrow.Schema): void {
  const probe = parquet.Table.fromIPCStream(arrow.tableToIPC(new arrow.Table(nullRow(schema))));
  try {
    // Default properties: writeParquet consumes the ones it is given, and types do not depend on them.
    parquet.writeParquet(probe);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ExtractError(`table "${table}" has column types Parquet cannot store: ${reason}`, {
      hint: "yield a supported Arrow type instead (e.g. a month-day-nano interval as text)",
    });
  }
}

/** One row of nulls with the schema's columns, every one nullable. */
function nullRow(schema: arrow.Schema): arrow.RecordBatch {
  const fields = schema.fields.map((field) =>
    new arrow.Field(field.name, field.type, true, field.metadata)
  );
  const children = fields.map((field) => {
    const builder = arrow.makeBuilder({ type: field.type, nullValues: [null] });
    builder.append(null);
    return builder.finish().flush();
  });
  const data = arrow.makeData({
    type: new arrow.Struct(fields),
    length: 1,
    nullCount: 0,
    children,
  });
  return new arrow.RecordBatch(new arrow.Schema(fields), data);
}

/**
 * Encodes on this thread: `transformParquetStream` pulls one batch at a time (the ones already
 * read first), so the reader waits while a row group is encoded and memory stays constant.
 */
export async function encodeInProcess(
  path: string,
  source: EncoderSource,
  read: arrow.RecordBatch[],
): Promise<void> {
  let sourceError: unknown;
  let finished = false;
  let empty = read.length === 0;
  const input = new ReadableStream<parquet.RecordBatch>({
    async pull(controller) {
      try {
        const batch = read.shift() ?? await source.next();
        if (!batch) {
          finished = true;
          if (empty) controller.enqueue(toWasmBatch(emptyBatch(source.requireSchema())));
          empty = false;
          controller.close();
          return;
        }
        controller.enqueue(toWasmBatch(batch));
        source.handed(batch);
      } catch (error) {
        sourceError = error;
        controller.error(error);
      }
    },
  }, { highWaterMark: 0 });
  let file: Deno.FsFile | undefined;
  try {
    file = await Deno.open(path, { write: true, create: true, truncate: true });
    const output = await parquet.transformParquetStream(input, writerProperties());
    for await (const chunk of output as ReadableStream<Uint8Array>) await writeAll(file, chunk);
    await file.sync();
  } catch (error) {
    if (sourceError !== undefined) throw sourceError;
    throw new EncoderFailure(error instanceof Error ? error.message : String(error));
  } finally {
    file?.close();
  }
  // The encoder ends its output quietly when its input fails, so check the source ourselves.
  if (sourceError !== undefined) throw sourceError;
  if (!finished) throw new EncoderFailure("the Parquet encoder stopped before the last batch");
}

function toWasmBatch(batch: arrow.RecordBatch): parquet.RecordBatch {
  return wasmBatchOf(arrow.tableToIPC(new arrow.Table(batch), "stream"));
}

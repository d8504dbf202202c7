/**
 * Streams Arrow record batches into one zstd-compressed Parquet file with constant memory.
 * Flat schemas of the types direct_parquet_writer.ts covers are written by it, straight from
 * the Arrow buffers; other schemas (nested, dictionaries, ...) by parquet-wasm, as below.
 * On machines with spare CPUs ({@linkcode encodeInWorker}) a table of more than one batch is
 * encoded in a worker thread (parquet_encoder_thread.ts): the reader keeps decoding rows while
 * the worker encodes, with at most two batches between them. Otherwise, and for a table of one
 * batch (no worker start-up), parquet-wasm encodes here, pulling one batch at a time. Either way
 * nothing holds more than a couple of batches plus one row group, whatever the table size.
 *
 * @module
 */
import type * as arrow from "apache-arrow";
import { conformBatch } from "./arrow_schema.ts";
import { ExtractError } from "../errors.ts";
import { addLogicalTypes } from "./parquet_logical_types.ts";
import { EncoderFailure, ParquetEncoderThread } from "./parquet_encoder_thread.ts";
import type { BatchSource } from "../protocol.ts";
import { iteratorOf } from "../util/iterator_of.ts";
import type { EncoderSource } from "./parquet_wasm_encoder.ts";
import { DirectParquetWriter } from "./direct_parquet_writer.ts";
import { directlyWritable } from "./parquet_leaf.ts";

export { MAX_ROW_GROUP_ROWS } from "./parquet_properties.ts";

/**
 * Logical CPUs from which tables of more than one batch are encoded in a worker thread. Measured
 * on the 2-CPU development machine under load (BENCHMARKS.md), the worker made a 2M-row postgres
 * extract slower and raised its peak RSS by half: with two CPUs shared, the reader and the
 * encoder do not run at once, and the reader's garbage grew. With spare CPUs, encoding (about a
 * fifth of the CPU time of a database extract) runs beside reading.
 */
export const ENCODER_WORKER_MIN_CPUS = 4;

/**
 * Whether multi-batch tables go to a worker: by CPU count, or as `DVT_PARQUET_WORKER` (1 or 0)
 * forces, which the benchmarks use to measure both ways on one machine.
 */
export function encodeInWorker(): boolean {
  let forced: string | undefined;
  try {
    forced = Deno.env.get("DVT_PARQUET_WORKER");
  } catch { /* no env permission: decide by CPUs */ }
  if (forced === "1" || forced === "0") return forced === "1";
  return navigator.hardwareConcurrency >= ENCODER_WORKER_MIN_CPUS;
}

/**
 * Starts the encoder worker ahead of the first table when tables will be encoded in one
 * ({@linkcode encodeInWorker}); disposing it stops a worker no table took.
 *
 * @example
 * ```ts
 * import { prewarmEncoder } from "./parquet_writer.ts";
 * using _encoder = prewarmEncoder(); // undefined unless tables are encoded on a worker
 * ```
 */
export function prewarmEncoder(): Disposable | undefined {
  return encodeInWorker() ? ParquetEncoderThread.prewarm() : undefined;
}

/** Whether `schema` goes to the direct writer, given the options and `DVT_PARQUET_DIRECT`. */
function useDirectWriter(schema: arrow.Schema, options: ParquetWriteOptions): boolean {
  if (options.encoder === "parquet-wasm") return false;
  let forced: string | undefined;
  try {
    forced = Deno.env.get("DVT_PARQUET_DIRECT");
  } catch { /* no env permission: the default */ }
  return forced !== "0" && directlyWritable(schema);
}

/** Options of {@linkcode writeParquetFile}. */
export interface ParquetWriteOptions {
  /** Table name, for error messages. */
  table: string;
  /** Declared schema; every batch must match it. Absent: the first batch's schema is used. */
  schema?: arrow.Schema;
  /**
   * `parquet-wasm` forces the parquet-wasm encoder even for schemas the direct writer covers
   * (tests and benchmarks compare the two); `DVT_PARQUET_DIRECT=0` does the same for a run.
   */
  encoder?: "auto" | "parquet-wasm";
  /** Called after each batch is handed to the encoder, with the running row count. */
  onBatch?: (batch: arrow.RecordBatch, rowsSoFar: number) => void;
}

/** What {@linkcode writeParquetFile} wrote. */
export interface ParquetWriteResult {
  rows: number;
  bytes: number;
  schema: arrow.Schema;
}

/**
 * The parquet-wasm encoder, loaded on first use: compiling its 5 MB of wasm costs ~150 ms of
 * start-up, which a run whose tables all go to the direct writer never pays.
 */
const wasmEncoder = () => import("./parquet_wasm_encoder.ts");

/** The source's batches checked against (or defining) the schema, with the running row count. */
class ConformedBatches implements EncoderSource {
  readonly #iterator: AsyncIterator<arrow.RecordBatch> | Iterator<arrow.RecordBatch>;
  readonly #options: ParquetWriteOptions;
  schema?: arrow.Schema;
  rows = 0;
  #index = 0;

  constructor(batches: BatchSource, options: ParquetWriteOptions) {
    this.#iterator = iteratorOf(batches);
    this.#options = options;
    this.schema = options.schema;
  }

  /** Fails fast when the declared schema (if any) is one neither writer can store. */
  async checkDeclared(): Promise<void> {
    if (this.schema) await this.#check(this.schema);
  }

  /** The next batch under the file's schema; undefined when the source ended. */
  async next(): Promise<arrow.RecordBatch | undefined> {
    const next = await this.#iterator.next();
    if (next.done) return undefined;
    if (!this.schema) await this.#check(this.schema = next.value.schema);
    return conformBatch(this.#options.table, this.#index++, next.value, this.schema);
  }

  /** Fails fast on a schema neither writer can store. */
  async #check(schema: arrow.Schema): Promise<void> {
    if (useDirectWriter(schema, this.#options)) return;
    (await wasmEncoder()).assertWritable(this.#options.table, schema);
  }

  /** Counts a batch the encoder took and tells the caller. */
  handed(batch: arrow.RecordBatch): void {
    this.rows += batch.numRows;
    this.#options.onBatch?.(batch, this.rows);
  }

  /** Stops the source early (it closes its cursor or connection). */
  async stop(): Promise<void> {
    await Promise.resolve(this.#iterator.return?.()).catch(() => {});
  }

  requireSchema(): arrow.Schema {
    if (this.schema) return this.schema;
    const table = this.#options.table;
    throw new ExtractError(`table "${table}" yielded no batches and declares no schema`, {
      table,
      hint: "declare the table with discover() so an empty table still has columns",
    });
  }
}

/**
 * Writes `batches` to `path` (created or truncated) and returns rows, bytes and the schema.
 * Fails with an {@linkcode ExtractError} when a batch does not match the schema; the caller
 * owns `path` and removes it on failure.
 *
 * @example
 * ```ts
 * import * as arrow from "apache-arrow";
 * import { writeParquetFile } from "./parquet_writer.ts";
 * const table = arrow.tableFromArrays({ id: Int32Array.from([1, 2, 3]) });
 * const path = await Deno.makeTempFile({ suffix: ".parquet" });
 * const result = await writeParquetFile(path, table.batches, { table: "ids" });
 * if (result.rows !== 3) throw new Error();
 * await Deno.remove(path);
 * ```
 */
export async function writeParquetFile(
  path: string,
  batches: BatchSource,
  options: ParquetWriteOptions,
): Promise<ParquetWriteResult> {
  const source = new ConformedBatches(batches, options);
  let encoder: ParquetEncoderThread | undefined;
  try {
    await source.checkDeclared();
    const first = await source.next();
    const schema = source.requireSchema();
    const direct = useDirectWriter(schema, options);
    const read = [first];
    if (encodeInWorker()) read.push(first && await source.next());
    const ahead = read.filter((batch) => batch !== undefined);
    if (ahead.length > 1) {
      const thread = encoder = ParquetEncoderThread.open(path, direct ? schema : undefined);
      const hand = async (batch: arrow.RecordBatch) => {
        await thread.write(batch);
        source.handed(batch);
      };
      for (const batch of ahead) await hand(batch);
      for (let batch = await source.next(); batch; batch = await source.next()) await hand(batch);
      await encoder.finish();
    } else if (direct) {
      await writeDirect(path, source, ahead);
    } else {
      await (await wasmEncoder()).encodeInProcess(path, source, ahead);
    }
    if (!direct) await addLogicalTypes(path, schema.fields);
  } catch (error) {
    encoder?.terminate();
    await source.stop();
    if (!(error instanceof EncoderFailure)) throw error;
    throw new ExtractError(`table "${options.table}": failed to write Parquet: ${error.message}`, {
      table: options.table,
      cause: error,
    });
  }
  const bytes = (await Deno.stat(path)).size;
  return { rows: source.rows, bytes, schema: source.requireSchema() };
}

/**
 * Writes the file with {@linkcode DirectParquetWriter}, one batch at a time, on this thread.
 * The source's own errors pass through; the writer's (I/O, a null in a NOT NULL column) become
 * {@linkcode EncoderFailure}s, reported as a failed Parquet write.
 */
async function writeDirect(
  path: string,
  source: ConformedBatches,
  read: arrow.RecordBatch[],
): Promise<void> {
  const writing = <T>(step: () => T | Promise<T>): Promise<T> =>
    Promise.resolve().then(step).catch((error) => {
      throw new EncoderFailure(error instanceof Error ? error.message : String(error));
    });
  const writer = await writing(() => DirectParquetWriter.open(path, source.requireSchema()));
  try {
    for (let batch = read.shift(); batch; batch = read.shift() ?? await source.next()) {
      await writing(() => writer.write(batch));
      source.handed(batch);
    }
    await writing(() => writer.finish());
  } finally {
    writer.close();
  }
}

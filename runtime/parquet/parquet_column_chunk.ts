/**
 * One column of the row group being written: rows arrive in slices of Arrow batches, their
 * PLAIN values and definition levels (and a list's repetition levels, parquet_list_levels.ts)
 * collect into a page, and every page of about
 * {@linkcode PAGE_BYTES} is zstd-compressed at once (data page v1: levels then values, both
 * compressed), so a row group is held compressed until it is written out column by column.
 *
 * @module
 */
import type * as arrow from "apache-arrow";
import { constants, zstdCompressSync } from "node:zlib";
import {
  type ChunkMetadata,
  type ChunkStatistics,
  dataPageHeader,
  type LeafSchema,
  Repetition,
} from "./parquet_metadata.ts";
import { BitSink, ByteSink, type ValueEncoder, valueEncoder } from "./parquet_values.ts";
import type { Column } from "./parquet_leaf.ts";
import { ListLevels } from "./parquet_list_levels.ts";

/** Uncompressed values per page before it is compressed; parquet-wasm's default page size. */
export const PAGE_BYTES = 1 << 20;

/** Rows appended between page-size checks, which bounds how far a page overshoots. */
const ROWS_PER_STEP = 8192;

/**
 * zstd level 1: parquet-wasm's default (measured: level 3 made the postgres bench's files 2%
 * smaller for 40% more compression CPU).
 */
export const ZSTD_LEVEL = 1;

const ZSTD_OPTIONS = { params: { [constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL } };

/** A column declared NOT NULL received a null. */
export class NullInRequiredColumn extends Error {}

/** Pages of one column chunk, compressed, with the chunk's sizes and statistics. */
export interface FinishedChunk {
  parts: Uint8Array[];
  metadata: Omit<ChunkMetadata, "offset">;
}

/** See the module doc. */
export class ColumnChunkWriter {
  readonly #leaf: LeafSchema;
  readonly #values: ValueEncoder;
  readonly #optional: boolean;
  /** A list column's levels (its pages count level entries, not rows). */
  readonly #list?: ListLevels;
  /** Definition levels of the page (1 = value, 0 = null); only for OPTIONAL columns. */
  readonly #levels = new BitSink();
  /** A page's levels and values together, for the compressor. */
  readonly #page = new ByteSink();
  #pageRows = 0;
  #pageNulls = 0;
  #parts: Uint8Array[] = [];
  #entries = 0;
  #nulls = 0;
  #uncompressed = 0;
  #compressed = 0;

  constructor(column: Column) {
    const { leaf } = column;
    this.#leaf = leaf.schema;
    this.#values = valueEncoder(leaf.values);
    this.#optional = leaf.schema.repetition === Repetition.OPTIONAL;
    if (column.list) this.#list = new ListLevels(column.nodes[0].name, column.list);
  }

  /** Adds rows [from, to) of `data`. */
  append(data: arrow.Data, from: number, to: number): void {
    for (let start = from; start < to; start += ROWS_PER_STEP) {
      const end = Math.min(to, start + ROWS_PER_STEP);
      if (this.#list) {
        this.#list.append(data, start, end, this.#values);
      } else {
        this.#appendLevels(data, start, end);
        this.#values.append(data, start, end);
      }
      this.#pageRows += end - start;
      const levels = this.#list?.entries ?? 0;
      if (this.#values.byteLength >= PAGE_BYTES || levels >= PAGE_BYTES) this.#flushPage();
    }
  }

  #appendLevels(data: arrow.Data, from: number, to: number): void {
    const count = to - from;
    const bitmap = data.nullCount > 0 ? data.nullBitmap : undefined;
    if (!this.#optional) {
      if (bitmap && this.#countValid(bitmap, data.offset + from, count) < count) {
        throw new NullInRequiredColumn(
          `column "${this.#leaf.name}" is declared NOT NULL but a batch has a null in it`,
        );
      }
      return;
    }
    if (!bitmap) return this.#levels.ones(count);
    const valid = this.#levels.copy(bitmap, data.offset + from, count);
    this.#pageNulls += count - valid;
  }

  #countValid(bitmap: Uint8Array, start: number, count: number): number {
    let valid = 0;
    for (let i = start; i < start + count; i++) valid += (bitmap[i >> 3] >> (i & 7)) & 1;
    return valid;
  }

  /** The page's definition levels as Parquet's RLE/bit-packed hybrid, length-prefixed. */
  #encodedLevels(): Uint8Array {
    const rows = this.#pageRows;
    // No nulls: one RLE run of 1s. Otherwise one bit-packed run of the validity bits.
    const header = this.#pageNulls === 0 ? rows * 2 : Math.ceil(rows / 8) * 2 + 1;
    const body = this.#pageNulls === 0
      ? Uint8Array.of(1)
      : this.#levels.bytes.subarray(0, Math.ceil(rows / 8));
    const varint = uleb128(header);
    const length = varint.length + body.length;
    const out = new Uint8Array(4 + length);
    new DataView(out.buffer).setUint32(0, length, true);
    out.set(varint, 4);
    out.set(body, 4 + varint.length);
    return out;
  }

  #flushPage(): void {
    if (this.#pageRows === 0) return;
    const values = this.#values.takePage();
    let page = values;
    // Level entries: a list's, or one per row.
    const entries = this.#list?.entries ?? this.#pageRows;
    if (this.#list) this.#pageNulls = this.#list.nulls;
    if (this.#optional || this.#list) {
      // Levels then values in one buffer kept for the next pages: a new one per page was
      // garbage outside the JS heap that the collector let pile up (peak RSS).
      const levels = this.#list ? this.#list.encoded() : this.#encodedLevels();
      const buffer = this.#page;
      buffer.length = 0;
      buffer.reserve(levels.length + values.length);
      buffer.bytes.set(levels);
      buffer.bytes.set(values, levels.length);
      buffer.length = levels.length + values.length;
      page = buffer.view();
    }
    const compressed = zstdCompressSync(page, ZSTD_OPTIONS);
    const header = dataPageHeader(entries, page.length, compressed.length);
    this.#parts.push(header, compressed);
    this.#uncompressed += header.length + page.length;
    this.#compressed += header.length + compressed.length;
    this.#entries += entries;
    this.#nulls += this.#pageNulls;
    this.#levels.clear();
    this.#list?.clear();
    this.#pageRows = 0;
    this.#pageNulls = 0;
  }

  /** Compresses the last page and returns the chunk; the writer starts the next row group. */
  finish(): FinishedChunk {
    this.#flushPage();
    const minMax = this.#values.takeMinMax();
    const statistics: ChunkStatistics = { nullCount: this.#nulls, ...minMax };
    const chunk: FinishedChunk = {
      parts: this.#parts,
      metadata: {
        leaf: this.#leaf,
        values: this.#entries,
        uncompressedSize: this.#uncompressed,
        compressedSize: this.#compressed,
        statistics,
      },
    };
    this.#parts = [];
    this.#entries =
      this.#nulls =
      this.#uncompressed =
      this.#compressed =
        0;
    return chunk;
  }
}

function uleb128(value: number): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Uint8Array.from(bytes);
}

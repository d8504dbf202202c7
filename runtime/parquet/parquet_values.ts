/**
 * PLAIN encoding of one column's Arrow values, straight from the Arrow buffers (only non-null
 * values are stored; the definition levels say where the nulls are), with the column chunk's
 * min and max tracked in the column's Parquet sort order as the values pass. Each encoder
 * collects one page's values at a time.
 *
 * Arrow JS layout notes: fixed-width `values` and `valueOffsets` are already sliced to the
 * data's rows (index 0 is the data's first row), while validity bitmaps, boolean values and
 * the bytes behind `valueOffsets` are not (bit or byte positions start at `data.offset`).
 *
 * @module
 */
import type * as arrow from "apache-arrow";
import type { ValueKind } from "./parquet_leaf.ts";

/**
 * A growable byte buffer. It starts at 1 KiB: a fold of `dvt serve` writes files of a few
 * hundred rows, where 64 KiB per column (twice: values and page) was most of the writer's CPU
 * (zero-filled allocations, ~7 ms per fold of five tables); a large table grows it by doubling.
 */
export class ByteSink {
  bytes = new Uint8Array(1 << 10);
  length = 0;

  /** Makes room for `extra` more bytes. */
  reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(needed, this.bytes.length * 2));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  /** The bytes written so far (a view, valid until the next write). */
  view(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

/** A growable buffer of bits, least significant bit first (Parquet's and Arrow's order). */
export class BitSink {
  bytes = new Uint8Array(1 << 7);
  bits = 0;

  #reserve(extra: number): void {
    const needed = (this.bits + extra + 7) >> 3;
    if (needed <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(needed, this.bytes.length * 2));
    grown.set(this.bytes.subarray(0, (this.bits + 7) >> 3));
    this.bytes = grown;
  }

  /** Appends `count` set bits. */
  ones(count: number): void {
    this.#reserve(count);
    let bit = this.bits;
    const end = bit + count;
    const bytes = this.bytes;
    while (bit < end && bit & 7) bytes[bit >> 3] |= 1 << (bit++ & 7);
    const fullEnd = end & ~7;
    if (bit < fullEnd) {
      bytes.fill(0xff, bit >> 3, fullEnd >> 3);
      bit = fullEnd;
    }
    while (bit < end) bytes[bit >> 3] |= 1 << (bit++ & 7);
    this.bits = end;
  }

  /** Appends `count` bits of `source` from bit `start`; returns how many were set. */
  copy(source: Uint8Array, start: number, count: number): number {
    this.#reserve(count);
    const bytes = this.bytes;
    let set = 0;
    let at = this.bits;
    for (let i = start, end = start + count; i < end; i++, at++) {
      if ((source[i >> 3] >> (i & 7)) & 1) {
        bytes[at >> 3] |= 1 << (at & 7);
        set++;
      }
    }
    this.bits = at;
    return set;
  }

  /** Appends one bit. */
  push(value: boolean): void {
    this.#reserve(1);
    if (value) this.bytes[this.bits >> 3] |= 1 << (this.bits & 7);
    this.bits++;
  }

  /** Forgets all bits (the buffer is kept). */
  clear(): void {
    this.bytes.fill(0, 0, (this.bits + 7) >> 3);
    this.bits = 0;
  }
}

/** A column chunk's min and max as PLAIN-encoded values, or undefined if not known. */
export type MinMax = { min: Uint8Array; max: Uint8Array } | undefined;

/** Encodes one column's values page by page and tracks the chunk's min and max. */
export interface ValueEncoder {
  /** Appends the non-null values of rows [from, to) of `data`. */
  append(data: arrow.Data, from: number, to: number): void;
  /** Bytes of the page collected so far. */
  readonly byteLength: number;
  /** The page's PLAIN values (a view, valid until the next append); starts a new page. */
  takePage(): Uint8Array;
  /** The min and max since the last call (the chunk's); starts over. */
  takeMinMax(): MinMax;
}

/** The validity bitmap when `data` has nulls, else undefined (every row valid). */
function nullsOf(data: arrow.Data): Uint8Array | undefined {
  return data.nullCount > 0 ? data.nullBitmap : undefined;
}

function isValid(bitmap: Uint8Array, bit: number): boolean {
  return ((bitmap[bit >> 3] >> (bit & 7)) & 1) === 1;
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

function littleEndian(width: number, write: (view: DataView) => void): Uint8Array {
  const bytes = new Uint8Array(width);
  write(new DataView(bytes.buffer));
  return bytes;
}

/** Base of the encoders whose values collect in a {@linkcode ByteSink}. */
abstract class SinkEncoder implements ValueEncoder {
  protected readonly sink = new ByteSink();
  abstract append(data: arrow.Data, from: number, to: number): void;
  abstract takeMinMax(): MinMax;

  get byteLength(): number {
    return this.sink.length;
  }

  takePage(): Uint8Array {
    const page = this.sink.view();
    this.sink.length = 0;
    return page;
  }
}

/** Ints of 8 to 32 bits, dates and 32-bit times, as INT32 (narrower ints widened). */
class Int32Encoder extends SinkEncoder {
  #min = Infinity;
  #max = -Infinity;
  #unsigned32 = false;

  append(data: arrow.Data, from: number, to: number): void {
    const source = data.values as Int8Array | Int16Array | Int32Array | Uint32Array;
    this.#unsigned32 ||= source instanceof Uint32Array;
    const nulls = nullsOf(data);
    const sink = this.sink;
    sink.reserve((to - from) * 4);
    let min = this.#min;
    let max = this.#max;
    if (!nulls && source.BYTES_PER_ELEMENT === 4) {
      sink.bytes.set(bytesOf(source.subarray(from, to)), sink.length);
      sink.length += (to - from) * 4;
      for (let i = from; i < to; i++) {
        const value = source[i];
        if (value < min) min = value;
        if (value > max) max = value;
      }
    } else {
      const out = new Int32Array(sink.bytes.buffer, sink.length, to - from);
      let n = 0;
      for (let i = from; i < to; i++) {
        if (nulls && !isValid(nulls, data.offset + i)) continue;
        const value = source[i];
        out[n++] = value;
        if (value < min) min = value;
        if (value > max) max = value;
      }
      sink.length += n * 4;
    }
    this.#min = min;
    this.#max = max;
  }

  takeMinMax(): MinMax {
    const [min, max] = [this.#min, this.#max];
    [this.#min, this.#max] = [Infinity, -Infinity];
    if (min > max) return undefined;
    const set = (value: number) => littleEndian(4, (view) => view.setUint32(0, value >>> 0, true));
    return { min: set(min), max: set(max) };
  }
}

/** Compares 64-bit values given as (high, low) words; high signed or not, low unsigned. */
class Int64Range {
  minHi = 0;
  minLo = 0;
  maxHi = 0;
  maxLo = 0;
  empty = true;

  constructor(readonly signed: boolean) {}

  /** Tracks the value whose words are `hi` and `lo` (lo as an unsigned number). */
  add(hi: number, lo: number): void {
    if (this.empty) {
      this.minHi = this.maxHi = hi;
      this.minLo = this.maxLo = lo;
      this.empty = false;
      return;
    }
    if (hi < this.minHi || (hi === this.minHi && lo < this.minLo)) {
      this.minHi = hi;
      this.minLo = lo;
    }
    if (hi > this.maxHi || (hi === this.maxHi && lo > this.maxLo)) {
      this.maxHi = hi;
      this.maxLo = lo;
    }
  }

  take(): MinMax {
    if (this.empty) return undefined;
    this.empty = true;
    const encode = (hi: number, lo: number) =>
      littleEndian(8, (view) => {
        view.setUint32(0, lo >>> 0, true);
        view.setUint32(4, hi >>> 0, true);
      });
    return { min: encode(this.minHi, this.minLo), max: encode(this.maxHi, this.maxLo) };
  }
}

/** 64-bit ints, timestamps, 64-bit times and dates, as INT64. */
class Int64Encoder extends SinkEncoder {
  readonly #range: Int64Range;

  constructor(readonly signed: boolean) {
    super();
    this.#range = new Int64Range(signed);
  }

  append(data: arrow.Data, from: number, to: number): void {
    const source = data.values as BigInt64Array | BigUint64Array;
    const words = new Int32Array(source.buffer, source.byteOffset, source.length * 2);
    const nulls = nullsOf(data);
    const sink = this.sink;
    sink.reserve((to - from) * 8);
    const range = this.#range;
    const signed = this.signed;
    if (!nulls) {
      sink.bytes.set(bytesOf(source.subarray(from, to)), sink.length);
      sink.length += (to - from) * 8;
      for (let i = from; i < to; i++) {
        const hi = words[2 * i + 1];
        range.add(signed ? hi : hi >>> 0, words[2 * i] >>> 0);
      }
      return;
    }
    const out = new Int32Array(sink.bytes.buffer, sink.length, (to - from) * 2);
    let n = 0;
    for (let i = from; i < to; i++) {
      if (!isValid(nulls, data.offset + i)) continue;
      const lo = words[2 * i];
      const hi = words[2 * i + 1];
      out[n++] = lo;
      out[n++] = hi;
      range.add(signed ? hi : hi >>> 0, lo >>> 0);
    }
    sink.length += n * 4;
  }

  takeMinMax(): MinMax {
    return this.#range.take();
  }
}

/** float32 and float64; NaN is left out of min and max, zeros signed as the spec asks. */
class FloatEncoder extends SinkEncoder {
  #min = Infinity;
  #max = -Infinity;
  #seen = false;

  constructor(readonly width: 4 | 8) {
    super();
  }

  append(data: arrow.Data, from: number, to: number): void {
    const source = data.values as Float32Array | Float64Array;
    const width = this.width;
    const nulls = nullsOf(data);
    const sink = this.sink;
    sink.reserve((to - from) * width);
    let min = this.#min;
    let max = this.#max;
    let seen = this.#seen;
    if (!nulls) {
      sink.bytes.set(bytesOf(source.subarray(from, to)), sink.length);
      sink.length += (to - from) * width;
    }
    const out = nulls
      ? new (width === 4 ? Float32Array : Float64Array)(sink.bytes.buffer, sink.length, to - from)
      : undefined;
    let n = 0;
    for (let i = from; i < to; i++) {
      if (nulls && !isValid(nulls, data.offset + i)) continue;
      const value = source[i];
      if (out) out[n++] = value;
      if (value !== value) continue; // NaN
      seen = true;
      if (value < min) min = value;
      if (value > max) max = value;
    }
    sink.length += n * width;
    this.#min = min;
    this.#max = max;
    this.#seen = seen;
  }

  takeMinMax(): MinMax {
    const { width } = this;
    const [min, max, seen] = [this.#min, this.#max, this.#seen];
    [this.#min, this.#max, this.#seen] = [Infinity, -Infinity, false];
    if (!seen) return undefined;
    const encode = (value: number) =>
      littleEndian(width, (view) => {
        if (width === 4) view.setFloat32(0, value, true);
        else view.setFloat64(0, value, true);
      });
    // Parquet: a zero min is written as -0.0 and a zero max as +0.0.
    return { min: encode(min === 0 ? -0 : min), max: encode(max === 0 ? 0 : max) };
  }
}

/** Booleans, bit-packed. */
class BoolEncoder implements ValueEncoder {
  readonly #bits = new BitSink();
  #sawTrue = false;
  #sawFalse = false;

  get byteLength(): number {
    return this.#bits.bits >> 3;
  }

  append(data: arrow.Data, from: number, to: number): void {
    const values = data.values as Uint8Array;
    const nulls = nullsOf(data);
    let set = 0;
    let count = 0;
    if (!nulls) {
      count = to - from;
      set = this.#bits.copy(values, data.offset + from, count);
    } else {
      for (let i = from; i < to; i++) {
        const bit = data.offset + i;
        if (!isValid(nulls, bit)) continue;
        const value = isValid(values, bit);
        this.#bits.push(value);
        count++;
        if (value) set++;
      }
    }
    if (set > 0) this.#sawTrue = true;
    if (set < count) this.#sawFalse = true;
  }

  takePage(): Uint8Array {
    const page = this.#bits.bytes.slice(0, (this.#bits.bits + 7) >> 3);
    this.#bits.clear();
    return page;
  }

  takeMinMax(): MinMax {
    const [sawTrue, sawFalse] = [this.#sawTrue, this.#sawFalse];
    this.#sawTrue = this.#sawFalse = false;
    if (!sawTrue && !sawFalse) return undefined;
    return { min: Uint8Array.of(sawFalse ? 0 : 1), max: Uint8Array.of(sawTrue ? 1 : 0) };
  }
}

/** Unsigned byte-wise comparison of `a[aStart, aEnd)` with `b[bStart, bEnd)`. */
function compareBytes(
  a: Uint8Array,
  aStart: number,
  aEnd: number,
  b: Uint8Array,
  bStart: number,
  bEnd: number,
): number {
  const common = Math.min(aEnd - aStart, bEnd - bStart);
  for (let k = 0; k < common; k++) {
    const difference = a[aStart + k] - b[bStart + k];
    if (difference !== 0) return difference;
  }
  return (aEnd - aStart) - (bEnd - bStart);
}

/**
 * Longest min or max a string column's statistics keep. Longer ones leave the chunk without
 * min/max (rather than truncated bounds): pruning is for keys and codes, not documents.
 */
export const MAX_STATISTICS_BYTES = 64;

/** utf8 and binary (32- or 64-bit offsets): a 4-byte length, then the bytes. */
class BytesEncoder extends SinkEncoder {
  #min?: Uint8Array;
  #max?: Uint8Array;

  append(data: arrow.Data, from: number, to: number): void {
    const offsets = data.valueOffsets as Int32Array | BigInt64Array;
    const nulls = nullsOf(data);
    const values = data.values as Uint8Array;
    if (offsets instanceof Int32Array) {
      this.#append(offsets, values, nulls, data.offset, from, to);
      return;
    }
    // 64-bit offsets: the rows' bytes, re-based to 32-bit offsets (a page is far below 2 GiB).
    const base = offsets[from];
    const span = Number(offsets[to] - base);
    if (span >= 2 ** 31) throw new Error("a batch's strings exceed 2 GiB between two pages");
    const relative = Int32Array.from(offsets.subarray(from, to + 1), (o) => Number(o - base));
    const bytes = values.subarray(Number(base), Number(base) + span);
    this.#append(relative, bytes, nulls, data.offset + from, 0, to - from);
  }

  /** `offsets[i]` (rows `from` to `to`) index `values`; validity bit of row i is `bit0 + i`. */
  #append(
    offsets: Int32Array,
    values: Uint8Array,
    nulls: Uint8Array | undefined,
    bit0: number,
    from: number,
    to: number,
  ): void {
    const sink = this.sink;
    sink.reserve(offsets[to] - offsets[from] + (to - from) * 4);
    const out = sink.bytes;
    let position = sink.length;
    // The min and max so far, as ranges of an array: the kept copy, or `values` (copied once
    // at the end, not at each change: sorted strings make a new max on every row).
    const empty = new Uint8Array();
    let min = this.#min ?? empty;
    let minStart = 0;
    let minEnd = min.length;
    let max = this.#max ?? empty;
    let maxStart = 0;
    let maxEnd = max.length;
    let unset = this.#min === undefined;
    for (let i = from; i < to; i++) {
      if (nulls !== undefined && ((nulls[(bit0 + i) >> 3] >> ((bit0 + i) & 7)) & 1) === 0) continue;
      const start = offsets[i];
      const end = offsets[i + 1];
      const length = end - start;
      out[position] = length;
      out[position + 1] = length >>> 8;
      out[position + 2] = length >>> 16;
      out[position + 3] = length >>> 24;
      position += 4;
      if (length > 32) out.set(values.subarray(start, end), position);
      else for (let k = 0; k < length; k++) out[position + k] = values[start + k];
      position += length;
      // A new max cannot be a new min (once both are set): one comparison for sorted rows.
      if (unset || compareBytes(values, start, end, max, maxStart, maxEnd) > 0) {
        max = values;
        maxStart = start;
        maxEnd = end;
        if (!unset) continue;
      }
      if (unset || compareBytes(values, start, end, min, minStart, minEnd) < 0) {
        min = values;
        minStart = start;
        minEnd = end;
      }
      unset = false;
    }
    sink.length = position;
    if (unset) return;
    this.#min = min === values ? values.slice(minStart, minEnd) : min;
    this.#max = max === values ? values.slice(maxStart, maxEnd) : max;
  }

  takeMinMax(): MinMax {
    const [min, max] = [this.#min, this.#max];
    this.#min = this.#max = undefined;
    if (!min || !max) return undefined;
    if (min.length > MAX_STATISTICS_BYTES || max.length > MAX_STATISTICS_BYTES) return undefined;
    return { min, max };
  }
}

/** Fixed-size binary (UUIDs, intervals), copied as they are; no min/max kept. */
class FixedEncoder extends SinkEncoder {
  constructor(readonly width: number) {
    super();
  }

  append(data: arrow.Data, from: number, to: number): void {
    const width = this.width;
    const values = data.values as Uint8Array;
    const nulls = nullsOf(data);
    const sink = this.sink;
    sink.reserve((to - from) * width);
    if (!nulls) {
      sink.bytes.set(values.subarray(from * width, to * width), sink.length);
      sink.length += (to - from) * width;
      return;
    }
    for (let i = from; i < to; i++) {
      if (!isValid(nulls, data.offset + i)) continue;
      sink.bytes.set(values.subarray(i * width, (i + 1) * width), sink.length);
      sink.length += width;
    }
  }

  takeMinMax(): MinMax {
    return undefined;
  }
}

/**
 * decimal128 as INT32 (precision <= 9), INT64 (<= 18) or a big-endian FIXED_LEN_BYTE_ARRAY
 * of `width` bytes: the low bytes of Arrow's 16-byte little-endian two's complement.
 */
class DecimalEncoder extends SinkEncoder {
  readonly #range = new Int64Range(true);
  /** Min and max of 128-bit values as their four 32-bit words, most significant first. */
  #min?: number[];
  #max?: number[];

  constructor(readonly width: number) {
    super();
  }

  append(data: arrow.Data, from: number, to: number): void {
    const source = data.values as Uint32Array;
    const words = new Int32Array(source.buffer, source.byteOffset, source.length);
    const nulls = nullsOf(data);
    const width = this.width;
    this.sink.reserve((to - from) * width);
    if (width === 4) this.#appendInt32(words, nulls, data.offset, from, to);
    else if (width === 8) this.#appendInt64(words, nulls, data.offset, from, to);
    else this.#appendFixed(bytesOf(source), words, nulls, data.offset, from, to);
  }

  #appendInt32(
    words: Int32Array,
    nulls: Uint8Array | undefined,
    offset: number,
    from: number,
    to: number,
  ) {
    const sink = this.sink;
    const out = new Int32Array(sink.bytes.buffer, sink.length, to - from);
    let n = 0;
    for (let i = from; i < to; i++) {
      if (nulls && !isValid(nulls, offset + i)) continue;
      const value = words[4 * i];
      out[n++] = value;
      this.#range.add(value < 0 ? -1 : 0, value >>> 0);
    }
    sink.length += n * 4;
  }

  #appendInt64(
    words: Int32Array,
    nulls: Uint8Array | undefined,
    offset: number,
    from: number,
    to: number,
  ) {
    const sink = this.sink;
    const out = new Int32Array(sink.bytes.buffer, sink.length, (to - from) * 2);
    const range = this.#range;
    let n = 0;
    for (let i = from; i < to; i++) {
      if (nulls && !isValid(nulls, offset + i)) continue;
      const lo = words[4 * i];
      const hi = words[4 * i + 1];
      out[n++] = lo;
      out[n++] = hi;
      range.add(hi, lo >>> 0);
    }
    sink.length += n * 4;
  }

  #appendFixed(
    bytes: Uint8Array,
    words: Int32Array,
    nulls: Uint8Array | undefined,
    offset: number,
    from: number,
    to: number,
  ) {
    const sink = this.sink;
    const out = sink.bytes;
    const width = this.width;
    let position = sink.length;
    for (let i = from; i < to; i++) {
      if (nulls && !isValid(nulls, offset + i)) continue;
      const base = 16 * i;
      for (let k = 0; k < width; k++) out[position + k] = bytes[base + width - 1 - k];
      position += width;
      const value = [
        words[4 * i + 3],
        words[4 * i + 2] >>> 0,
        words[4 * i + 1] >>> 0,
        words[4 * i] >>> 0,
      ];
      if (!this.#min || compare128(value, this.#min) < 0) this.#min = value;
      if (!this.#max || compare128(value, this.#max) > 0) this.#max = value;
    }
    sink.length = position;
  }

  takeMinMax(): MinMax {
    if (this.width === 4) {
      const range = this.#range.take();
      return range && { min: range.min.slice(0, 4), max: range.max.slice(0, 4) };
    }
    if (this.width === 8) return this.#range.take();
    const [min, max] = [this.#min, this.#max];
    this.#min = this.#max = undefined;
    if (!min || !max) return undefined;
    return { min: bigEndian(min, this.width), max: bigEndian(max, this.width) };
  }
}

function compare128(a: number[], b: number[]): number {
  for (let k = 0; k < 4; k++) if (a[k] !== b[k]) return a[k] - b[k];
  return 0;
}

/** The low `width` bytes of a 128-bit value (words most significant first), big-endian. */
function bigEndian(words: number[], width: number): Uint8Array {
  const full = new Uint8Array(16);
  const view = new DataView(full.buffer);
  words.forEach((word, k) => view.setUint32(4 * k, word >>> 0));
  return full.slice(16 - width);
}

/** A fresh encoder for values of `kind`. */
export function valueEncoder(kind: ValueKind): ValueEncoder {
  switch (kind.kind) {
    case "int32":
      return new Int32Encoder();
    case "int64":
      return new Int64Encoder(kind.signed);
    case "float32":
      return new FloatEncoder(4);
    case "float64":
      return new FloatEncoder(8);
    case "bool":
      return new BoolEncoder();
    case "bytes":
    case "largeBytes":
      return new BytesEncoder();
    case "fixed":
      return new FixedEncoder(kind.width);
    case "decimal":
      return new DecimalEncoder(kind.width);
  }
}

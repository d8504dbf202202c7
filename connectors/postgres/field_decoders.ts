/**
 * Decoders from PostgreSQL's binary wire format (what `COPY ... (FORMAT binary)` sends: each
 * type's `send` function output, big-endian) into Arrow columns. One decoder per column; a list
 * decoder owns one for its elements. Special values are mapped explicitly:
 * - date/timestamp `infinity` / `-infinity` become the values DuckDB reads as `infinity` /
 *   `-infinity` (int32/int64 max and minus max);
 * - float `NaN` / `±Infinity` stay IEEE values;
 * - numeric `NaN` / `±Infinity` (and digits a decimal column cannot hold) fail the table,
 *   naming the column: an Arrow decimal cannot represent them and silence would lose them.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import { type ArrowModule, ByteColumn, NullMask, Validity, WordColumn } from "./column_builders.ts";
import type { ColumnKind, ColumnPlan } from "./column_types.ts";

/** Decodes one column's fields into Arrow data, one batch at a time. */
export interface FieldDecoder {
  readonly type: Arrow.DataType;
  /** Decodes the field at `bytes[start, start+length)` as row `index`. */
  append(index: number, bytes: Uint8Array, view: DataView, start: number, length: number): void;
  /** Records a NULL as row `index`. */
  appendNull(index: number): void;
  /** Arrow data of rows `[0, length)`; the decoder starts over at row 0 afterwards. */
  flush(length: number): Arrow.Data;
}

/** Why a value could not be converted; the reader adds table and column. */
export class ValueError extends Error {}

// Days and microseconds between the Unix epoch and PostgreSQL's (2000-01-01).
const PG_EPOCH_DAYS = 10_957;
const PG_EPOCH_MICROS = 946_684_800_000_000n;
const EPOCH_HI = Number(PG_EPOCH_MICROS >> 32n);
const EPOCH_LO = Number(PG_EPOCH_MICROS & 0xffffffffn);
const TWO_32 = 4_294_967_296;
const HEX = "0123456789abcdef";

/** Builds the decoder of a planned column. */
export function createDecoder(arrow: ArrowModule, plan: ColumnPlan): FieldDecoder {
  const make = DECODERS[plan.kind];
  return make(arrow, plan);
}

type Factory = (arrow: ArrowModule, plan: ColumnPlan) => FieldDecoder;

abstract class Base implements FieldDecoder {
  validity = new NullMask();
  constructor(readonly arrow: ArrowModule, readonly type: Arrow.DataType) {}
  abstract append(i: number, b: Uint8Array, v: DataView, s: number, l: number): void;
  abstract appendNull(index: number): void;
  abstract flush(length: number): Arrow.Data;
  protected common(length: number) {
    const nullCount = this.validity.nulls;
    const nullBitmap = this.validity.finish(length);
    this.validity.reset();
    return { type: this.type, length, nullCount, nullBitmap };
  }
}

/** Fixed-width columns stored as 32-bit words: ints, floats, dates, times, timestamps. */
class WordDecoder extends Base {
  column: WordColumn;
  constructor(
    arrow: ArrowModule,
    type: Arrow.DataType,
    words: number,
    readonly write: (words: Int32Array, at: number, view: DataView, start: number) => void,
    readonly view: (words: Int32Array) => ArrayBufferView,
  ) {
    super(arrow, type);
    this.column = new WordColumn(words);
  }
  append(index: number, _b: Uint8Array, view: DataView, start: number) {
    const at = this.column.slot(index);
    this.write(this.column.words, at, view, start);
  }
  appendNull(index: number) {
    const at = this.column.slot(index);
    this.column.words.fill(0, at, at + this.column.wordsPerValue);
    this.validity.add(index);
  }
  flush(length: number) {
    const data = this.view(this.column.finish(length));
    this.column.reset();
    // deno-lint-ignore no-explicit-any -- makeData is overloaded per type; the type decides.
    return this.arrow.makeData({ ...this.common(length), data } as any);
  }
}

const asInt16 = (w: Int32Array) => Int16Array.from(w);
const asInt32 = (w: Int32Array) => w;
const asFloat32 = (w: Int32Array) => new Float32Array(w.buffer, w.byteOffset, w.length);
const asFloat64 = (w: Int32Array) => new Float64Array(w.buffer, w.byteOffset, w.length / 2);
const asInt64 = (w: Int32Array) => new BigInt64Array(w.buffer, w.byteOffset, w.length / 2);
const asWords = (w: Int32Array) => new Uint32Array(w.buffer, w.byteOffset, w.length);

function int64(words: Int32Array, at: number, view: DataView, start: number) {
  words[at] = view.getInt32(start + 4);
  words[at + 1] = view.getInt32(start);
}

function float64(words: Int32Array, at: number, view: DataView, start: number) {
  // Big-endian on the wire, little-endian in Arrow: swap the two words.
  words[at] = view.getInt32(start + 4);
  words[at + 1] = view.getInt32(start);
}

function timestamp(words: Int32Array, at: number, view: DataView, start: number) {
  const hi = view.getInt32(start);
  const lo = view.getUint32(start + 4);
  if (hi === 0x7fffffff && lo === 0xffffffff) { // infinity -> int64 max
    words[at] = -1;
    words[at + 1] = 0x7fffffff;
    return;
  }
  if (hi === -0x80000000 && lo === 0) { // -infinity -> -(int64 max), DuckDB's -infinity
    words[at] = 1;
    words[at + 1] = -0x80000000;
    return;
  }
  const sumLo = lo + EPOCH_LO;
  const carry = sumLo >= TWO_32 ? 1 : 0;
  const sumHi = hi + EPOCH_HI + carry;
  if (sumHi > 0x7fffffff) {
    throw new ValueError("a timestamp after year 294246 does not fit an Arrow timestamp");
  }
  words[at] = sumLo - carry * TWO_32;
  words[at + 1] = sumHi;
}

function date(words: Int32Array, at: number, view: DataView, start: number) {
  const days = view.getInt32(start);
  if (days === 0x7fffffff) words[at] = 0x7fffffff; // infinity
  else if (days === -0x80000000) words[at] = -0x7fffffff; // -infinity
  else words[at] = days + PG_EPOCH_DAYS;
}

function wordDecoder(
  type: (arrow: ArrowModule, plan: ColumnPlan) => Arrow.DataType,
  words: number,
  write: (words: Int32Array, at: number, view: DataView, start: number) => void,
  view: (words: Int32Array) => ArrayBufferView,
): Factory {
  return (arrow, plan) => new WordDecoder(arrow, type(arrow, plan), words, write, view);
}

/** Booleans: one bit each. */
class BoolDecoder extends Base {
  bits = new Validity();
  append(index: number, bytes: Uint8Array, _v: DataView, start: number) {
    this.bits.set(index, bytes[start] !== 0);
  }
  appendNull(index: number) {
    this.bits.set(index, false);
    this.validity.add(index);
  }
  flush(length: number) {
    const data = this.bits.bits.slice(0, (length + 7) >> 3);
    this.bits.reset();
    return this.arrow.makeData({ ...this.common(length), type: new this.arrow.Bool(), data });
  }
}

/** Utf8 and binary columns: the field bytes as they are (skipping a format prefix). */
class BytesDecoder extends Base {
  column = new ByteColumn();
  constructor(arrow: ArrowModule, type: Arrow.DataType, readonly skip = 0) {
    super(arrow, type);
  }
  append(index: number, bytes: Uint8Array, _v: DataView, start: number, length: number) {
    this.column.push(index, bytes, start + this.skip, length - this.skip);
  }
  appendNull(index: number) {
    this.column.close(index);
    this.validity.add(index);
  }
  flush(length: number) {
    const { valueOffsets, data } = this.column.finish(length);
    this.column.reset();
    // deno-lint-ignore no-explicit-any -- Utf8 and Binary share this shape.
    return this.arrow.makeData({ ...this.common(length), valueOffsets, data } as any);
  }
}

/** uuid: 16 bytes, written as the canonical 36-character text. */
class UuidDecoder extends BytesDecoder {
  override append(index: number, bytes: Uint8Array, _v: DataView, start: number) {
    const column = this.column;
    column.reserve(36);
    let at = column.end;
    for (let i = 0; i < 16; i++) {
      if (i === 4 || i === 6 || i === 8 || i === 10) column.bytes[at++] = 45; // "-"
      const byte = bytes[start + i];
      column.bytes[at++] = HEX.charCodeAt(byte >> 4);
      column.bytes[at++] = HEX.charCodeAt(byte & 15);
    }
    column.end = at;
    column.close(index);
  }
}

/** numeric -> Decimal128(precision, scale), exact; see {@linkcode numericToScaled}. */
class DecimalDecoder extends Base {
  column = new WordColumn(4);
  constructor(arrow: ArrowModule, readonly plan: ColumnPlan) {
    super(arrow, new arrow.Decimal(plan.scale!, plan.precision!, 128));
  }
  append(index: number, _b: Uint8Array, view: DataView, start: number) {
    const at = this.column.slot(index);
    writeDecimal(this.column.words, at, view, start, this.plan.precision!, this.plan.scale!);
  }
  appendNull(index: number) {
    const at = this.column.slot(index);
    this.column.words.fill(0, at, at + 4);
    this.validity.add(index);
  }
  flush(length: number) {
    const data = asWords(this.column.finish(length));
    this.column.reset();
    return this.arrow.makeData({ ...this.common(length), type: this.type as Arrow.Decimal, data });
  }
}

const NUMERIC_NAN = 0xc000;
const NUMERIC_PINF = 0xd000;
const NUMERIC_NINF = 0xf000;
const NUMERIC_NEG = 0x4000;
const POW10 = [1, 10, 100, 1000];
// Powers of ten up to 10^22 are exact doubles; a table lookup is much cheaper than `10 ** n`.
const EXACT_POW10 = Array.from({ length: 23 }, (_, n) => 10 ** n);

/**
 * Writes a binary numeric as a 128-bit two's complement integer scaled by 10^scale. Fails when
 * the value is NaN or infinite, has more fraction digits than `scale`, or more than
 * `precision` digits: a decimal column cannot hold them.
 */
function writeDecimal(
  words: Int32Array,
  at: number,
  view: DataView,
  start: number,
  precision: number,
  scale: number,
) {
  const ndigits = view.getInt16(start);
  const weight = view.getInt16(start + 2);
  const sign = view.getUint16(start + 4);
  if (sign === NUMERIC_NAN) throw new ValueError("NaN does not fit a decimal column");
  if (sign === NUMERIC_PINF || sign === NUMERIC_NINF) {
    throw new ValueError("Infinity does not fit a decimal column");
  }
  // Exact in a double while below 2^53: precision <= 15 digits stays well under it.
  if (precision <= 15) {
    let value = 0;
    for (let i = 0; i < ndigits; i++) {
      const digit = view.getInt16(start + 8 + 2 * i);
      const power = 4 * (weight - i) + scale;
      if (power >= 0) value += digit * (power < 23 ? EXACT_POW10[power] : 10 ** power);
      else value += fraction(digit, power, scale);
    }
    if (value >= EXACT_POW10[precision]) throw new ValueError(tooWide(precision, scale));
    writeSmall(words, at, sign === NUMERIC_NEG ? -value : value);
    return;
  }
  let value = 0n;
  for (let i = 0; i < ndigits; i++) {
    const digit = view.getInt16(start + 8 + 2 * i);
    const power = 4 * (weight - i) + scale;
    if (power >= 0) value += BigInt(digit) * 10n ** BigInt(power);
    else value += BigInt(fraction(digit, power, scale));
  }
  if (value >= 10n ** BigInt(precision)) throw new ValueError(tooWide(precision, scale));
  if (sign === NUMERIC_NEG) value = -value;
  const unsigned = BigInt.asUintN(128, value);
  for (let w = 0; w < 4; w++) words[at + w] = Number((unsigned >> BigInt(32 * w)) & 0xffffffffn);
}

/** The part of a base-10000 digit above 10^-scale; digits below it must be zero. */
function fraction(digit: number, power: number, scale: number): number {
  if (digit === 0) return 0;
  if (power <= -4) throw new ValueError(moreDigits(scale));
  const divisor = POW10[-power];
  if (digit % divisor !== 0) throw new ValueError(moreDigits(scale));
  return digit / divisor;
}

const moreDigits = (scale: number) => `a value has more than ${scale} digits after the point`;
const tooWide = (precision: number, scale: number) =>
  `a value has more than ${precision - scale} digits before the point`;

/**
 * Writes an integer below 2^53 in magnitude as a 128-bit two's complement value. `>>> 0` is the
 * integer modulo 2^32 exactly (negative ones too), and what is left divides evenly by 2^32.
 */
function writeSmall(words: Int32Array, at: number, value: number) {
  const low = value >>> 0;
  words[at] = low;
  words[at + 1] = (value - low) / TWO_32;
  words[at + 2] = words[at + 3] = value < 0 ? -1 : 0;
}

/** interval -> struct {months int32, days int32, microseconds int64}: every unit kept apart. */
class IntervalDecoder extends Base {
  months = new WordColumn(1);
  days = new WordColumn(1);
  micros = new WordColumn(2);
  append(index: number, _b: Uint8Array, view: DataView, start: number) {
    int64(this.micros.words, this.micros.slot(index), view, start);
    this.days.words[this.days.slot(index)] = view.getInt32(start + 8);
    this.months.words[this.months.slot(index)] = view.getInt32(start + 12);
  }
  appendNull(index: number) {
    this.months.words[this.months.slot(index)] = 0;
    this.days.words[this.days.slot(index)] = 0;
    const at = this.micros.slot(index);
    this.micros.words[at] = this.micros.words[at + 1] = 0;
    this.validity.add(index);
  }
  flush(length: number) {
    const arrow = this.arrow;
    const children = [
      arrow.makeData({ type: new arrow.Int32(), length, data: this.months.finish(length) }),
      arrow.makeData({ type: new arrow.Int32(), length, data: this.days.finish(length) }),
      arrow.makeData({
        type: new arrow.Int64(),
        length,
        data: asInt64(this.micros.finish(length)),
      }),
    ];
    this.months.reset();
    this.days.reset();
    this.micros.reset();
    return arrow.makeData({ ...this.common(length), type: this.type as Arrow.Struct, children });
  }
}

/** One-dimensional arrays -> Arrow lists; elements decoded by the element's decoder. */
class ListDecoder extends Base {
  offsets = new WordColumn(1);
  elements = 0;
  constructor(arrow: ArrowModule, type: Arrow.DataType, readonly element: FieldDecoder) {
    super(arrow, type);
    this.offsets.slot(0);
  }
  append(index: number, bytes: Uint8Array, view: DataView, start: number) {
    const dimensions = view.getInt32(start);
    let at = start + 12;
    if (dimensions > 1) {
      throw new ValueError(
        `a ${dimensions}-dimensional array cannot be a list; only one-dimensional arrays are read`,
      );
    }
    const count = dimensions === 0 ? 0 : view.getInt32(at);
    at += dimensions * 8;
    for (let i = 0; i < count; i++) {
      const length = view.getInt32(at);
      at += 4;
      if (length < 0) this.element.appendNull(this.elements++);
      else {
        this.element.append(this.elements++, bytes, view, at, length);
        at += length;
      }
    }
    this.close(index);
  }
  appendNull(index: number) {
    this.close(index);
    this.validity.add(index);
  }
  close(index: number) {
    this.offsets.words[this.offsets.slot(index + 1)] = this.elements;
  }
  flush(length: number) {
    const valueOffsets = this.offsets.finish(length + 1);
    const child = this.element.flush(this.elements);
    this.elements = 0;
    this.offsets.reset();
    this.offsets.slot(0);
    return this.arrow.makeData({
      ...this.common(length),
      type: this.type as Arrow.List,
      valueOffsets,
      child,
    });
  }
}

const int = (bits: 16 | 32 | 64) => (arrow: ArrowModule) =>
  bits === 16 ? new arrow.Int16() : bits === 32 ? new arrow.Int32() : new arrow.Int64();

/** The Arrow type of the interval struct. */
export function intervalType(arrow: ArrowModule): Arrow.Struct {
  return new arrow.Struct([
    new arrow.Field("months", new arrow.Int32(), false),
    new arrow.Field("days", new arrow.Int32(), false),
    new arrow.Field("microseconds", new arrow.Int64(), false),
  ]);
}

const DECODERS: Record<ColumnKind, Factory> = {
  int16: wordDecoder(int(16), 1, (w, a, v, s) => w[a] = v.getInt16(s), asInt16),
  int32: wordDecoder(int(32), 1, (w, a, v, s) => w[a] = v.getInt32(s), asInt32),
  int64: wordDecoder(int(64), 2, int64, asInt64),
  float32: wordDecoder((a) => new a.Float32(), 1, (w, a, v, s) => w[a] = v.getInt32(s), asFloat32),
  float64: wordDecoder((a) => new a.Float64(), 2, float64, asFloat64),
  date: wordDecoder((a) => new a.DateDay(), 1, date, asInt32),
  time: wordDecoder((a) => new a.TimeMicrosecond(), 2, int64, asInt64),
  timestamp: wordDecoder((a) => new a.TimestampMicrosecond(), 2, timestamp, asInt64),
  timestamptz: wordDecoder((a) => new a.TimestampMicrosecond("UTC"), 2, timestamp, asInt64),
  bool: (arrow) => new BoolDecoder(arrow, new arrow.Bool()),
  text: (arrow) => new BytesDecoder(arrow, new arrow.Utf8()),
  jsonb: (arrow) => new BytesDecoder(arrow, new arrow.Utf8(), 1),
  uuid: (arrow) => new UuidDecoder(arrow, new arrow.Utf8()),
  bytea: (arrow) => new BytesDecoder(arrow, new arrow.Binary()),
  decimal: (arrow, plan) => new DecimalDecoder(arrow, plan),
  interval: (arrow) => new IntervalDecoder(arrow, intervalType(arrow)),
  list: (arrow, plan) => {
    const element = createDecoder(arrow, plan.element!);
    const type = new arrow.List(new arrow.Field("item", element.type, true));
    return new ListDecoder(arrow, type, element);
  },
};

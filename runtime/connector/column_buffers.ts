/**
 * Growable Arrow column buffers filled one value at a time and turned into `arrow.Data` without
 * copying through Arrow's generic builders: typed arrays, a validity bitmap, offsets and bytes.
 * Rows arrive from a database one by one; this is the hot loop of a read, so each append is a
 * typed-array store. Exported by mod.ts for connectors that decode rows themselves (mysql, sqlite).
 *
 * @module
 */
import type * as Arrow from "apache-arrow";

type ArrowModule = typeof Arrow;

/** One column of the batch being assembled. */
export interface ColumnBuffer {
  /** Appends a null. */
  appendNull(): void;
  /** Number of values appended since the last {@linkcode ColumnBuffer.flush}. */
  readonly length: number;
  /** Returns the values appended so far as Arrow data and starts over. */
  flush(): Arrow.Data;
}

class Validity {
  bits: Uint8Array;
  nulls = 0;
  constructor(capacity: number) {
    this.bits = new Uint8Array(Math.ceil(capacity / 8) || 1);
  }
  set(index: number, valid: boolean) {
    if (index >> 3 >= this.bits.length) this.#grow(index);
    if (valid) this.bits[index >> 3] |= 1 << (index & 7);
    else this.nulls++;
  }
  #grow(index: number) {
    const bigger = new Uint8Array(Math.max(this.bits.length * 2, (index >> 3) + 1));
    bigger.set(this.bits);
    this.bits = bigger;
  }
  take(length: number): Uint8Array | undefined {
    const bits = this.nulls ? this.bits.slice(0, Math.ceil(length / 8)) : undefined;
    this.bits.fill(0);
    this.nulls = 0;
    return bits;
  }
}

/** Typed arrays a fixed-width column stores its values in. */
export type FixedStore =
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/** A typed-array constructor. */
export type FixedStoreCtor = new (length: number) => FixedStore;

abstract class BaseBuffer implements ColumnBuffer {
  length = 0;
  protected validity: Validity;
  constructor(protected arrow: ArrowModule, readonly type: Arrow.DataType, capacity: number) {
    this.validity = new Validity(capacity);
  }
  appendNull() {
    this.beforeNull(this.length);
    this.validity.set(this.length++, false);
  }
  protected beforeNull(_index: number) {}
  abstract flush(): Arrow.Data;
}

/** Fixed-width numbers stored in a typed array (ints, floats, dates, times, decimals). */
export class FixedBuffer extends BaseBuffer {
  #values: FixedStore;
  #words?: Uint32Array;
  constructor(
    arrow: ArrowModule,
    type: Arrow.DataType,
    private ctor: FixedStoreCtor,
    capacity: number,
    private stride = 1,
  ) {
    super(arrow, type, capacity);
    this.#values = new ctor(capacity * stride);
  }
  /** Appends one value: a bigint for 64-bit integer stores, a number otherwise. */
  append(value: number | bigint) {
    const index = this.length;
    if (index >= this.#values.length / this.stride) this.#grow();
    (this.#values as unknown as (number | bigint)[])[index] = value;
    this.validity.set(index, true);
    this.length++;
  }
  /**
   * Appends a safe integer to a 64-bit store without allocating a bigint: the two 32-bit halves
   * are written through a word view of the same memory (little-endian, two's complement).
   */
  appendInt64(value: number) {
    const index = this.length;
    if (index >= this.#values.length / this.stride) this.#grow();
    const words = this.#words ??= new Uint32Array(
      this.#values.buffer,
      this.#values.byteOffset,
      this.#values.length * 2,
    );
    const high = Math.floor(value / 4294967296);
    words[2 * index] = value - high * 4294967296;
    words[2 * index + 1] = high;
    this.validity.set(index, true);
    this.length++;
  }
  /** Marks the next slot valid and returns the store and its index, for multi-word values. */
  slot(): { values: FixedStore; index: number } {
    const index = this.length;
    if (index >= this.#values.length / this.stride) this.#grow();
    this.validity.set(index, true);
    this.length++;
    return { values: this.#values, index };
  }
  #grow() {
    const bigger = new this.ctor(this.#values.length * 2 || this.stride * 16);
    (bigger as Int32Array).set(this.#values as Int32Array);
    this.#values = bigger;
    this.#words = undefined;
  }
  flush(): Arrow.Data {
    const length = this.length;
    const nullCount = this.validity.nulls;
    const data = this.arrow.makeData({
      type: this.type as Arrow.Int,
      length,
      nullCount,
      nullBitmap: this.validity.take(length),
      data: this.#values.subarray(0, length * this.stride) as Int32Array,
    });
    // The batch keeps this array; the next batch gets a fresh one (no copy).
    this.#values = new this.ctor(this.#values.length);
    this.#words = undefined;
    this.length = 0;
    return data;
  }
}

/** Booleans packed into a bitmap. */
export class BoolBuffer extends BaseBuffer {
  #bits: Uint8Array;
  constructor(arrow: ArrowModule, capacity: number) {
    super(arrow, new arrow.Bool(), capacity);
    this.#bits = new Uint8Array(Math.ceil(capacity / 8) || 1);
  }
  append(value: boolean) {
    const index = this.length;
    if (index >> 3 >= this.#bits.length) {
      const bigger = new Uint8Array(this.#bits.length * 2);
      bigger.set(this.#bits);
      this.#bits = bigger;
    }
    if (value) this.#bits[index >> 3] |= 1 << (index & 7);
    this.validity.set(index, true);
    this.length++;
  }
  flush(): Arrow.Data {
    const length = this.length;
    const nullCount = this.validity.nulls;
    const data = this.arrow.makeData({
      type: this.type as Arrow.Bool,
      length,
      nullCount,
      nullBitmap: this.validity.take(length),
      data: this.#bits.slice(0, Math.ceil(length / 8)),
    });
    this.#bits.fill(0);
    this.length = 0;
    return data;
  }
}

const encoder = new TextEncoder();

/** Variable-length values (Utf8 text or Binary bytes): 32-bit offsets plus one byte buffer. */
export class BytesBuffer extends BaseBuffer {
  #offsets: Int32Array;
  #bytes: Uint8Array;
  #used = 0;
  constructor(arrow: ArrowModule, type: Arrow.Utf8 | Arrow.Binary, capacity: number) {
    super(arrow, type, capacity);
    this.#offsets = new Int32Array(capacity + 1);
    this.#bytes = new Uint8Array(capacity * 16 || 64);
  }
  #room(bytes: number) {
    if (this.length + 1 >= this.#offsets.length) {
      const bigger = new Int32Array(this.#offsets.length * 2);
      bigger.set(this.#offsets);
      this.#offsets = bigger;
    }
    if (this.#used + bytes > this.#bytes.length) {
      const bigger = new Uint8Array(Math.max(this.#bytes.length * 2, this.#used + bytes));
      bigger.set(this.#bytes.subarray(0, this.#used));
      this.#bytes = bigger;
    }
  }
  /** Appends text, encoded as UTF-8. */
  appendString(value: string) {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    this.#room(value.length * 3);
    const { written } = encoder.encodeInto(value, this.#bytes.subarray(this.#used));
    this.#push(written);
  }
  /** Appends `source[start..end)` as one value. */
  appendBytes(source: Uint8Array, start = 0, end = source.length) {
    const length = end - start;
    this.#room(length);
    const bytes = this.#bytes;
    const at = this.#used;
    // Short values (most) copy faster in a loop than through a subarray view.
    if (length < 48) { for (let i = 0; i < length; i++) bytes[at + i] = source[start + i]; }
    else bytes.set(source.subarray(start, end), at);
    this.#push(length);
  }
  #push(written: number) {
    this.#used += written;
    this.validity.set(this.length, true);
    this.#offsets[++this.length] = this.#used;
  }
  protected override beforeNull(index: number) {
    this.#room(0);
    this.#offsets[index + 1] = this.#used;
  }
  flush(): Arrow.Data {
    const length = this.length;
    const nullCount = this.validity.nulls;
    const data = this.arrow.makeData({
      type: this.type as Arrow.Utf8,
      length,
      nullCount,
      nullBitmap: this.validity.take(length),
      valueOffsets: this.#offsets.subarray(0, length + 1),
      data: this.#bytes.subarray(0, this.#used),
    });
    // The batch keeps these arrays; the next batch gets fresh ones sized like this one.
    this.#offsets = new Int32Array(this.#offsets.length);
    this.#bytes = new Uint8Array(this.#bytes.length);
    this.#used = 0;
    this.length = 0;
    return data;
  }
}

/** Any other type through Arrow's own builder (rare types such as lists of strings). */
export class BuilderBuffer extends BaseBuffer {
  #builder: Arrow.Builder;
  constructor(arrow: ArrowModule, type: Arrow.DataType, capacity: number) {
    super(arrow, type, capacity);
    this.#builder = arrow.makeBuilder({ type, nullValues: [null, undefined] });
  }
  append(value: unknown) {
    this.#builder.append(value);
    this.length++;
  }
  override appendNull() {
    this.#builder.append(null);
    this.length++;
  }
  flush(): Arrow.Data {
    const data = this.#builder.flush();
    this.length = 0;
    return data;
  }
}

/**
 * Growable Arrow column buffers filled straight from PostgreSQL's binary COPY fields. Arrow JS's
 * generic builders box every value; these write into typed arrays, so a 10-million-row table
 * costs a few typed-array copies per batch instead of millions of objects.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";

/** Arrow's data description, as `makeData` accepts it. */
export type ArrowModule = typeof Arrow;

const INITIAL_ROWS = 1024;

/** A validity bitmap that grows with the column. */
export class Validity {
  bits = new Uint8Array(INITIAL_ROWS >> 3);
  nulls = 0;

  /** Marks row `index` valid or null. */
  set(index: number, valid: boolean): void {
    if (index >> 3 >= this.bits.length) this.bits = grow(this.bits, (index >> 3) + 1);
    if (valid) this.bits[index >> 3] |= 1 << (index & 7);
    else this.nulls++;
  }

  /** The bitmap for `length` rows, or undefined when no row is null. */
  finish(length: number): Uint8Array | undefined {
    return this.nulls ? this.bits.slice(0, (length + 7) >> 3) : undefined;
  }

  /** Starts over at row 0, keeping the capacity (batches are usually the same size). */
  reset(): void {
    this.bits.fill(0);
    this.nulls = 0;
  }
}

/**
 * The NULL rows of a column's batch. Only NULLs are recorded (most values are not NULL), and the
 * Arrow validity bitmap (1 = valid) is made from them at the end, only for batches that have any.
 */
export class NullMask {
  bits = new Uint8Array(INITIAL_ROWS >> 3);
  nulls = 0;

  /** Marks row `index` NULL. */
  add(index: number): void {
    if (index >> 3 >= this.bits.length) this.bits = grow(this.bits, (index >> 3) + 1);
    this.bits[index >> 3] |= 1 << (index & 7);
    this.nulls++;
  }

  /** The validity bitmap of `length` rows, or undefined when no row is NULL. */
  finish(length: number): Uint8Array | undefined {
    if (!this.nulls) return undefined;
    const validity = new Uint8Array((length + 7) >> 3).fill(0xff);
    const known = Math.min(validity.length, this.bits.length);
    for (let i = 0; i < known; i++) validity[i] = ~this.bits[i];
    if (length & 7) validity[validity.length - 1] &= (1 << (length & 7)) - 1;
    return validity;
  }

  /** Starts over at row 0, keeping the capacity. */
  reset(): void {
    if (this.nulls) this.bits.fill(0);
    this.nulls = 0;
  }
}

/** Returns a copy of `array` with room for at least `needed` elements. */
export function grow<T extends Uint8Array | Int32Array | Float32Array | Float64Array | Int16Array>(
  array: T,
  needed: number,
): T {
  let size = Math.max(array.length * 2, 16);
  while (size < needed) size *= 2;
  const bigger = new (array.constructor as new (n: number) => T)(size);
  bigger.set(array);
  return bigger;
}

/** Variable-width values (utf8, binary): concatenated bytes plus int32 offsets. */
export class ByteColumn {
  bytes = new Uint8Array(64 * 1024);
  offsets = new Int32Array(INITIAL_ROWS + 1);
  end = 0;

  /** Appends `length` bytes of `source` from `start` as row `index`. */
  push(index: number, source: Uint8Array, start: number, length: number): void {
    this.reserve(length);
    const bytes = this.bytes;
    const end = this.end;
    if (length < 32) {
      for (let i = 0; i < length; i++) bytes[end + i] = source[start + i];
    } else {
      bytes.set(source.subarray(start, start + length), end);
    }
    this.end = end + length;
    this.close(index);
  }

  /** Makes room for `length` more bytes. */
  reserve(length: number): void {
    if (this.end + length > this.bytes.length) this.bytes = grow(this.bytes, this.end + length);
  }

  /** Ends row `index` at the current byte position (an empty or null value adds no bytes). */
  close(index: number): void {
    if (index + 2 > this.offsets.length) this.offsets = grow(this.offsets, index + 2);
    this.offsets[index + 1] = this.end;
  }

  finish(length: number): { valueOffsets: Int32Array; data: Uint8Array } {
    return {
      valueOffsets: this.offsets.slice(0, length + 1),
      data: this.bytes.slice(0, this.end),
    };
  }

  reset(): void {
    this.end = 0;
  }
}

/** Fixed-width values stored as 32-bit words (int64 and friends as two words, decimals four). */
export class WordColumn {
  words: Int32Array;

  constructor(readonly wordsPerValue: number) {
    this.words = new Int32Array(INITIAL_ROWS * wordsPerValue);
  }

  /** The word offset of row `index`, growing the buffer when needed. */
  slot(index: number): number {
    const at = index * this.wordsPerValue;
    if (at + this.wordsPerValue > this.words.length) {
      this.words = grow(this.words, at + this.wordsPerValue);
    }
    return at;
  }

  /** A copy of the first `length` values' words. */
  finish(length: number): Int32Array {
    return this.words.slice(0, length * this.wordsPerValue);
  }

  reset(): void {}
}

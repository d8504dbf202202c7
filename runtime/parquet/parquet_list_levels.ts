/**
 * Repetition and definition levels of a list column's page (see `columnOf` in parquet_leaf.ts
 * for what each level means), collected row by row from the Arrow list's offsets and validity
 * bitmaps while its elements' values go to the leaf's value encoder, and written as Parquet's
 * RLE/bit-packed hybrid (RLE runs only: levels of short lists change every few entries, and the
 * page is zstd-compressed anyway).
 *
 * @module
 */
import type * as arrow from "apache-arrow";
import type { ValueEncoder } from "./parquet_values.ts";

/** A list or an element that may not be null was null. */
export class NullInRequiredList extends Error {}

/** See the module doc. */
export class ListLevels {
  readonly #name: string;
  readonly #nullable: boolean;
  readonly #elementNullable: boolean;
  /** Definition level of an empty list; a null element is one more. */
  readonly #empty: number;
  /** Definition level of an element's value. */
  readonly #value: number;
  #repetition = new Uint8Array(1 << 10);
  #definition = new Uint8Array(1 << 10);
  /** Level entries of the page (one per element, one per null or empty list). */
  entries = 0;
  /** Entries that hold no value (null or empty lists, null elements). */
  nulls = 0;

  constructor(name: string, list: { nullable: boolean; elementNullable: boolean }) {
    this.#name = name;
    this.#nullable = list.nullable;
    this.#elementNullable = list.elementNullable;
    this.#empty = list.nullable ? 1 : 0;
    this.#value = this.#empty + 1 + (list.elementNullable ? 1 : 0);
  }

  /** Appends the levels of rows [from, to) of the list `data` and its elements' values. */
  append(data: arrow.Data, from: number, to: number, values: ValueEncoder): void {
    const offsets = data.valueOffsets as Int32Array;
    const child = data.children[0];
    const listNulls = data.nullCount > 0 ? data.nullBitmap : undefined;
    const elementNulls = child.nullCount > 0 ? child.nullBitmap : undefined;
    this.#reserve(offsets[to] - offsets[from] + (to - from));
    const repetition = this.#repetition;
    const definition = this.#definition;
    const value = this.#value;
    let at = this.entries;
    let nulls = this.nulls;
    // Elements of consecutive valid lists go to the encoder as one range.
    let runStart = offsets[from];
    let runEnd = runStart;
    for (let i = from; i < to; i++) {
      const start = offsets[i];
      const end = offsets[i + 1];
      if (listNulls && ((listNulls[(data.offset + i) >> 3] >> ((data.offset + i) & 7)) & 1) === 0) {
        if (!this.#nullable) throw this.#required("a list");
        repetition[at] = 0;
        definition[at++] = 0;
        nulls++;
        // A null list may still span elements (Arrow allows it): they are not written.
        if (end > start) {
          if (runEnd > runStart) values.append(child, runStart, runEnd);
          runStart = runEnd = end;
        }
        continue;
      }
      if (start !== runEnd) {
        if (runEnd > runStart) values.append(child, runStart, runEnd);
        runStart = start;
      }
      runEnd = end;
      if (end === start) {
        repetition[at] = 0;
        definition[at++] = this.#empty;
        nulls++;
        continue;
      }
      for (let j = start; j < end; j++) {
        repetition[at] = j === start ? 0 : 1;
        const bit = child.offset + j;
        if (elementNulls && ((elementNulls[bit >> 3] >> (bit & 7)) & 1) === 0) {
          if (!this.#elementNullable) throw this.#required("an element");
          definition[at++] = this.#empty + 1;
          nulls++;
        } else {
          definition[at++] = value;
        }
      }
    }
    if (runEnd > runStart) values.append(child, runStart, runEnd);
    this.entries = at;
    this.nulls = nulls;
  }

  /** The page's repetition then definition levels, each length-prefixed RLE runs. */
  encoded(): Uint8Array {
    const repetition = rleRuns(this.#repetition, this.entries);
    const definition = rleRuns(this.#definition, this.entries);
    const out = new Uint8Array(repetition.length + definition.length);
    out.set(repetition);
    out.set(definition, repetition.length);
    return out;
  }

  /** Starts the next page. */
  clear(): void {
    this.entries = 0;
    this.nulls = 0;
  }

  #reserve(extra: number): void {
    const needed = this.entries + extra;
    if (needed <= this.#definition.length) return;
    const size = Math.max(needed, this.#definition.length * 2);
    for (const which of ["rep", "def"] as const) {
      const old = which === "rep" ? this.#repetition : this.#definition;
      const grown = new Uint8Array(size);
      grown.set(old.subarray(0, this.entries));
      if (which === "rep") this.#repetition = grown;
      else this.#definition = grown;
    }
  }

  #required(what: string): Error {
    return new NullInRequiredList(
      `column "${this.#name}" is a list declared without nulls but a batch has a null ${what}`,
    );
  }
}

/**
 * `levels[0, count)` as RLE runs (each: ULEB128 of count << 1, then the level in one byte: the
 * levels here fit in two bits), preceded by the runs' byte length (4 bytes, little-endian).
 */
function rleRuns(levels: Uint8Array, count: number): Uint8Array {
  // At most two bytes per entry: a run of one takes two, a run of 64 or more at most six.
  const out = new Uint8Array(4 + 2 * count + 8);
  let at = 4;
  let i = 0;
  while (i < count) {
    const level = levels[i];
    let end = i + 1;
    while (end < count && levels[end] === level) end++;
    let header = (end - i) * 2;
    while (header >= 0x80) {
      out[at++] = (header & 0x7f) | 0x80;
      header = Math.floor(header / 128);
    }
    out[at++] = header;
    out[at++] = level;
    i = end;
  }
  new DataView(out.buffer).setUint32(0, at - 4, true);
  return out.subarray(0, at);
}

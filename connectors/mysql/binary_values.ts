/**
 * The binary protocol's value encodings (what a prepared statement's rows carry): how many bytes
 * each wire type takes, and each value's text-protocol form for the columns whose appender only
 * reads text (rare combinations, zero dates, TIME). Reading numbers and dates in binary costs the
 * server less than formatting them as text, and the client less than parsing that text back.
 *
 * @module
 */

/** How a column's values are laid out in a binary row, by the column definition's type code. */
export const enum WireKind {
  /** Length-encoded bytes: strings, DECIMAL, BIT, ENUM, SET, JSON, BLOB, GEOMETRY, ... */
  Bytes,
  Int8,
  Int16,
  Int32,
  Int64,
  Float32,
  Float64,
  /** DATE, DATETIME, TIMESTAMP: a length byte (0, 4, 7 or 11) and that many bytes. */
  DateTime,
  /** TIME: a length byte (0, 8 or 12) and that many bytes. */
  Time,
  /** The NULL type (a literal NULL column): no bytes; its bitmap bit is always set. */
  Null,
}

/** The wire kind of a MySQL column type code (see mysql2's constants/types.js). */
export function wireKind(columnType: number): WireKind {
  switch (columnType) {
    case 0x01: // TINY
      return WireKind.Int8;
    case 0x02: // SHORT
    case 0x0d: // YEAR
      return WireKind.Int16;
    case 0x03: // LONG
    case 0x09: // INT24, sent in 4 bytes
      return WireKind.Int32;
    case 0x08: // LONGLONG
      return WireKind.Int64;
    case 0x04: // FLOAT
      return WireKind.Float32;
    case 0x05: // DOUBLE
      return WireKind.Float64;
    case 0x07: // TIMESTAMP
    case 0x0a: // DATE
    case 0x0c: // DATETIME
    case 0x0e: // NEWDATE
      return WireKind.DateTime;
    case 0x0b: // TIME
      return WireKind.Time;
    case 0x06: // NULL
      return WireKind.Null;
    default:
      return WireKind.Bytes;
  }
}

/** Byte widths of the fixed-size kinds. */
export const FIXED_WIDTH: Record<WireKind, number> = {
  [WireKind.Bytes]: 0,
  [WireKind.Int8]: 1,
  [WireKind.Int16]: 2,
  [WireKind.Int32]: 4,
  [WireKind.Int64]: 8,
  [WireKind.Float32]: 4,
  [WireKind.Float64]: 8,
  [WireKind.DateTime]: 0,
  [WireKind.Time]: 0,
  [WireKind.Null]: 0,
};

/** A scratch area the text forms are written into (a value's text is at most a few dozen bytes). */
export class TextScratch {
  bytes = new Uint8Array(64);
  length = 0;
  write(text: string): void {
    this.length = 0;
    for (let i = 0; i < text.length; i++) this.bytes[this.length++] = text.charCodeAt(i);
  }
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

/** The 64-bit integer at `bytes[at..at+8)`, little-endian, as a bigint. */
export function readInt64(bytes: Uint8Array, at: number, unsigned: boolean): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, 8);
  return unsigned ? view.getBigUint64(0, true) : view.getBigInt64(0, true);
}

/**
 * The text form of a DATE/DATETIME/TIMESTAMP value whose length byte is at `at`, as the text
 * protocol sends it: `YYYY-MM-DD` for DATE, else with ` HH:MM:SS` and `decimals` fraction digits
 * (a zero-length value is the zero date).
 */
export function dateTimeText(
  bytes: Uint8Array,
  at: number,
  isDate: boolean,
  decimals: number,
): string {
  const length = bytes[at];
  const year = length >= 4 ? bytes[at + 1] | (bytes[at + 2] << 8) : 0;
  const month = length >= 4 ? bytes[at + 3] : 0;
  const day = length >= 4 ? bytes[at + 4] : 0;
  const date = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
  if (isDate) return date;
  const hms = length >= 7
    ? `${pad(bytes[at + 5], 2)}:${pad(bytes[at + 6], 2)}:${pad(bytes[at + 7], 2)}`
    : "00:00:00";
  return `${date} ${hms}${fractionText(length >= 11 ? uint32(bytes, at + 8) : 0, decimals)}`;
}

/** The text form of a TIME value whose length byte is at `at`: `[-]H+:MM:SS[.fraction]`. */
export function timeText(bytes: Uint8Array, at: number, decimals: number): string {
  const length = bytes[at];
  if (length < 8) return `00:00:00${fractionText(0, decimals)}`;
  const sign = bytes[at + 1] ? "-" : "";
  const hours = uint32(bytes, at + 2) * 24 + bytes[at + 6];
  const micros = length >= 12 ? uint32(bytes, at + 9) : 0;
  return `${sign}${pad(hours, 2)}:${pad(bytes[at + 7], 2)}:${pad(bytes[at + 8], 2)}${
    fractionText(micros, decimals)
  }`;
}

/** `.ffffff` cut to `decimals` digits (none for 0), as the text protocol prints fractions. */
function fractionText(micros: number, decimals: number): string {
  const digits = Math.min(decimals, 6);
  return digits > 0 ? `.${pad(micros, 6).slice(0, digits)}` : "";
}

/** The unsigned 32-bit little-endian integer at `at`. */
export function uint32(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16)) + bytes[at + 3] * 0x1000000;
}

/**
 * Decodes the binary protocol's result rows (a prepared statement's) straight into the column
 * sinks: numbers and dates are read from their fixed-size wire form without any text, strings and
 * decimals are handed over as the same bytes the text protocol would carry. A value whose column
 * has no binary appender (or a zero date, or TIME) goes through the column's text appender in its
 * text-protocol form, so both protocols give identical Arrow values.
 *
 * Row layout: a 0x00 header byte, a NULL bitmap of (columns + 9) / 8 bytes whose bit i + 2 marks
 * column i NULL, then each non-NULL value in its wire kind's encoding.
 *
 * @module
 */
import type { ColumnSink } from "./column_types.ts";
import {
  dateTimeText,
  readInt64,
  TextScratch,
  timeText,
  uint32,
  WireKind,
  wireKind,
} from "./binary_values.ts";
import { epochDays } from "./text_values.ts";

/** What a column definition tells about a result column (mysql2's ColumnDefinition). */
export interface WireColumn {
  columnType: number;
  flags: number;
  decimals: number;
}

const UNSIGNED_FLAG = 32;
const TWO_32 = 4294967296;

const floatBytes = new Uint8Array(8);
const floatView = new DataView(floatBytes.buffer);

/** The shortest decimal text that reads back as the same 32-bit float (what MySQL prints). */
function float32Text(value: number): string {
  for (let digits = 1; digits < 9; digits++) {
    const text = String(Number(value.toPrecision(digits)));
    if (Math.fround(Number(text)) === value) return text;
  }
  return String(value);
}

/** A row decoder for `columns` (in result order) into `sinks` (the same order). */
export function binaryRowDecoder(
  columns: WireColumn[],
  sinks: ColumnSink[],
): (bytes: Uint8Array, offset: number) => void {
  if (columns.length !== sinks.length) {
    throw new Error(`the server sent ${columns.length} columns, ${sinks.length} were selected`);
  }
  const count = columns.length;
  const kinds = columns.map((column) => wireKind(column.columnType));
  const unsigned = columns.map((column) => (column.flags & UNSIGNED_FLAG) !== 0);
  const isDate = columns.map((column) => column.columnType === 0x0a || column.columnType === 0x0e);
  const decimals = columns.map((column) => column.decimals);
  const nullBytes = (count + 9) >> 3;
  const scratch = new TextScratch();

  const appendText = (sink: ColumnSink, text: string) => {
    scratch.write(text);
    sink.append(scratch.bytes, 0, scratch.length);
  };
  const appendNumber = (sink: ColumnSink, value: number) => {
    if (sink.appendNumber) sink.appendNumber(value);
    else appendText(sink, String(value));
  };

  return (bytes, offset) => {
    const bitmap = offset + 1;
    let at = bitmap + nullBytes;
    for (let i = 0; i < count; i++) {
      const sink = sinks[i];
      const bit = i + 2;
      if (bytes[bitmap + (bit >> 3)] & (1 << (bit & 7))) {
        sink.buffer.appendNull();
        continue;
      }
      switch (kinds[i]) {
        case WireKind.Bytes: {
          const tag = bytes[at++];
          let length: number;
          if (tag < 0xfb) length = tag;
          else if (tag === 0xfc) {
            length = bytes[at] | (bytes[at + 1] << 8);
            at += 2;
          } else if (tag === 0xfd) {
            length = bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16);
            at += 3;
          } else {
            length = uint32(bytes, at) + uint32(bytes, at + 4) * TWO_32;
            at += 8;
          }
          sink.append(bytes, at, at + length);
          at += length;
          break;
        }
        case WireKind.Int8: {
          const value = bytes[at++];
          appendNumber(sink, unsigned[i] || value < 0x80 ? value : value - 0x100);
          break;
        }
        case WireKind.Int16: {
          const value = bytes[at] | (bytes[at + 1] << 8);
          at += 2;
          appendNumber(sink, unsigned[i] || value < 0x8000 ? value : value - 0x10000);
          break;
        }
        case WireKind.Int32: {
          const value = uint32(bytes, at);
          at += 4;
          appendNumber(sink, unsigned[i] || value < 0x80000000 ? value : value - TWO_32);
          break;
        }
        case WireKind.Int64: {
          const low = uint32(bytes, at);
          const high = uint32(bytes, at + 4);
          const signedHigh = unsigned[i] || high < 0x80000000 ? high : high - TWO_32;
          // Within +-2^53 the value is exact as a number; beyond, it goes as text (bigint).
          if (signedHigh >= -0x200000 && signedHigh < 0x200000 && sink.appendNumber) {
            sink.appendNumber(signedHigh * TWO_32 + low);
          } else appendText(sink, String(readInt64(bytes, at, unsigned[i])));
          at += 8;
          break;
        }
        case WireKind.Float32: {
          for (let b = 0; b < 4; b++) floatBytes[b] = bytes[at + b];
          at += 4;
          const value = floatView.getFloat32(0, true);
          if (sink.appendNumber) sink.appendNumber(value);
          else appendText(sink, float32Text(value));
          break;
        }
        case WireKind.Float64: {
          for (let b = 0; b < 8; b++) floatBytes[b] = bytes[at + b];
          at += 8;
          appendNumber(sink, floatView.getFloat64(0, true));
          break;
        }
        case WireKind.DateTime: {
          const length = bytes[at];
          const year = bytes[at + 1] | (bytes[at + 2] << 8);
          const month = bytes[at + 3];
          const day = bytes[at + 4];
          if (length >= 4 && year !== 0 && month !== 0 && day !== 0 && sink.appendDateTime) {
            let micros = 0;
            if (length >= 7) {
              micros = (bytes[at + 5] * 3600 + bytes[at + 6] * 60 + bytes[at + 7]) * 1_000_000;
              if (length >= 11) micros += uint32(bytes, at + 8);
            }
            sink.appendDateTime(epochDays(year, month, day), micros);
          } else appendText(sink, dateTimeText(bytes, at, isDate[i], decimals[i]));
          at += 1 + length;
          break;
        }
        case WireKind.Time: {
          appendText(sink, timeText(bytes, at, decimals[i]));
          at += 1 + bytes[at];
          break;
        }
        default: // WireKind.Null: always flagged in the bitmap
          sink.buffer.appendNull();
      }
    }
  };
}

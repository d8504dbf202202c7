/**
 * MySQL/MariaDB column types -> Arrow fields, and per column the code that appends one value as
 * the text protocol delivers it (numbers, strings, Buffers) to an Arrow column buffer. The
 * mapping is the table in README.md; change both together.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import { tableFailure } from "./mysql_errors.ts";
import { planTemporal } from "./temporal_columns.ts";
import {
  BoolBuffer,
  BuilderBuffer,
  BytesBuffer,
  type ColumnBuffer,
  FixedBuffer,
} from "../../mod.ts";
import { ascii, parseBigInt, parseSmallInt, writeDecimalWords } from "./text_values.ts";

type ArrowModule = typeof Arrow;

const decoder = new TextDecoder();

/** A column as information_schema.COLUMNS describes it. */
export interface ColumnInfo {
  name: string;
  /** DATA_TYPE, lower case: `int`, `decimal`, `datetime`, ... */
  dataType: string;
  /** COLUMN_TYPE, lower case: `int(10) unsigned`, `enum('a','b')`, `tinyint(1)`, ... */
  columnType: string;
  precision: number | null;
  scale: number | null;
  /** DATETIME_PRECISION: fractional-second digits. */
  fractionDigits: number | null;
  nullable: boolean;
  comment: string;
  /** True for binary string types (BINARY, VARBINARY, BLOB) and GEOMETRY. */
  binary: boolean;
}

/** How zero dates (`0000-00-00`, zero month or day) are read. */
export type ZeroDates = "null" | "error";

/** Choices the config makes about the mapping. */
export interface MappingOptions {
  zeroDates: ZeroDates;
  tinyint1AsBoolean: boolean;
}

/** Appends values of one column to its buffer. */
export interface ColumnSink {
  buffer: ColumnBuffer;
  /** Appends one non-null value: its text-protocol form, `bytes[start..end)`. */
  append(bytes: Uint8Array, start: number, end: number): void;
  /**
   * Appends a number the binary protocol sent (an integer, YEAR or floating-point wire type);
   * columns without it get the value's text form through `append`.
   */
  appendNumber?(value: number): void;
  /**
   * Appends a date or date-time the binary protocol sent (never a zero date): days since the
   * epoch and microseconds into that day; columns without it get the text form.
   */
  appendDateTime?(days: number, micros: number): void;
}

/** One column's Arrow field and how to fill it. */
export interface ColumnPlan {
  name: string;
  field: Arrow.Field;
  info: ColumnInfo;
  /** How a cursor value compares in SQL for this column (see cursorLiteral). */
  temporal: "date" | "datetime" | "none";
  /** Creates the buffer and appender for one read. */
  sink(capacity: number, table: string): ColumnSink;
}

/** Largest precision Arrow's Decimal128 (and DuckDB's DECIMAL) holds. */
export const MAX_DECIMAL128_PRECISION = 38;

const INTEGER_TYPES: Record<string, [bits: 8 | 16 | 32 | 64, unsignedBits: 8 | 16 | 32 | 64]> = {
  tinyint: [8, 8],
  smallint: [16, 16],
  mediumint: [32, 32],
  int: [32, 32],
  integer: [32, 32],
  bigint: [64, 64],
};

const TEXT_TYPES = new Set([
  "char",
  "varchar",
  "tinytext",
  "text",
  "mediumtext",
  "longtext",
  "json",
  "enum",
  "inet4",
  "inet6",
  "uuid",
]);

const BINARY_TYPES = new Set([
  "binary",
  "varbinary",
  "tinyblob",
  "blob",
  "mediumblob",
  "longblob",
  "geometry",
  "point",
  "linestring",
  "polygon",
  "multipoint",
  "multilinestring",
  "multipolygon",
  "geometrycollection",
]);

function intType(arrow: ArrowModule, bits: number, unsigned: boolean): Arrow.Int {
  switch (bits) {
    case 8:
      return unsigned ? new arrow.Uint8() : new arrow.Int8();
    case 16:
      return unsigned ? new arrow.Uint16() : new arrow.Int16();
    case 32:
      return unsigned ? new arrow.Uint32() : new arrow.Int32();
    default:
      return unsigned ? new arrow.Uint64() : new arrow.Int64();
  }
}

function intArray(bits: number, unsigned: boolean) {
  switch (bits) {
    case 8:
      return unsigned ? Uint8Array : Int8Array;
    case 16:
      return unsigned ? Uint16Array : Int16Array;
    default:
      return unsigned ? Uint32Array : Int32Array;
  }
}

/** Builds a column's plan from its Arrow type, its sink factory and how cursors compare. */
export type MakePlan = (
  type: Arrow.DataType,
  sink: (capacity: number, table: string) => ColumnSink,
  temporal?: ColumnPlan["temporal"],
) => ColumnPlan;

/** Builds the plan of one column. Unknown types are read as text (their exact rendering). */
export function planColumn(
  arrow: ArrowModule,
  info: ColumnInfo,
  options: MappingOptions,
): ColumnPlan {
  const make: MakePlan = (type, sink, temporal = "none") => ({
    name: info.name,
    info,
    field: new arrow.Field(info.name, type, true),
    temporal,
    sink,
  });
  const type = info.dataType;
  const unsigned = info.columnType.includes("unsigned");

  if (type === "tinyint" && info.columnType.startsWith("tinyint(1)") && options.tinyint1AsBoolean) {
    return make(new arrow.Bool(), (capacity, table) => {
      const buffer = new BoolBuffer(arrow, capacity);
      const appendNumber = (number: number) => {
        if (number !== 0 && number !== 1) {
          throw tableFailure(
            `table "${table}" column "${info.name}" is TINYINT(1) but holds ${number}, not 0 or 1`,
            "set tinyint1_as_boolean: false in the source config to read it as a number",
          );
        }
        buffer.append(number === 1);
      };
      return {
        buffer,
        append: (value, start, end) => appendNumber(parseSmallInt(value, start, end)),
        appendNumber,
      };
    });
  }
  if (type in INTEGER_TYPES) {
    const bits = INTEGER_TYPES[type][unsigned ? 1 : 0];
    const arrowType = intType(arrow, bits, unsigned);
    if (bits === 64) {
      return make(arrowType, (capacity) => {
        const buffer = unsigned
          ? new FixedBuffer(arrow, arrowType, BigUint64Array, capacity)
          : new FixedBuffer(arrow, arrowType, BigInt64Array, capacity);
        return {
          buffer,
          append: (value, start, end) =>
            end - start <= 15
              ? buffer.appendInt64(parseSmallInt(value, start, end))
              : buffer.append(parseBigInt(value, start, end)),
          // The binary reader hands over safe integers only (larger ones come as text).
          appendNumber: (value) => buffer.appendInt64(value),
        };
      });
    }
    return make(arrowType, (capacity) => {
      const buffer = new FixedBuffer(arrow, arrowType, intArray(bits, unsigned), capacity);
      return {
        buffer,
        append: (value, start, end) => buffer.append(parseSmallInt(value, start, end)),
        appendNumber: (value) => buffer.append(value),
      };
    });
  }
  if (type === "year") {
    const arrowType = new arrow.Int16();
    return make(arrowType, (capacity) => {
      const buffer = new FixedBuffer(arrow, arrowType, Int16Array, capacity);
      return {
        buffer,
        append: (value, start, end) => buffer.append(parseSmallInt(value, start, end)),
        appendNumber: (value) => buffer.append(value),
      };
    });
  }
  if (type === "decimal" && (info.precision ?? 0) <= MAX_DECIMAL128_PRECISION) {
    const scale = info.scale ?? 0;
    const arrowType = new arrow.Decimal(scale, info.precision ?? 10, 128);
    return make(arrowType, (capacity) => {
      const buffer = new FixedBuffer(arrow, arrowType, Uint32Array, capacity, 4);
      return {
        buffer,
        append(value, start, end) {
          const { values, index } = buffer.slot();
          writeDecimalWords(value, start, end, scale, values as Uint32Array, index * 4);
        },
      };
    });
  }
  if (type === "float" || type === "double") {
    const arrowType = type === "float" ? new arrow.Float32() : new arrow.Float64();
    return make(arrowType, (capacity) => {
      const buffer = type === "float"
        ? new FixedBuffer(arrow, arrowType, Float32Array, capacity)
        : new FixedBuffer(arrow, arrowType, Float64Array, capacity);
      return {
        buffer,
        append: (value, start, end) => buffer.append(Number(ascii(value, start, end))),
        appendNumber: (value) => buffer.append(value),
      };
    });
  }
  if (type === "bit") {
    if ((info.precision ?? 1) === 1) {
      return make(new arrow.Bool(), (capacity) => {
        const buffer = new BoolBuffer(arrow, capacity);
        return { buffer, append: (value, start) => buffer.append(value[start] !== 0) };
      });
    }
    const arrowType = new arrow.Uint64();
    return make(arrowType, (capacity) => {
      const buffer = new FixedBuffer(arrow, arrowType, BigUint64Array, capacity);
      return {
        buffer,
        append(value, start, end) {
          let bits = 0n;
          for (let i = start; i < end; i++) bits = (bits << 8n) | BigInt(value[i]);
          buffer.append(bits);
        },
      };
    });
  }
  const temporal = planTemporal(arrow, info, options, make);
  if (temporal) return temporal;
  if (type === "set") {
    const arrowType = new arrow.List(new arrow.Field("item", new arrow.Utf8(), true));
    return make(arrowType, (capacity) => {
      const buffer = new BuilderBuffer(arrow, arrowType, capacity);
      return {
        buffer,
        append: (value, start, end) =>
          buffer.append(end > start ? decoder.decode(value.subarray(start, end)).split(",") : []),
      };
    });
  }
  if (BINARY_TYPES.has(type) || (info.binary && !TEXT_TYPES.has(type))) {
    const arrowType = new arrow.Binary();
    return make(arrowType, (capacity) => {
      const buffer = new BytesBuffer(arrow, arrowType, capacity);
      return {
        buffer,
        append: (value, start, end) => buffer.appendBytes(value, start, end),
      };
    });
  }
  // Text, JSON, ENUM, DECIMAL above 38 digits (exact digits kept as text) and anything newer.
  const arrowType = new arrow.Utf8();
  return make(arrowType, (capacity) => {
    const buffer = new BytesBuffer(arrow, arrowType, capacity);
    return {
      buffer,
      // The connection's character set is utf8mb4: text arrives as UTF-8 bytes, copied as is.
      append: (value, start, end) => buffer.appendBytes(value, start, end),
    };
  });
}

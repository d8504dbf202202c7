/**
 * SQLite declared types -> column affinity (SQLite's rules, https://sqlite.org/datatype3.html
 * section 3.1) -> Arrow type, and per column the code that appends one value as node:sqlite
 * returns it (bigint, number, string, Uint8Array). A value whose storage class the column's Arrow
 * type cannot hold exactly fails the table with the row and the fix; nothing is dropped or
 * rounded silently. The mapping is the table in README.md; change both together.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import {
  BoolBuffer,
  BytesBuffer,
  type ColumnBuffer,
  ConnectorError,
  FixedBuffer,
} from "../../mod.ts";
import {
  appendText,
  parseDate,
  parseDateTime,
  smallWords,
  unscaled,
  words,
} from "./sqlite_values.ts";

type ArrowModule = typeof Arrow;

/** SQLite's five column affinities. */
export type Affinity = "INTEGER" | "TEXT" | "BLOB" | "REAL" | "NUMERIC";

/** The affinity of a declared type, by SQLite's rules applied in order. */
export function affinityOf(declared: string): Affinity {
  const type = declared.toUpperCase();
  if (type.includes("INT")) return "INTEGER";
  if (type.includes("CHAR") || type.includes("CLOB") || type.includes("TEXT")) return "TEXT";
  if (type.includes("BLOB") || type.trim() === "") return "BLOB";
  if (type.includes("REAL") || type.includes("FLOA") || type.includes("DOUB")) return "REAL";
  return "NUMERIC";
}

/** A value as node:sqlite returns it with big integers enabled. */
export type SqliteValue = bigint | number | string | Uint8Array;

/** Appends values of one column to its buffer. */
export interface ColumnSink {
  buffer: ColumnBuffer;
  /**
   * Appends one non-null value; `row` is for error messages: its position (1-based, in read
   * order), or its rowid for a sink made with `byRowid`.
   */
  append(value: SqliteValue, row: number | bigint): void;
}

/** One column's Arrow field and how to fill it. */
export interface ColumnPlan {
  name: string;
  declared: string;
  affinity: Affinity;
  field: Arrow.Field;
  /** True for the implicit rowid exposed as a column (config `rowid`). */
  rowid?: boolean;
  /** How cursor values compare in SQL (see select_sql.ts). */
  temporal: "date" | "datetime" | "none";
  /** A sink for `table`; `byRowid`: the rows passed to append() are rowids, not positions. */
  sink(capacity: number, table: string, byRowid?: boolean): ColumnSink;
}

function storageClass(value: SqliteValue): string {
  if (typeof value === "bigint") return "INTEGER";
  // Integers arrive as numbers too (bigints only beyond 2^53): tell them by their value.
  if (typeof value === "number") return Number.isInteger(value) ? "INTEGER" : "REAL";
  if (typeof value === "string") return "TEXT";
  return "BLOB";
}

function preview(value: SqliteValue): string {
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  const text = String(value);
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/** Where values are read: the table, and whether rows are named by rowid or by position. */
export interface ReadPlace {
  table: string;
  byRowid: boolean;
}

/** The error for a value its column cannot hold, with the fix in the message itself. */
export function mismatch(
  at: ReadPlace,
  plan: { name: string; declared: string },
  value: SqliteValue,
  row: number | bigint,
  arrowType: string,
): ConnectorError {
  const fix = `fix the value, declare the column with a type that fits its values, or read the ` +
    `table through a view that CASTs "${plan.name}"`;
  return new ConnectorError(
    `table "${at.table}" column "${plan.name}" (declared ${plan.declared || "without a type"}, ` +
      `read as ${arrowType}) holds the ${storageClass(value)} value ${preview(value)} in ${
        at.byRowid ? "the row with rowid" : "row"
      } ${row}, which ${arrowType} cannot hold exactly; ${fix}`,
    { hint: fix },
  );
}

const SAFE = 2n ** 53n;

const DECIMAL_TYPE = /^\s*(?:DECIMAL|NUMERIC)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/i;

const encoder = new TextEncoder();

/** Builds the plan of one column from its name and declared type. */
export function planColumn(arrow: ArrowModule, name: string, declared: string): ColumnPlan {
  const affinity = affinityOf(declared);
  const upper = declared.toUpperCase().trim();
  const make = (
    type: Arrow.DataType,
    appender: (buffer: ColumnBuffer, at: ReadPlace) => ColumnSink["append"],
    newBuffer: (capacity: number) => ColumnBuffer,
    temporal: ColumnPlan["temporal"] = "none",
  ): ColumnPlan => ({
    name,
    declared,
    affinity,
    field: new arrow.Field(name, type, true),
    temporal,
    sink(capacity, table, byRowid = false) {
      const buffer = newBuffer(capacity);
      return { buffer, append: appender(buffer, { table, byRowid }) };
    },
  });
  const plan = { name, declared };

  if (affinity === "INTEGER") {
    const type = new arrow.Int64();
    return make(type, (buffer, at) => (value, row) => {
      if (typeof value === "number" && Number.isSafeInteger(value)) {
        return (buffer as FixedBuffer).appendInt64(value);
      }
      if (typeof value === "bigint") return (buffer as FixedBuffer).append(value);
      throw mismatch(at, plan, value, row, "Int64");
    }, (capacity) => new FixedBuffer(arrow, type, BigInt64Array, capacity));
  }
  if (affinity === "TEXT" || (affinity === "BLOB" && upper === "")) {
    // TEXT affinity stores numbers as text already; a column without a type may hold any class:
    // integers and reals are kept as their exact decimal text. Blobs are not text: they fail.
    const type = new arrow.Utf8();
    return make(type, (buffer, at) => (value, row) => {
      if (typeof value === "string") return appendText(buffer as BytesBuffer, value);
      if (typeof value === "bigint" || typeof value === "number") {
        return (buffer as BytesBuffer).appendString(String(value));
      }
      throw mismatch(at, plan, value, row, "Utf8");
    }, (capacity) => new BytesBuffer(arrow, type, capacity));
  }
  if (affinity === "BLOB") {
    const type = new arrow.Binary();
    return make(type, (buffer, at) => (value, row) => {
      if (value instanceof Uint8Array) return (buffer as BytesBuffer).appendBytes(value);
      if (typeof value === "string") {
        return (buffer as BytesBuffer).appendBytes(encoder.encode(value));
      }
      throw mismatch(at, plan, value, row, "Binary");
    }, (capacity) => new BytesBuffer(arrow, type, capacity));
  }
  if (/^BOOL/.test(upper)) {
    return make(new arrow.Bool(), (buffer, at) => (value, row) => {
      if (value === 0 || value === 1 || value === 0n || value === 1n) {
        return (buffer as BoolBuffer).append(value == 1);
      }
      throw mismatch(at, plan, value, row, "Bool");
    }, (capacity) => new BoolBuffer(arrow, capacity));
  }
  if (upper === "DATE") {
    const type = new arrow.DateDay();
    return make(
      type,
      (buffer, at) => (value, row) => {
        const days = typeof value === "string" ? parseDate(value) : undefined;
        if (days === undefined) throw mismatch(at, plan, value, row, "Date32");
        (buffer as FixedBuffer).append(days);
      },
      (capacity) => new FixedBuffer(arrow, type, Int32Array, capacity),
      "date",
    );
  }
  if (/^(DATETIME|TIMESTAMP)/.test(upper)) {
    const type = new arrow.Timestamp(arrow.TimeUnit.MICROSECOND, null);
    return make(
      type,
      (buffer, at) => (value, row) => {
        const micros = typeof value === "string" ? parseDateTime(value) : undefined;
        if (micros === undefined) throw mismatch(at, plan, value, row, "Timestamp");
        if (typeof micros === "number") (buffer as FixedBuffer).appendInt64(micros);
        else (buffer as FixedBuffer).append(micros);
      },
      (capacity) => new FixedBuffer(arrow, type, BigInt64Array, capacity),
      "datetime",
    );
  }
  const decimal = DECIMAL_TYPE.exec(declared);
  if (decimal && Number(decimal[1]) >= 1 && Number(decimal[1]) <= 38) {
    const precision = Number(decimal[1]);
    const scale = Math.min(Number(decimal[2] ?? 0), precision);
    const type = new arrow.Decimal(scale, precision, 128);
    const limit = 10n ** BigInt(precision);
    const factor = 10 ** scale;
    const maxSafe = Math.min(Number.MAX_SAFE_INTEGER, 10 ** precision - 1);
    return make(type, (buffer, at) => (value, row) => {
      if (typeof value === "bigint" && value < SAFE && value > -SAFE) value = Number(value);
      if (
        typeof value === "number" && Number.isInteger(value) && Math.abs(value) <= maxSafe / factor
      ) {
        const { values, index } = (buffer as FixedBuffer).slot();
        return smallWords(value * factor, values as Uint32Array, index * 4);
      }
      if (typeof value === "number") {
        // Fast path: the scaled REAL is an exact safe integer that maps back to the same REAL.
        const scaled = Math.round(value * factor);
        if (Math.abs(scaled) <= maxSafe && scaled / factor === value) {
          const { values, index } = (buffer as FixedBuffer).slot();
          return smallWords(scaled, values as Uint32Array, index * 4);
        }
      }
      const digits = unscaled(value, scale);
      if (digits === undefined || digits >= limit || digits <= -limit) {
        throw mismatch(at, plan, value, row, `Decimal(${precision},${scale})`);
      }
      const { values, index } = (buffer as FixedBuffer).slot();
      words(digits, values as Uint32Array, index * 4);
    }, (capacity) => new FixedBuffer(arrow, type, Uint32Array, capacity, 4));
  }
  // REAL affinity, and NUMERIC without a more specific declared type: Float64.
  const type = new arrow.Float64();
  return make(type, (buffer, at) => (value, row) => {
    if (typeof value === "number") return (buffer as FixedBuffer).append(value);
    if (typeof value === "bigint" && value < SAFE && value > -SAFE) {
      return (buffer as FixedBuffer).append(Number(value));
    }
    throw mismatch(at, plan, value, row, "Float64");
  }, (capacity) => new FixedBuffer(arrow, type, Float64Array, capacity));
}

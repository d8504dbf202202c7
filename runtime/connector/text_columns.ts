/**
 * Builds Arrow record batches from the values web APIs return: text (CSV cells, JSON strings),
 * numbers, booleans, nested arrays and objects. Each value is parsed exactly for the declared
 * Arrow type (64-bit integers and decimals through BigInt, timestamps to the microsecond), and
 * a value that does not parse is an error naming the column, the row and the text, so a bad
 * cell fails its table instead of landing as null. Needs no runtime import: the caller passes
 * the Arrow module (`ctx.arrow`), so sandboxed connectors can use it too.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";

/** One cell as an API delivers it; `null`/`undefined` is SQL NULL. */
export type ApiValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | undefined
  | ApiValue[]
  | { [key: string]: ApiValue };

/** A value that does not fit its column's declared type. */
export class ValueParseError extends Error {
  constructor(readonly column: string, readonly row: number, text: string, expected: string) {
    super(
      `column "${column}", row ${row + 1}: cannot read ${
        JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}...` : text)
      } as ${expected}`,
    );
    this.name = "ValueParseError";
  }
}

const encoder = new TextEncoder();
const MICROS_PER_DAY = 86_400_000_000n;
const TIMESTAMP =
  /^(-?\d{4,})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/i;
const TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;

/** Microseconds since the epoch of an ISO-8601 / SQL timestamp text; undefined when invalid. */
export function parseTimestampMicros(text: string): bigint | undefined {
  const m = TIMESTAMP.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = "0", mi = "0", s = "0", fraction = "", zone] = m;
  const millis = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(millis) || Number(mo) > 12 || Number(d) > 31) return undefined;
  let micros = BigInt(millis) * 1000n + BigInt(fraction.padEnd(6, "0").slice(0, 6) || "0");
  if (zone && !/^(Z|UTC)$/i.test(zone)) {
    const sign = zone.startsWith("-") ? -1n : 1n;
    const digits = zone.slice(1).replace(":", "");
    const offsetMinutes = BigInt(Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0));
    micros -= sign * offsetMinutes * 60_000_000n;
  }
  return micros;
}

function parseTimeMicros(text: string): bigint | undefined {
  const m = TIME.exec(text.trim());
  if (!m) return undefined;
  const [, h, mi, s = "0", fraction = ""] = m;
  const seconds = BigInt(Number(h) * 3600 + Number(mi) * 60 + Number(s));
  return seconds * 1_000_000n + BigInt(fraction.padEnd(6, "0").slice(0, 6) || "0");
}

/** Parses a decimal text into its unscaled integer at `scale`; undefined when invalid. */
export function parseDecimal(text: string, scale: number): bigint | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m || (m[2] === "" && !m[3])) return undefined;
  const [, sign, whole, fraction = "", exponent = "0"] = m;
  let digits = whole + fraction;
  let shift = scale - fraction.length + Number(exponent);
  if (shift >= 0) digits += "0".repeat(shift);
  else {
    // More fractional digits than the scale: round half away from zero, as databases do.
    shift = -shift;
    const kept = digits.slice(0, Math.max(0, digits.length - shift)) || "0";
    const dropped = digits.slice(Math.max(0, digits.length - shift)).padStart(shift, "0");
    digits = (BigInt(kept) + (Number(dropped[0]) >= 5 ? 1n : 0n)).toString();
  }
  const value = BigInt(digits || "0");
  return sign === "-" ? -value : value;
}

type Cell = ApiValue;

function fail(field: Arrow.Field, row: number, value: Cell, expected: string): never {
  throw new ValueParseError(
    field.name,
    row,
    typeof value === "string"
      ? value
      : JSON.stringify(value, (_, v) => typeof v === "bigint" ? v.toString() : v),
    expected,
  );
}

function isNull(value: Cell): boolean {
  return value === null || value === undefined;
}

function validity(values: Cell[]): { nullBitmap?: Uint8Array; nullCount: number } {
  let nullCount = 0;
  for (const value of values) if (isNull(value)) nullCount++;
  if (!nullCount) return { nullCount };
  const nullBitmap = new Uint8Array((values.length + 7) >> 3);
  for (let i = 0; i < values.length; i++) {
    if (!isNull(values[i])) nullBitmap[i >> 3] |= 1 << (i & 7);
  }
  return { nullBitmap, nullCount };
}

function toBigInt(field: Arrow.Field, row: number, value: Cell): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  if (typeof value === "string" && /^\s*[+-]?\d+\s*$/.test(value)) return BigInt(value.trim());
  return fail(field, row, value, "an integer");
}

function toNumber(field: Arrow.Field, row: number, value: Cell): number {
  if (typeof value === "number") return value;
  if (typeof value === "string") {
    const text = value.trim();
    if (/^[+-]?(inf(inity)?)$/i.test(text)) return text.startsWith("-") ? -Infinity : Infinity;
    if (/^nan$/i.test(text)) return NaN;
    const number = Number(text);
    if (text !== "" && !Number.isNaN(number)) return number;
  }
  return fail(field, row, value, "a number");
}

function toBoolean(field: Arrow.Field, row: number, value: Cell): boolean {
  if (typeof value === "boolean") return value;
  const text = String(value).trim().toLowerCase();
  if (text === "true" || text === "1" || text === "t" || text === "yes") return true;
  if (text === "false" || text === "0" || text === "f" || text === "no") return false;
  return fail(field, row, value, "a boolean");
}

function toMicros(field: Arrow.Field, row: number, value: Cell): bigint {
  if (typeof value === "bigint") return value;
  const micros = typeof value === "string" ? parseTimestampMicros(value) : undefined;
  return micros ?? fail(field, row, value, "a timestamp");
}

function toStructured(field: Arrow.Field, row: number, value: Cell): Cell {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as Cell;
  } catch {
    return fail(field, row, value, "JSON");
  }
}

const SMALL_UINT = /^\d+$/;
const SMALL_DECIMAL = /^(\d+)(?:\.(\d*))?$/;
const textEncoder = new TextEncoder();

/** UTF-8 buffers of a text column: one encode for the whole column when it is ASCII. */
function utf8Buffers(values: Cell[]) {
  const valueOffsets = new Int32Array(values.length + 1);
  const parts: string[] = [];
  let chars = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!isNull(v)) {
      const text = typeof v === "string"
        ? v
        : JSON.stringify(v, (_, x) => typeof x === "bigint" ? x.toString() : x);
      parts.push(text);
      chars += text.length;
    }
    valueOffsets[i + 1] = chars;
  }
  const data = textEncoder.encode(parts.join(""));
  if (data.length === chars) return { valueOffsets, data };
  // Some text is not ASCII: character offsets are not byte offsets, encode value by value.
  return variableWidth(values, (v) =>
    encoder.encode(
      typeof v === "string"
        ? v
        : JSON.stringify(v, (_, x) => typeof x === "bigint" ? x.toString() : x),
    ));
}

function variableWidth(values: Cell[], bytesOf: (value: Cell, row: number) => Uint8Array) {
  const valueOffsets = new Int32Array(values.length + 1);
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    if (!isNull(values[i])) {
      const bytes = bytesOf(values[i], i);
      parts.push(bytes);
      total += bytes.length;
    }
    valueOffsets[i + 1] = total;
  }
  const data = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    data.set(part, at);
    at += part.length;
  }
  return { valueOffsets, data };
}

function base64Bytes(field: Arrow.Field, row: number, value: Cell): Uint8Array {
  if (value instanceof Uint8Array) return value;
  try {
    return Uint8Array.from(atob(String(value)), (c) => c.charCodeAt(0));
  } catch {
    return fail(field, row, value, "base64 bytes");
  }
}

function timeUnitFactor(arrow: typeof Arrow, unit: Arrow.TimeUnit): [bigint, bigint] {
  // [multiply, divide] turning microseconds into the unit.
  switch (unit) {
    case arrow.TimeUnit.SECOND:
      return [1n, 1_000_000n];
    case arrow.TimeUnit.MILLISECOND:
      return [1n, 1000n];
    case arrow.TimeUnit.NANOSECOND:
      return [1000n, 1n];
    default:
      return [1n, 1n];
  }
}

function buildData(
  arrow: typeof Arrow,
  field: Arrow.Field,
  values: Cell[],
  rowOffset: number,
): Arrow.Data {
  const type = field.type as Arrow.DataType;
  const n = values.length;
  const base = { type, length: n, ...validity(values) };
  const each = (fill: (value: Cell, row: number, i: number) => void) => {
    for (let i = 0; i < n; i++) if (!isNull(values[i])) fill(values[i], rowOffset + i, i);
  };
  // deno-lint-ignore no-explicit-any -- makeData's props are a union keyed by the type
  const make = (props: Record<string, unknown>) => arrow.makeData({ ...base, ...props } as any);
  switch (type.typeId) {
    case arrow.Type.Bool: {
      const data = new Uint8Array((n + 7) >> 3);
      each((v, row, i) => {
        if (toBoolean(field, row, v)) data[i >> 3] |= 1 << (i & 7);
      });
      return make({ data });
    }
    case arrow.Type.Int: {
      const int = type as Arrow.Int;
      if (int.bitWidth === 64) {
        const data = int.isSigned ? new BigInt64Array(n) : new BigUint64Array(n);
        const words = new Int32Array(data.buffer);
        each((v, row, i) => {
          // Small non-negative integers skip BigInt: two 32-bit words, little-endian.
          if (typeof v === "string" && v.length < 16 && SMALL_UINT.test(v)) {
            const number = Number(v);
            words[2 * i] = number % 4294967296;
            words[2 * i + 1] = Math.floor(number / 4294967296);
          } else data[i] = toBigInt(field, row, v);
        });
        return make({ data });
      }
      const data = new (int.ArrayType as Int32ArrayConstructor)(n);
      each((v, row, i) => data[i] = Number(toBigInt(field, row, v)));
      return make({ data });
    }
    case arrow.Type.Float: {
      const data = new ((type as Arrow.Float).ArrayType as Float64ArrayConstructor)(n);
      each((v, row, i) => data[i] = toNumber(field, row, v));
      return make({ data });
    }
    case arrow.Type.Decimal: {
      const decimal = type as Arrow.Decimal;
      const words = decimal.bitWidth / 32;
      const data = new Uint32Array(n * words);
      const factor = 10 ** decimal.scale;
      each((v, row, i) => {
        // Short non-negative texts skip BigInt: the unscaled value is an exact double.
        const small = typeof v === "string" && v.length <= 15 && SMALL_DECIMAL.exec(v);
        if (small && (small[2] ?? "").length <= decimal.scale && decimal.scale <= 15) {
          const unscaled = Number(small[1]) * factor +
            Number((small[2] ?? "").padEnd(decimal.scale, "0") || 0);
          if (unscaled <= Number.MAX_SAFE_INTEGER) {
            data[i * words] = unscaled % 4294967296;
            data[i * words + 1] = Math.floor(unscaled / 4294967296);
            return;
          }
        }
        const unscaled = typeof v === "bigint"
          ? v
          : parseDecimal(String(v), decimal.scale) ?? fail(field, row, v, "a decimal");
        let rest = BigInt.asUintN(decimal.bitWidth, unscaled);
        for (let w = 0; w < words; w++) {
          data[i * words + w] = Number(rest & 0xffffffffn);
          rest >>= 32n;
        }
      });
      return make({ data });
    }
    case arrow.Type.Utf8:
      return make(utf8Buffers(values));
    case arrow.Type.Binary:
      return make(variableWidth(values, (v, i) => base64Bytes(field, rowOffset + i, v)));
    case arrow.Type.Date: {
      const data = new Int32Array(n);
      each((v, row, i) => {
        const micros = typeof v === "string" ? parseTimestampMicros(v) : undefined;
        if (micros === undefined) fail(field, row, v, "a date");
        data[i] = Number(
          micros / MICROS_PER_DAY - (micros < 0n && micros % MICROS_PER_DAY ? 1n : 0n),
        );
      });
      return make({ data });
    }
    case arrow.Type.Timestamp: {
      const [mul, div] = timeUnitFactor(arrow, (type as Arrow.Timestamp).unit);
      const data = new BigInt64Array(n);
      each((v, row, i) => data[i] = toMicros(field, row, v) * mul / div);
      return make({ data });
    }
    case arrow.Type.Time: {
      const time = type as Arrow.Time;
      const [mul, div] = timeUnitFactor(arrow, time.unit);
      const parsed = (v: Cell, row: number) =>
        (typeof v === "string" ? parseTimeMicros(v) : undefined) ?? fail(field, row, v, "a time");
      if (time.bitWidth === 64) {
        const data = new BigInt64Array(n);
        each((v, row, i) => data[i] = parsed(v, row) * mul / div);
        return make({ data });
      }
      const data = new Int32Array(n);
      each((v, row, i) => data[i] = Number(parsed(v, row) * mul / div));
      return make({ data });
    }
    case arrow.Type.List: {
      const child = (type as Arrow.List).children[0];
      const lists = values.map((v, i) => isNull(v) ? v : toStructured(field, rowOffset + i, v));
      const valueOffsets = new Int32Array(n + 1);
      const items: Cell[] = [];
      lists.forEach((v, i) => {
        if (!isNull(v)) {
          if (!Array.isArray(v)) fail(field, rowOffset + i, v, "a list");
          items.push(...v);
        }
        valueOffsets[i + 1] = items.length;
      });
      return make({
        ...validity(lists),
        valueOffsets,
        child: buildData(arrow, child, items, 0),
      });
    }
    case arrow.Type.Struct: {
      const fields = (type as Arrow.Struct).children;
      const objects = values.map((v, i) =>
        isNull(v) ? v : toStructured(field, rowOffset + i, v)
      ) as (Record<string, Cell> | null)[];
      objects.forEach((v, i) => {
        if (!isNull(v) && (typeof v !== "object" || Array.isArray(v))) {
          fail(field, rowOffset + i, v, "a struct");
        }
      });
      return make({
        ...validity(objects),
        children: fields.map((f) =>
          buildData(arrow, f, objects.map((o) => o?.[f.name] ?? null), rowOffset)
        ),
      });
    }
    case arrow.Type.Map: {
      const entryType = (type as Arrow.Map_).children[0];
      const [keyField, valueField] = (entryType.type as Arrow.Struct).children;
      const maps = values.map((v, i) => isNull(v) ? v : toStructured(field, rowOffset + i, v));
      const valueOffsets = new Int32Array(n + 1);
      const keys: Cell[] = [];
      const vals: Cell[] = [];
      maps.forEach((v, i) => {
        if (!isNull(v)) {
          const pairs = Array.isArray(v)
            ? v.map((p) =>
              Array.isArray(p)
                ? p
                : [(p as Record<string, Cell>)?.key, (p as Record<string, Cell>)?.value]
            )
            : Object.entries(v as Record<string, Cell>);
          for (const [key, value] of pairs) {
            keys.push(key);
            vals.push(value);
          }
        }
        valueOffsets[i + 1] = keys.length;
      });
      const entries = arrow.makeData({
        type: entryType.type as Arrow.Struct,
        length: keys.length,
        nullCount: 0,
        children: [buildData(arrow, keyField, keys, 0), buildData(arrow, valueField, vals, 0)],
      });
      return make({ ...validity(maps), valueOffsets, child: entries });
    }
    default:
      throw new Error(
        `column "${field.name}": building ${type} columns from API values is not supported`,
      );
  }
}

/**
 * Builds one RecordBatch of `schema` from columns of API values (one array per schema field,
 * all of the same length). `rowOffset` numbers rows in errors (0-based rows of the whole read).
 *
 * @example
 * ```ts
 * import * as arrow from "apache-arrow";
 * import { batchFromValues } from "./text_columns.ts";
 * const schema = new arrow.Schema([
 *   new arrow.Field("id", new arrow.Int64()),
 *   new arrow.Field("price", new arrow.Decimal(2, 10, 128)),
 * ]);
 * const batch = batchFromValues(arrow, schema, [["1", "2"], ["9.99", null]]);
 * if (batch.numRows !== 2) throw new Error();
 * ```
 */
export function batchFromValues(
  arrow: typeof Arrow,
  schema: Arrow.Schema,
  columns: ApiValue[][],
  rowOffset = 0,
): Arrow.RecordBatch {
  const length = columns[0]?.length ?? 0;
  const children = schema.fields.map((field, i) => buildData(arrow, field, columns[i], rowOffset));
  const data = arrow.makeData({
    type: new arrow.Struct(schema.fields),
    length,
    nullCount: 0,
    children,
  });
  return new arrow.RecordBatch(schema, data);
}

/**
 * BigQuery table schemas -> Arrow, and BigQuery's row values (`{"f": [{"v": ...}]}`) -> plain
 * values for the Arrow builder. Types: INT64, NUMERIC/BIGNUMERIC with their precision and scale,
 * FLOAT64, BOOL, STRING, BYTES, DATE, DATETIME (no zone), TIME, TIMESTAMP (UTC), JSON and
 * GEOGRAPHY as text; REPEATED fields become lists, RECORD/STRUCT fields structs.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import type { ApiValue } from "../../mod.ts";

/** A field of a BigQuery table schema (tables.get, query responses). */
export interface BqField {
  name: string;
  type: string;
  mode?: "NULLABLE" | "REQUIRED" | "REPEATED";
  fields?: BqField[];
  description?: string;
  precision?: string;
  scale?: string;
}

function scalarType(arrow: typeof Arrow, field: BqField): Arrow.DataType {
  switch (field.type.toUpperCase()) {
    case "INTEGER":
    case "INT64":
      return new arrow.Int64();
    case "FLOAT":
    case "FLOAT64":
      return new arrow.Float64();
    case "BOOLEAN":
    case "BOOL":
      return new arrow.Bool();
    case "NUMERIC":
    case "DECIMAL":
      return new arrow.Decimal(Number(field.scale ?? 9), Number(field.precision ?? 38), 128);
    case "BIGNUMERIC":
    case "BIGDECIMAL": {
      const precision = Number(field.precision ?? 76);
      return new arrow.Decimal(Number(field.scale ?? 38), precision, precision > 38 ? 256 : 128);
    }
    case "BYTES":
      return new arrow.Binary();
    case "DATE":
      return new arrow.DateDay();
    case "DATETIME":
      return new arrow.TimestampMicrosecond();
    case "TIME":
      return new arrow.TimeMicrosecond();
    case "TIMESTAMP":
      return new arrow.TimestampMicrosecond("UTC");
    case "RECORD":
    case "STRUCT":
      return new arrow.Struct((field.fields ?? []).map((child) => arrowField(arrow, child)));
    default:
      // STRING, JSON, GEOGRAPHY, INTERVAL, RANGE: text.
      return new arrow.Utf8();
  }
}

/** Arrow field of a BigQuery field; REPEATED wraps the type in a list. */
export function arrowField(arrow: typeof Arrow, field: BqField): Arrow.Field {
  const type = scalarType(arrow, field);
  if (field.mode === "REPEATED") {
    return new arrow.Field(
      field.name,
      new arrow.List(new arrow.Field("element", type, false)),
      false,
    );
  }
  return new arrow.Field(field.name, type, field.mode !== "REQUIRED");
}

/** One cell as BigQuery sends it: `{"v": ...}`. */
export type BqCell = { v: unknown };

/**
 * Turns a cell into the builder's value: RECORD `{"f": [...]}` into an object, REPEATED
 * `[{"v": ...}]` into an array, TIMESTAMP (int64 microseconds with useInt64Timestamp) into a
 * bigint; everything else stays the string BigQuery sent.
 */
export function decodeCell(field: BqField, value: unknown, repeatedItem = false): ApiValue {
  if (value === null || value === undefined) return null;
  if (field.mode === "REPEATED" && !repeatedItem) {
    return (value as BqCell[]).map((item) => decodeCell(field, item.v, true));
  }
  const type = field.type.toUpperCase();
  if (type === "RECORD" || type === "STRUCT") {
    const cells = (value as { f: BqCell[] }).f;
    return Object.fromEntries(
      (field.fields ?? []).map((child, i) => [child.name, decodeCell(child, cells[i]?.v)]),
    );
  }
  if (type === "TIMESTAMP") {
    const text = String(value);
    // useInt64Timestamp gives microseconds; without it BigQuery sends float seconds.
    return /^-?\d+$/.test(text) ? BigInt(text) : BigInt(Math.round(Number(text) * 1e6));
  }
  return value as string;
}

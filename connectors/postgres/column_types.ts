/**
 * PostgreSQL column types -> how dvt reads them (the type-mapping table of the README). Domains
 * are resolved to their base type, enums read as text, arrays as lists of their element type.
 * Types without an Arrow equivalent are selected as `::text` (their PostgreSQL text form), so
 * nothing is dropped; the choice is visible in the schema as Utf8.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import type { ArrowModule } from "./column_builders.ts";
import { intervalType } from "./field_decoders.ts";

/** How a column's binary fields are decoded. */
export type ColumnKind =
  | "int16"
  | "int32"
  | "int64"
  | "float32"
  | "float64"
  | "bool"
  | "text"
  | "jsonb"
  | "uuid"
  | "bytea"
  | "date"
  | "time"
  | "timestamp"
  | "timestamptz"
  | "interval"
  | "decimal"
  | "list";

/** A column as dvt reads it. */
export interface ColumnPlan {
  name: string;
  kind: ColumnKind;
  /** The column's declared type, e.g. `numeric(12,2)` or `my_domain`. */
  declared: string;
  /** Select `"col"::text` instead of the column (types without an Arrow equivalent). */
  asText: boolean;
  precision?: number;
  scale?: number;
  element?: ColumnPlan;
  notNull: boolean;
  description?: string;
}

/** A pg_type row, resolved through domains by the catalog query. */
export interface PgType {
  oid: number;
  /** Base type name in pg_catalog (domains resolved), e.g. `int4`, `_text`. */
  name: string;
  /** `b` base, `e` enum, `c` composite, `r` range, `m` multirange, `p` pseudo. */
  kind: string;
  /** Type modifier of the base type (numeric precision/scale). */
  typmod: number;
  /** Element type of an array type, resolved the same way; undefined otherwise. */
  element?: PgType;
}

const BY_NAME: Record<string, ColumnKind> = {
  int2: "int16",
  int4: "int32",
  int8: "int64",
  oid: "int64",
  float4: "float32",
  float8: "float64",
  bool: "bool",
  text: "text",
  varchar: "text",
  bpchar: "text",
  name: "text",
  char: "text",
  json: "text",
  xml: "text",
  jsonb: "jsonb",
  uuid: "uuid",
  bytea: "bytea",
  date: "date",
  time: "time",
  timestamp: "timestamp",
  timestamptz: "timestamptz",
  interval: "interval",
  numeric: "decimal",
};

/** Precision and scale given to `numeric` without a declared precision (see README). */
export const UNCONSTRAINED_NUMERIC = { precision: 38, scale: 10 };

/** The widest decimal an Arrow Decimal128 (and DuckDB) holds. */
const MAX_DECIMAL_PRECISION = 38;

/** Plans how to read a column of type `type`. */
export function planColumn(
  name: string,
  type: PgType,
  declared: string,
  notNull: boolean,
  description?: string,
): ColumnPlan {
  const base = { name, declared, notNull, description, asText: false };
  if (type.element) {
    // An array column's typmod (numeric(10,2)[]) describes its elements.
    const elementType = type.typmod >= 0 ? { ...type.element, typmod: type.typmod } : type.element;
    const element = planColumn("item", elementType, type.element.name, false);
    // An array of a text-cast type is selected as text[] so its elements arrive as text.
    return { ...base, kind: "list", element, asText: element.asText };
  }
  if (type.kind === "e") return { ...base, kind: "text" };
  const kind = type.kind === "b" ? BY_NAME[type.name] : undefined;
  if (kind === "decimal") return { ...base, ...decimalShape(type.typmod) };
  if (kind) return { ...base, kind };
  return { ...base, kind: "text", asText: true };
}

/** numeric(p,s) -> Decimal(p,s); unconstrained -> Decimal(38,10); wider than 38 -> text. */
function decimalShape(typmod: number): Pick<ColumnPlan, "kind" | "precision" | "scale" | "asText"> {
  if (typmod < 4) return { kind: "decimal", ...UNCONSTRAINED_NUMERIC, asText: false };
  const precision = ((typmod - 4) >> 16) & 0xffff;
  // PostgreSQL 15 stores the scale as a signed 11-bit number (negative scales round left).
  let scale = (typmod - 4) & 0x7ff;
  if (scale & 0x400) scale -= 0x800;
  const digits = scale < 0 ? precision - scale : precision;
  if (digits > MAX_DECIMAL_PRECISION) return { kind: "text", asText: true };
  return { kind: "decimal", precision: digits, scale: Math.max(scale, 0), asText: false };
}

/** The Arrow type of a planned column. */
export function arrowType(arrow: ArrowModule, plan: ColumnPlan): Arrow.DataType {
  switch (plan.kind) {
    case "int16":
      return new arrow.Int16();
    case "int32":
      return new arrow.Int32();
    case "int64":
      return new arrow.Int64();
    case "float32":
      return new arrow.Float32();
    case "float64":
      return new arrow.Float64();
    case "bool":
      return new arrow.Bool();
    case "text":
    case "jsonb":
    case "uuid":
      return new arrow.Utf8();
    case "bytea":
      return new arrow.Binary();
    case "date":
      return new arrow.DateDay();
    case "time":
      return new arrow.TimeMicrosecond();
    case "timestamp":
      return new arrow.TimestampMicrosecond();
    case "timestamptz":
      return new arrow.TimestampMicrosecond("UTC");
    case "interval":
      return intervalType(arrow);
    case "decimal":
      return new arrow.Decimal(plan.scale!, plan.precision!, 128);
    case "list":
      return new arrow.List(new arrow.Field("item", arrowType(arrow, plan.element!), true));
  }
}

/** Arrow field of a planned column. */
export function arrowField(arrow: ArrowModule, plan: ColumnPlan): Arrow.Field {
  return new arrow.Field(plan.name, arrowType(arrow, plan), !plan.notNull);
}

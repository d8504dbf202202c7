/**
 * How each column DuckDB sniffs from a file becomes an Arrow field: the SQL expression that
 * selects it and the Arrow type of the result, nested types included (lists, structs, maps as
 * Arrow List, Struct and Map; UUID as a 16-byte fixed-size binary with the `arrow.uuid`
 * extension; JSON as UTF-8 with `arrow.json`; TIME WITH TIME ZONE as a UTC-adjusted time). Used
 * by discover(), read() and scanSql() alike, so the portable and the native path produce the
 * same columns and, in Parquet, the same types DuckDB itself writes.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import type { DuckDBType } from "@duckdb/node-api";
import { quoteIdentifier } from "../../mod.ts";

/** The value layout a column (or a nested value) is converted with (see batch_assembler.ts). */
export type ColumnKind =
  | "bool"
  | "number"
  | "bigint"
  | "decimal"
  | "utf8"
  | "binary"
  | "date"
  | "time_micros"
  | "time_nanos"
  | "time_tz"
  | "ts_seconds"
  | "ts_millis"
  | "ts_micros"
  | "ts_nanos"
  | "interval"
  | "uuid"
  | "list"
  | "struct"
  | "map";

/** How one value (a column or a nested child) is converted. */
export interface ValuePlan {
  kind: ColumnKind;
  type: Arrow.DataType;
  /** Arrow field metadata: extension names, `adjusted_to_utc` for TIME WITH TIME ZONE. */
  metadata?: Map<string, string>;
  /** List element; struct fields (in order); map key and value. */
  children?: { name: string; plan: ValuePlan }[];
}

/** One output column. */
export interface ColumnPlan extends ValuePlan {
  /** Column name as in the file. */
  name: string;
  /** DuckDB type as DuckDB prints it, e.g. `TIMESTAMP WITH TIME ZONE`. */
  duckdbType: string;
  /** SELECT expression producing the column (already aliased). */
  select: string;
}

// DuckDBTypeId values (stable in the C API); kept here so this file has no runtime import.
const ID = {
  BOOLEAN: 1,
  TINYINT: 2,
  SMALLINT: 3,
  INTEGER: 4,
  BIGINT: 5,
  UTINYINT: 6,
  USMALLINT: 7,
  UINTEGER: 8,
  UBIGINT: 9,
  FLOAT: 10,
  DOUBLE: 11,
  TIMESTAMP: 12,
  DATE: 13,
  TIME: 14,
  INTERVAL: 15,
  HUGEINT: 16,
  VARCHAR: 17,
  BLOB: 18,
  DECIMAL: 19,
  TIMESTAMP_S: 20,
  TIMESTAMP_MS: 21,
  TIMESTAMP_NS: 22,
  ENUM: 23,
  LIST: 24,
  STRUCT: 25,
  MAP: 26,
  UUID: 27,
  UNION: 28,
  TIME_TZ: 30,
  TIMESTAMP_TZ: 31,
  UHUGEINT: 32,
  ARRAY: 33,
  TIME_NS: 39,
} as const;

const EXTENSION = "ARROW:extension:name";

/** Arrow field metadata marking a canonical extension type. */
function extension(name: string): Map<string, string> {
  return new Map([[EXTENSION, name], ["ARROW:extension:metadata", ""]]);
}

/** The Arrow field for a planned value. */
export function fieldOf(
  arrow: typeof Arrow,
  name: string,
  plan: ValuePlan,
  nullable = true,
): Arrow.Field {
  return new arrow.Field(name, plan.type, nullable, plan.metadata);
}

// deno-lint-ignore no-explicit-any -- DuckDBType's subclasses carry their parts untyped here
type Parts = any;

function nested(arrow: typeof Arrow, type: DuckDBType): ValuePlan | undefined {
  const parts = type as Parts;
  switch (type.typeId as number) {
    case ID.LIST:
    case ID.ARRAY: {
      // DuckDB writes a fixed-size ARRAY to Parquet as a LIST; so does the Arrow path.
      const element = planValue(arrow, parts.valueType);
      if (!element) return undefined;
      return {
        kind: "list",
        type: new arrow.List(fieldOf(arrow, "element", element)),
        children: [{ name: "element", plan: element }],
      };
    }
    case ID.STRUCT: {
      const names: string[] = parts.entryNames;
      const children = names.map((name, i) => ({
        name,
        plan: planValue(arrow, parts.entryTypes[i]),
      }));
      if (!names.length || children.some((child) => !child.plan || !child.name)) return undefined;
      const fields = children.map((child) => fieldOf(arrow, child.name, child.plan!));
      return {
        kind: "struct",
        type: new arrow.Struct(fields),
        children: children as { name: string; plan: ValuePlan }[],
      };
    }
    case ID.MAP: {
      const key = planValue(arrow, parts.keyType);
      const value = planValue(arrow, parts.valueType);
      if (!key || !value) return undefined;
      const entries = new arrow.Struct([
        fieldOf(arrow, "key", key, false),
        fieldOf(arrow, "value", value),
      ]);
      return {
        kind: "map",
        type: new arrow.Map_(new arrow.Field("entries", entries, false)),
        children: [{ name: "key", plan: key }, { name: "value", plan: value }],
      };
    }
  }
  return undefined;
}

/**
 * Plans a value of a DuckDB type, or returns undefined when it has no faithful Arrow layout
 * here (HUGEINT, UNION, BIT, BIGNUM, ...), anywhere inside it.
 */
export function planValue(arrow: typeof Arrow, type: DuckDBType): ValuePlan | undefined {
  const plan = (kind: ColumnKind, arrowType: Arrow.DataType, metadata?: Map<string, string>) => ({
    kind,
    type: arrowType,
    metadata,
  });
  switch (type.typeId as number) {
    case ID.BOOLEAN:
      return plan("bool", new arrow.Bool());
    case ID.TINYINT:
      return plan("number", new arrow.Int8());
    case ID.SMALLINT:
      return plan("number", new arrow.Int16());
    case ID.INTEGER:
      return plan("number", new arrow.Int32());
    case ID.BIGINT:
      return plan("bigint", new arrow.Int64());
    case ID.UTINYINT:
      return plan("number", new arrow.Uint8());
    case ID.USMALLINT:
      return plan("number", new arrow.Uint16());
    case ID.UINTEGER:
      return plan("number", new arrow.Uint32());
    case ID.UBIGINT:
      return plan("bigint", new arrow.Uint64());
    case ID.FLOAT:
      return plan("number", new arrow.Float32());
    case ID.DOUBLE:
      return plan("number", new arrow.Float64());
    case ID.DECIMAL: {
      const { width, scale } = type as Parts;
      return plan("decimal", new arrow.Decimal(scale, width, 128));
    }
    case ID.VARCHAR:
      // DuckDB's JSON type is VARCHAR with the alias JSON; Parquet has a JSON logical type.
      return (type as Parts).alias === "JSON"
        ? plan("utf8", new arrow.Utf8(), extension("arrow.json"))
        : plan("utf8", new arrow.Utf8());
    case ID.ENUM:
      // DuckDB writes enums to Parquet as strings.
      return plan("utf8", new arrow.Utf8());
    case ID.BLOB:
      return plan("binary", new arrow.Binary());
    case ID.UUID:
      return plan("uuid", new arrow.FixedSizeBinary(16), extension("arrow.uuid"));
    case ID.DATE:
      return plan("date", new arrow.DateDay());
    case ID.TIME:
      return plan("time_micros", new arrow.TimeMicrosecond());
    case ID.TIME_NS:
      return plan("time_nanos", new arrow.TimeNanosecond());
    case ID.TIME_TZ:
      // Parquet stores it as a UTC-adjusted time, as DuckDB does (read back with offset +00).
      return plan("time_tz", new arrow.TimeMicrosecond(), new Map([["adjusted_to_utc", "true"]]));
    case ID.INTERVAL:
      // Parquet's INTERVAL is 12 bytes (months, days, milliseconds), as DuckDB writes it; the
      // writer marks the column INTERVAL (parquet-wasm cannot write Arrow intervals reliably).
      return plan("interval", new arrow.FixedSizeBinary(12), extension("dvt.parquet_interval"));
    case ID.TIMESTAMP:
      return plan("ts_micros", new arrow.TimestampMicrosecond());
    case ID.TIMESTAMP_S:
      return plan("ts_seconds", new arrow.TimestampSecond());
    case ID.TIMESTAMP_MS:
      return plan("ts_millis", new arrow.TimestampMillisecond());
    case ID.TIMESTAMP_NS:
      return plan("ts_nanos", new arrow.TimestampNanosecond());
    case ID.TIMESTAMP_TZ:
      return plan("ts_micros", new arrow.TimestampMicrosecond("UTC"));
  }
  return nested(arrow, type);
}

const HUGE_INTEGERS: readonly number[] = [ID.HUGEINT, ID.UHUGEINT];
const NESTED: readonly number[] = [ID.LIST, ID.STRUCT, ID.MAP, ID.UNION, ID.ARRAY];

/**
 * Plans one column from its DuckDB type. 128-bit integers become DECIMAL(38,0) (DuckDB would
 * write them to Parquet as DOUBLE, losing digits); values without an Arrow layout here (UNION,
 * BIT, BIGNUM, nested values containing one) are selected as text, nested ones as JSON.
 */
export function planColumn(arrow: typeof Arrow, name: string, type: DuckDBType): ColumnPlan {
  const column = quoteIdentifier(name);
  const base = { name, duckdbType: type.toString(), select: column };
  if (HUGE_INTEGERS.includes(type.typeId as number)) {
    return {
      ...base,
      select: `CAST(${column} AS DECIMAL(38, 0)) AS ${column}`,
      kind: "decimal",
      type: new arrow.Decimal(0, 38, 128),
    };
  }
  const planned = planValue(arrow, type);
  if (planned) return { ...base, ...planned };
  if (NESTED.includes(type.typeId as number)) {
    return {
      ...base,
      select: `to_json(${column}) AS ${column}`,
      kind: "utf8",
      type: new arrow.Utf8(),
      metadata: extension("arrow.json"),
    };
  }
  return {
    ...base,
    select: `CAST(${column} AS VARCHAR) AS ${column}`,
    kind: "utf8",
    type: new arrow.Utf8(),
  };
}

/** Suggests an incremental cursor: the first date/timestamp column named like `updated_at`. */
export function suggestCursor(columns: ColumnPlan[]): string | undefined {
  const temporal = columns.filter((c) => c.kind.startsWith("ts_") || c.kind === "date");
  const named = (pattern: RegExp) => temporal.find((c) => pattern.test(c.name));
  return (named(/updated|modified/i) ?? named(/_at$|_time$|timestamp/i))?.name;
}

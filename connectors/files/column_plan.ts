/**
 * How each column DuckDB sniffs from a file becomes an Arrow field: the SQL expression that
 * selects it (casting types Arrow batches here do not carry, such as nested JSON values, to
 * text) and the Arrow type of the result. Used by discover(), read() and scanSql() alike, so
 * the portable and the native path produce the same columns and types.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import type { DuckDBType } from "@duckdb/node-api";
import { quoteIdentifier } from "../../mod.ts";

/** The value layout a column is converted with (see chunk_to_arrow.ts). */
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
  | "ts_seconds"
  | "ts_millis"
  | "ts_micros"
  | "ts_nanos";

/** One output column. */
export interface ColumnPlan {
  /** Column name as in the file. */
  name: string;
  /** DuckDB type as DuckDB prints it, e.g. `TIMESTAMP WITH TIME ZONE`. */
  duckdbType: string;
  /** SELECT expression producing the column (already aliased). */
  select: string;
  kind: ColumnKind;
  type: Arrow.DataType;
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
  VARCHAR: 17,
  BLOB: 18,
  DECIMAL: 19,
  TIMESTAMP_S: 20,
  TIMESTAMP_MS: 21,
  TIMESTAMP_NS: 22,
  LIST: 24,
  STRUCT: 25,
  MAP: 26,
  UNION: 28,
  TIMESTAMP_TZ: 31,
  ARRAY: 33,
  TIME_NS: 39,
} as const;

const NESTED: readonly number[] = [ID.LIST, ID.STRUCT, ID.MAP, ID.UNION, ID.ARRAY];

/**
 * Plans one column from its DuckDB type. Types without a faithful Arrow layout here (nested
 * values, UUID, INTERVAL, HUGEINT, ENUM, ...) are selected as text: nested ones as JSON.
 */
export function planColumn(arrow: typeof Arrow, name: string, type: DuckDBType): ColumnPlan {
  const column = quoteIdentifier(name);
  const plan = (kind: ColumnKind, arrowType: Arrow.DataType): ColumnPlan => ({
    name,
    duckdbType: type.toString(),
    select: column,
    kind,
    type: arrowType,
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
      const { width, scale } = type as unknown as { width: number; scale: number };
      return plan("decimal", new arrow.Decimal(scale, width, 128));
    }
    case ID.VARCHAR:
      return plan("utf8", new arrow.Utf8());
    case ID.BLOB:
      return plan("binary", new arrow.Binary());
    case ID.DATE:
      return plan("date", new arrow.DateDay());
    case ID.TIME:
      return plan("time_micros", new arrow.TimeMicrosecond());
    case ID.TIME_NS:
      return plan("time_nanos", new arrow.TimeNanosecond());
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
    default: {
      const text = NESTED.includes(type.typeId as number)
        ? `CAST(to_json(${column}) AS VARCHAR)`
        : `CAST(${column} AS VARCHAR)`;
      return { ...plan("utf8", new arrow.Utf8()), select: `${text} AS ${column}` };
    }
  }
}

/** Suggests an incremental cursor: the first date/timestamp column named like `updated_at`. */
export function suggestCursor(columns: ColumnPlan[]): string | undefined {
  const temporal = columns.filter((c) => c.kind.startsWith("ts_") || c.kind === "date");
  const named = (pattern: RegExp) => temporal.find((c) => pattern.test(c.name));
  return (named(/updated|modified/i) ?? named(/_at$|_time$|timestamp/i))?.name;
}

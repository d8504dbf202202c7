/**
 * Unity Catalog column types -> Arrow types, from the Spark JSON type of each column
 * (`type_json`), nested types included: DECIMAL keeps precision and scale, TIMESTAMP is an
 * instant (UTC) while TIMESTAMP_NTZ is wall-clock time, ARRAY/STRUCT/MAP become List/Struct/Map.
 * These are the types the SQL Statement Execution API's ARROW_STREAM results carry.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import { ConnectorError } from "../../mod.ts";

/** A Spark SQL data type as JSON: a name, or a nested type object. */
export type SparkType =
  | string
  | { type: "array"; elementType: SparkType; containsNull?: boolean }
  | { type: "struct"; fields: SparkField[] }
  | { type: "map"; keyType: SparkType; valueType: SparkType; valueContainsNull?: boolean }
  | { type: "udt"; sqlType?: SparkType };

/** One Spark struct field. */
export interface SparkField {
  name: string;
  type: SparkType;
  nullable?: boolean;
}

/** Arrow type of a Spark type. */
export function arrowType(arrow: typeof Arrow, type: SparkType, column: string): Arrow.DataType {
  if (typeof type === "string") {
    const decimal = /^decimal\((\d+),\s*(\d+)\)$/.exec(type);
    if (decimal) return new arrow.Decimal(Number(decimal[2]), Number(decimal[1]), 128);
    switch (type) {
      case "boolean":
        return new arrow.Bool();
      case "byte":
        return new arrow.Int8();
      case "short":
        return new arrow.Int16();
      case "integer":
        return new arrow.Int32();
      case "long":
        return new arrow.Int64();
      case "float":
        return new arrow.Float32();
      case "double":
        return new arrow.Float64();
      case "date":
        return new arrow.DateDay();
      case "timestamp":
        return new arrow.TimestampMicrosecond("UTC");
      case "timestamp_ntz":
        return new arrow.TimestampMicrosecond();
      case "binary":
        return new arrow.Binary();
      case "decimal":
        return new arrow.Decimal(0, 10, 128);
      default:
        // string, char(n), varchar(n), interval types, variant: text.
        return new arrow.Utf8();
    }
  }
  switch (type.type) {
    case "array":
      return new arrow.List(
        new arrow.Field(
          "element",
          arrowType(arrow, type.elementType, column),
          type.containsNull ?? true,
        ),
      );
    case "struct":
      return new arrow.Struct(type.fields.map((field) => arrowField(arrow, field)));
    case "map":
      return new arrow.Map_(
        new arrow.Field(
          "entries",
          // deno-lint-ignore no-explicit-any -- Map_'s generic key/value typing cannot be inferred here
          new arrow.Struct<any>([
            new arrow.Field("key", arrowType(arrow, type.keyType, column), false),
            new arrow.Field(
              "value",
              arrowType(arrow, type.valueType, column),
              type.valueContainsNull ?? true,
            ),
          ]),
          false,
        ),
      );
    case "udt":
      return type.sqlType ? arrowType(arrow, type.sqlType, column) : new arrow.Utf8();
    default:
      throw new ConnectorError(
        `column "${column}" has an unknown Databricks type ${JSON.stringify(type)}`,
      );
  }
}

/** Arrow field of a Spark struct field. */
export function arrowField(arrow: typeof Arrow, field: SparkField): Arrow.Field {
  return new arrow.Field(
    field.name,
    arrowType(arrow, field.type, field.name),
    field.nullable ?? true,
  );
}

/** A Unity Catalog column (`GET /api/2.1/unity-catalog/tables`). */
export interface CatalogColumn {
  name: string;
  type_name?: string;
  type_text?: string;
  type_json?: string;
  type_precision?: number;
  type_scale?: number;
  nullable?: boolean;
  position?: number;
}

/** Arrow field of a catalog column: its `type_json`, else its type name, precision and scale. */
export function columnField(arrow: typeof Arrow, column: CatalogColumn): Arrow.Field {
  if (column.type_json) {
    const parsed = JSON.parse(column.type_json) as SparkField;
    return arrowField(arrow, {
      ...parsed,
      name: column.name,
      nullable: column.nullable ?? parsed.nullable,
    });
  }
  const name = (column.type_name ?? "STRING").toLowerCase();
  const spark: SparkType = name === "decimal"
    ? `decimal(${column.type_precision ?? 10},${column.type_scale ?? 0})`
    : ({ int: "integer", long: "long" } as Record<string, string>)[name] ?? name;
  return arrowField(arrow, { name: column.name, type: spark, nullable: column.nullable });
}

/**
 * How each Arrow column is stored by the direct writer: the Parquet physical type and
 * annotations (the same ones parquet-wasm writes plus those parquet_logical_types.ts adds, so a
 * column reads back in DuckDB with the same type either way) and how its values are encoded.
 * A list of such a type is stored as Parquet's three-level LIST (`<name>` LIST group, repeated
 * `list` group, the element leaf named as Arrow's child field, as parquet-wasm writes it).
 * Types without an entry here (structs, maps, lists of lists, dictionaries, intervals, float16,
 * ...) make the whole table go through parquet-wasm.
 *
 * @module
 */
import * as arrow from "apache-arrow";
import {
  ConvertedType,
  type GroupSchema,
  type LeafSchema,
  type LogicalType,
  PhysicalType,
  Repetition,
} from "./parquet_metadata.ts";
import { leafAnnotations } from "./parquet_logical_types.ts";

/** How a column's Arrow values become PLAIN Parquet values (see parquet_values.ts). */
export type ValueKind =
  | { kind: "int32" }
  | { kind: "int64"; signed: boolean }
  | { kind: "float32" | "float64" | "bool" | "bytes" | "largeBytes" }
  | { kind: "decimal"; width: number }
  | { kind: "fixed"; width: number };

/** One leaf column as the direct writer stores it. */
export interface Leaf {
  schema: LeafSchema;
  values: ValueKind;
}

/** A top-level column: its leaf, and when it is a list, how its levels are formed. */
export interface Column {
  leaf: Leaf;
  /** Schema elements of the column, depth first (a flat column: its leaf alone). */
  nodes: (GroupSchema | LeafSchema)[];
  /** For a list: whether the list and its elements may be null. */
  list?: { nullable: boolean; elementNullable: boolean };
}

type Shape = Omit<Leaf["schema"], "name" | "repetition"> & { values: ValueKind };

const int32 = { kind: "int32" } as const;
const int64 = { kind: "int64", signed: true } as const;

function integer(type: arrow.Int): Shape {
  const { bitWidth, isSigned } = type;
  const logicalType: LogicalType = { kind: "integer", bitWidth, signed: isSigned };
  if (bitWidth === 64) {
    return isSigned ? { physicalType: PhysicalType.INT64, values: int64 } : {
      physicalType: PhysicalType.INT64,
      convertedType: ConvertedType.UINT_64,
      logicalType,
      values: { kind: "int64", signed: false },
    };
  }
  if (bitWidth === 32 && isSigned) return { physicalType: PhysicalType.INT32, values: int32 };
  const converted = {
    8: [ConvertedType.INT_8, ConvertedType.UINT_8],
    16: [ConvertedType.INT_16, ConvertedType.UINT_16],
    32: [undefined, ConvertedType.UINT_32],
  }[bitWidth as 8 | 16 | 32][isSigned ? 0 : 1];
  return {
    physicalType: PhysicalType.INT32,
    convertedType: converted,
    logicalType,
    values: int32,
  };
}

/** Bytes of the smallest two's complement holding every value of `precision` digits. */
function decimalBytes(precision: number): number {
  return Math.ceil((Math.log2(10 ** precision) + 1) / 8);
}

function decimal(type: arrow.Decimal): Shape | undefined {
  if (type.bitWidth !== 128) return undefined;
  const { scale, precision } = type;
  const annotations = {
    convertedType: ConvertedType.DECIMAL,
    scale,
    precision,
    logicalType: { kind: "decimal", scale, precision } as const,
  };
  if (precision <= 9) {
    return {
      physicalType: PhysicalType.INT32,
      ...annotations,
      values: { kind: "decimal", width: 4 },
    };
  }
  if (precision <= 18) {
    return {
      physicalType: PhysicalType.INT64,
      ...annotations,
      values: { kind: "decimal", width: 8 },
    };
  }
  const width = decimalBytes(precision);
  return {
    physicalType: PhysicalType.FIXED_LEN_BYTE_ARRAY,
    typeLength: width,
    ...annotations,
    values: { kind: "decimal", width },
  };
}

const UNITS = {
  [arrow.TimeUnit.MILLISECOND]: "millis",
  [arrow.TimeUnit.MICROSECOND]: "micros",
  [arrow.TimeUnit.NANOSECOND]: "nanos",
} as const;

function timestamp(type: arrow.Timestamp): Shape {
  // Seconds have no Parquet unit: parquet-wasm stores them as plain INT64, and so does this.
  if (type.unit === arrow.TimeUnit.SECOND) {
    return { physicalType: PhysicalType.INT64, values: int64 };
  }
  const convertedType = {
    [arrow.TimeUnit.MILLISECOND]: ConvertedType.TIMESTAMP_MILLIS,
    [arrow.TimeUnit.MICROSECOND]: ConvertedType.TIMESTAMP_MICROS,
    [arrow.TimeUnit.NANOSECOND]: undefined,
  }[type.unit];
  return {
    physicalType: PhysicalType.INT64,
    convertedType,
    logicalType: { kind: "timestamp", utc: !!type.timezone, unit: UNITS[type.unit] },
    values: int64,
  };
}

/**
 * A time of day; UTC-adjusted when the field's metadata says `adjusted_to_utc` (TIME WITH TIME
 * ZONE from the files connector), which parquet-wasm honours too.
 */
function time(type: arrow.Time, field: arrow.Field): Shape {
  if (type.unit === arrow.TimeUnit.SECOND) {
    return { physicalType: PhysicalType.INT32, values: int32 };
  }
  const utc = field.metadata.get("adjusted_to_utc") === "true";
  const logicalType: LogicalType = { kind: "time", utc, unit: UNITS[type.unit] };
  if (type.unit === arrow.TimeUnit.MILLISECOND) {
    return {
      physicalType: PhysicalType.INT32,
      convertedType: ConvertedType.TIME_MILLIS,
      logicalType,
      values: int32,
    };
  }
  return {
    physicalType: PhysicalType.INT64,
    convertedType: type.unit === arrow.TimeUnit.MICROSECOND ? ConvertedType.TIME_MICROS : undefined,
    logicalType,
    values: int64,
  };
}

function shapeOf(field: arrow.Field): Shape | undefined {
  const { type } = field;
  const { Type } = arrow;
  switch (type.typeId) {
    case Type.Int:
      return integer(type as arrow.Int);
    case Type.Float: {
      const precision = (type as arrow.Float).precision;
      if (precision === arrow.Precision.SINGLE) {
        return { physicalType: PhysicalType.FLOAT, values: { kind: "float32" } };
      }
      if (precision === arrow.Precision.DOUBLE) {
        return { physicalType: PhysicalType.DOUBLE, values: { kind: "float64" } };
      }
      return undefined;
    }
    case Type.Decimal:
      return decimal(type as arrow.Decimal);
    case Type.Bool:
      return { physicalType: PhysicalType.BOOLEAN, values: { kind: "bool" } };
    case Type.Utf8:
    case Type.LargeUtf8:
      return {
        physicalType: PhysicalType.BYTE_ARRAY,
        convertedType: ConvertedType.UTF8,
        logicalType: { kind: "string" },
        values: { kind: type.typeId === Type.Utf8 ? "bytes" : "largeBytes" },
      };
    case Type.Binary:
    case Type.LargeBinary:
      return {
        physicalType: PhysicalType.BYTE_ARRAY,
        values: { kind: type.typeId === Type.Binary ? "bytes" : "largeBytes" },
      };
    case Type.FixedSizeBinary: {
      const width = (type as arrow.FixedSizeBinary).byteWidth;
      return {
        physicalType: PhysicalType.FIXED_LEN_BYTE_ARRAY,
        typeLength: width,
        values: { kind: "fixed", width },
      };
    }
    case Type.Date:
      // Date64 has no Parquet type of its own: parquet-wasm stores plain INT64, as does this.
      return (type as arrow.Date_).unit === arrow.DateUnit.DAY
        ? {
          physicalType: PhysicalType.INT32,
          convertedType: ConvertedType.DATE,
          logicalType: { kind: "date" },
          values: int32,
        }
        : { physicalType: PhysicalType.INT64, values: int64 };
    case Type.Timestamp:
      return timestamp(type as arrow.Timestamp);
    case Type.Time:
      return time(type as arrow.Time, field);
    default:
      return undefined;
  }
}

/** Applies the extension types parquet_logical_types.ts gives parquet-wasm's files. */
function annotate(shape: Shape, field: arrow.Field): Shape | undefined {
  const annotation = leafAnnotations([field])[0];
  if (!annotation) return shape;
  if (annotation === "json" && shape.physicalType === PhysicalType.BYTE_ARRAY) {
    return { ...shape, convertedType: ConvertedType.JSON, logicalType: { kind: "json" } };
  }
  if (annotation === "uuid" && shape.typeLength === 16) {
    return { ...shape, logicalType: { kind: "uuid" } };
  }
  if (annotation === "interval" && shape.typeLength === 12) {
    return { ...shape, convertedType: ConvertedType.INTERVAL };
  }
  return undefined;
}

/** How the direct writer stores `field`; undefined when it does not (parquet-wasm does). */
export function leafOf(field: arrow.Field): Leaf | undefined {
  const base = shapeOf(field);
  const shape = base && annotate(base, field);
  if (!shape) return undefined;
  const { values, ...schema } = shape;
  return {
    schema: {
      name: field.name,
      repetition: field.nullable ? Repetition.OPTIONAL : Repetition.REQUIRED,
      ...schema,
    },
    values,
  };
}

/**
 * How the direct writer stores the top-level `field`: a flat leaf, or a list of one (a list's
 * levels: definition 0 = null list, d = empty list, d + 1 = null element, d + 2 = element, where
 * d is 1 for a nullable list and 0 otherwise; repetition 1 for every element after a list's
 * first). Undefined when parquet-wasm stores it.
 */
export function columnOf(field: arrow.Field): Column | undefined {
  if (field.type.typeId !== arrow.Type.List) {
    const leaf = leafOf(field);
    return leaf && { leaf, nodes: [leaf.schema] };
  }
  const element = (field.type as arrow.List).children[0];
  const inner = element && leafOf(element);
  if (!inner) return undefined;
  const nullable = field.nullable;
  const elementNullable = element.nullable;
  const leaf: Leaf = {
    values: inner.values,
    schema: {
      ...inner.schema,
      path: [field.name, "list", element.name],
      maxDefinition: (nullable ? 1 : 0) + 1 + (elementNullable ? 1 : 0),
      maxRepetition: 1,
    },
  };
  const group: GroupSchema = {
    name: field.name,
    repetition: nullable ? Repetition.OPTIONAL : Repetition.REQUIRED,
    children: 1,
    convertedType: ConvertedType.LIST,
    logicalType: { kind: "list" },
  };
  const repeated: GroupSchema = { name: "list", repetition: Repetition.REPEATED, children: 1 };
  return { leaf, nodes: [group, repeated, leaf.schema], list: { nullable, elementNullable } };
}

/** Whether every column of `schema` is one the direct writer stores. */
export function directlyWritable(schema: arrow.Schema): boolean {
  return schema.fields.length > 0 &&
    schema.fields.every((field) => columnOf(field) !== undefined);
}

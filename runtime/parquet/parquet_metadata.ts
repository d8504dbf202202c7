/**
 * Parquet's page headers and footer (parquet.thrift: PageHeader, SchemaElement, ColumnMetaData,
 * RowGroup, FileMetaData) built as Thrift compact structs for {@linkcode encodeStruct}, with the
 * enum values the direct writer uses. Field ids are the ones parquet.thrift assigns.
 *
 * @module
 */
import { encodeStruct, type ThriftField, type ThriftStruct, TType } from "./thrift_compact.ts";

/** parquet.thrift `Type`. */
export const PhysicalType = {
  BOOLEAN: 0,
  INT32: 1,
  INT64: 2,
  FLOAT: 4,
  DOUBLE: 5,
  BYTE_ARRAY: 6,
  FIXED_LEN_BYTE_ARRAY: 7,
} as const;

/** parquet.thrift `ConvertedType`. */
export const ConvertedType = {
  UTF8: 0,
  LIST: 3,
  DECIMAL: 5,
  DATE: 6,
  TIME_MILLIS: 7,
  TIME_MICROS: 8,
  TIMESTAMP_MILLIS: 9,
  TIMESTAMP_MICROS: 10,
  UINT_8: 11,
  UINT_16: 12,
  UINT_32: 13,
  UINT_64: 14,
  INT_8: 15,
  INT_16: 16,
  JSON: 19,
  INTERVAL: 21,
} as const;

/** parquet.thrift `FieldRepetitionType`. */
export const Repetition = { REQUIRED: 0, OPTIONAL: 1, REPEATED: 2 } as const;

const Encoding = { PLAIN: 0, RLE: 3 } as const;
const CODEC_ZSTD = 6;
const DATA_PAGE = 0;

/** A Thrift field; `value` of an integer type may be a number or a bigint. */
function field(id: number, type: number, value: ThriftField["value"]): ThriftField {
  return { id, type, value };
}

const i32 = (id: number, value: number) => field(id, TType.I32, value);
const i64 = (id: number, value: number) => field(id, TType.I64, BigInt(value));
const bool = (id: number, value: boolean) => field(id, value ? TType.TRUE : TType.FALSE, value);
const binary = (id: number, value: Uint8Array) => field(id, TType.BINARY, value);
const text = (id: number, value: string) => binary(id, new TextEncoder().encode(value));
const struct = (id: number, fields: ThriftField[]) => field(id, TType.STRUCT, { fields });
const list = (id: number, elementType: number, items: ThriftField["value"][]) =>
  field(id, TType.LIST, { elementType, items });
const empty = (id: number) => struct(id, []);

/** parquet.thrift `LogicalType` (a union: one member set). */
export type LogicalType =
  | { kind: "string" | "date" | "json" | "uuid" | "float16" | "list" }
  | { kind: "decimal"; scale: number; precision: number }
  | { kind: "time" | "timestamp"; utc: boolean; unit: "millis" | "micros" | "nanos" }
  | { kind: "integer"; bitWidth: number; signed: boolean };

function logicalTypeStruct(logical: LogicalType): ThriftField {
  const unitIds = { millis: 1, micros: 2, nanos: 3 };
  switch (logical.kind) {
    case "string":
      return empty(1);
    case "list":
      return empty(3);
    case "decimal":
      return struct(5, [i32(1, logical.scale), i32(2, logical.precision)]);
    case "date":
      return empty(6);
    case "time":
    case "timestamp":
      return struct(logical.kind === "time" ? 7 : 8, [
        bool(1, logical.utc),
        struct(2, [empty(unitIds[logical.unit])]),
      ]);
    case "integer":
      return struct(10, [field(1, TType.BYTE, logical.bitWidth), bool(2, logical.signed)]);
    case "json":
      return empty(12);
    case "uuid":
      return empty(14);
    case "float16":
      return empty(15);
  }
}

/** One leaf column, as the footer's SchemaElement describes it. */
export interface LeafSchema {
  name: string;
  /** Names from the top-level field down to this leaf (a flat column: its name alone). */
  path?: string[];
  /** Highest definition level (default: 1 if OPTIONAL, else 0) and repetition level (0). */
  maxDefinition?: number;
  maxRepetition?: number;
  physicalType: number;
  /** Bytes per value of a FIXED_LEN_BYTE_ARRAY. */
  typeLength?: number;
  repetition: number;
  convertedType?: number;
  scale?: number;
  precision?: number;
  logicalType?: LogicalType;
}

/** A group of the schema (a list and its repeated `list` group), before its children. */
export interface GroupSchema {
  name: string;
  repetition: number;
  children: number;
  convertedType?: number;
  logicalType?: LogicalType;
}

/** A schema element: a group (its children follow it, depth first) or a leaf. */
export type SchemaNode = GroupSchema | LeafSchema;

function isGroup(node: SchemaNode): node is GroupSchema {
  return "children" in node;
}

function schemaElement(node: SchemaNode): ThriftStruct {
  if (isGroup(node)) {
    const fields = [i32(3, node.repetition), text(4, node.name), i32(5, node.children)];
    if (node.convertedType !== undefined) fields.push(i32(6, node.convertedType));
    if (node.logicalType) {
      fields.push(field(10, TType.STRUCT, { fields: [logicalTypeStruct(node.logicalType)] }));
    }
    return { fields };
  }
  const leaf = node;
  const fields = [i32(1, leaf.physicalType)];
  if (leaf.typeLength !== undefined) fields.push(i32(2, leaf.typeLength));
  fields.push(i32(3, leaf.repetition), text(4, leaf.name));
  if (leaf.convertedType !== undefined) fields.push(i32(6, leaf.convertedType));
  if (leaf.scale !== undefined) fields.push(i32(7, leaf.scale));
  if (leaf.precision !== undefined) fields.push(i32(8, leaf.precision));
  if (leaf.logicalType) {
    fields.push(field(10, TType.STRUCT, { fields: [logicalTypeStruct(leaf.logicalType)] }));
  }
  return { fields };
}

/** A data page (v1) header: PLAIN values, RLE levels; `values` counts level entries. */
export function dataPageHeader(
  values: number,
  uncompressedSize: number,
  compressedSize: number,
): Uint8Array {
  return encodeStruct({
    fields: [
      i32(1, DATA_PAGE),
      i32(2, uncompressedSize),
      i32(3, compressedSize),
      struct(5, [
        i32(1, values),
        i32(2, Encoding.PLAIN),
        i32(3, Encoding.RLE),
        i32(4, Encoding.RLE),
      ]),
    ],
  });
}

/** A column chunk's statistics: min and max in the column's sort order, as plain values. */
export interface ChunkStatistics {
  nullCount: number;
  min?: Uint8Array;
  max?: Uint8Array;
}

/** Where one column chunk of a row group lies in the file and what it holds. */
export interface ChunkMetadata {
  leaf: LeafSchema;
  values: number;
  offset: number;
  uncompressedSize: number;
  compressedSize: number;
  statistics: ChunkStatistics;
}

function columnChunk(chunk: ChunkMetadata): ThriftStruct {
  const { leaf, statistics } = chunk;
  const encodings = leaf.repetition === Repetition.OPTIONAL || leaf.maxRepetition
    ? [Encoding.PLAIN, Encoding.RLE]
    : [Encoding.PLAIN];
  const path = leaf.path ?? [leaf.name];
  const stats = [i64(3, statistics.nullCount)];
  if (statistics.max && statistics.min) {
    stats.push(binary(5, statistics.max), binary(6, statistics.min));
  }
  return {
    fields: [
      i64(2, chunk.offset),
      struct(3, [
        i32(1, leaf.physicalType),
        list(2, TType.I32, encodings),
        list(3, TType.BINARY, path.map((name) => new TextEncoder().encode(name))),
        i32(4, CODEC_ZSTD),
        i64(5, chunk.values),
        i64(6, chunk.uncompressedSize),
        i64(7, chunk.compressedSize),
        i64(9, chunk.offset),
        struct(12, stats),
      ]),
    ],
  };
}

/** One row group's columns, in schema order. */
export interface RowGroupMetadata {
  rows: number;
  columns: ChunkMetadata[];
}

function rowGroup(group: RowGroupMetadata, ordinal: number): ThriftStruct {
  const sum = (size: (chunk: ChunkMetadata) => number) =>
    group.columns.reduce((total, chunk) => total + size(chunk), 0);
  return {
    fields: [
      list(1, TType.STRUCT, group.columns.map(columnChunk)),
      i64(2, sum((chunk) => chunk.uncompressedSize)),
      i64(3, group.rows),
      i64(5, group.columns[0].offset),
      i64(6, sum((chunk) => chunk.compressedSize)),
      field(7, TType.I16, ordinal),
    ],
  };
}

/**
 * The footer: schema (root "arrow_schema" with `fields` top-level fields, then `nodes` depth
 * first), row groups, key-value metadata.
 */
export function fileMetadata(
  nodes: SchemaNode[],
  fields: number,
  groups: RowGroupMetadata[],
  keyValues: [string, string][],
): Uint8Array {
  const root = { fields: [text(4, "arrow_schema"), i32(5, fields)] };
  const leaves = nodes.filter((node) => !isGroup(node));
  const rows = groups.reduce((total, group) => total + group.rows, 0);
  const typeDefinedOrder = { fields: [empty(1)] };
  return encodeStruct({
    fields: [
      i32(1, 1),
      list(2, TType.STRUCT, [root, ...nodes.map(schemaElement)]),
      i64(3, rows),
      list(4, TType.STRUCT, groups.map(rowGroup)),
      list(
        5,
        TType.STRUCT,
        keyValues.map(([key, value]) => ({ fields: [text(1, key), text(2, value)] })),
      ),
      text(6, "dvt"),
      list(7, TType.STRUCT, leaves.map(() => typeDefinedOrder)),
    ],
  });
}

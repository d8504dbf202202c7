/**
 * Record batches crossing to the fold worker as their Arrow buffers (structured clone copies
 * them; the types come from the declared schema on the other side). Arrow IPC serialisation of a
 * micro-batch cost the receiving thread ~30 us per delivery and the worker as much to read back;
 * copying the buffers costs a memcpy. Dictionaries and view types (buffers outside the Data tree)
 * are not carried this way: {@linkcode wireable} says so and the caller uses IPC for them.
 *
 * @module
 */
import * as arrow from "apache-arrow";

/** One Data node: its position, counts, buffers (valueOffsets, values, nullBitmap, typeIds). */
export interface WireData {
  offset: number;
  length: number;
  nullCount: number;
  buffers: (ArrayBufferView | undefined)[];
  children: WireData[];
}

/** Whether batches of `schema` can cross as {@linkcode WireData}. */
export function wireable(schema: arrow.Schema): boolean {
  return schema.fields.every((field) => plain(field.type));
}

function plain(type: arrow.DataType): boolean {
  const { Type } = arrow;
  switch (type.typeId) {
    case Type.Dictionary:
    case Type.Utf8View:
    case Type.BinaryView:
      return false;
    default:
      return type.children?.every((child: arrow.Field) => plain(child.type)) ?? true;
  }
}

/** A batch's data tree as buffers. */
export function batchToWire(batch: arrow.RecordBatch): WireData {
  return dataToWire(batch.data);
}

/** The batch {@linkcode batchToWire} took apart, typed by `schema`. */
export function batchFromWire(schema: arrow.Schema, wire: WireData): arrow.RecordBatch {
  const data = dataFromWire(new arrow.Struct(schema.fields), wire);
  return new arrow.RecordBatch(schema, data as arrow.Data<arrow.Struct>);
}

function dataToWire(data: arrow.Data): WireData {
  return {
    offset: data.offset,
    length: data.length,
    nullCount: data.nullCount,
    buffers: [data.valueOffsets, data.values, data.nullBitmap, data.typeIds],
    children: data.children.map(dataToWire),
  };
}

function dataFromWire(type: arrow.DataType, wire: WireData): arrow.Data {
  const children = wire.children.map((child, i) =>
    dataFromWire((type.children[i] as arrow.Field).type, child)
  );
  const [valueOffsets, values, nullBitmap, typeIds] = wire.buffers;
  return new arrow.Data(
    type,
    wire.offset,
    wire.length,
    wire.nullCount,
    [valueOffsets, values, nullBitmap, typeIds] as never,
    children,
  );
}

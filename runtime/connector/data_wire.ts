/**
 * Arrow data crossing between threads as its buffers: the Data tree as plain objects that
 * postMessage can clone (a memcpy) or transfer (no copy), typed again by the declared schema on
 * the other side. Arrow IPC of a small batch cost each side ~30 us (dvt serve's folds), and a
 * connector's reader thread moves whole column buffers without copying. Dictionaries and view
 * types (buffers outside the Data tree) are not carried this way: {@linkcode wireable} says so
 * and the caller uses IPC for them.
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

/**
 * `data` as plain buffers. With `transfer`, the memory the buffers own is added to it, to be
 * moved to the other thread without a copy (leave it out for buffers that are still in use here,
 * e.g. ones an Arrow builder may reuse: postMessage then copies them).
 */
export function dataToWire(data: arrow.Data, transfer?: Set<ArrayBuffer>): WireData {
  const buffers = [data.valueOffsets, data.values, data.nullBitmap, data.typeIds];
  if (transfer) {
    for (const buffer of buffers) if (buffer) transfer.add(buffer.buffer as ArrayBuffer);
  }
  return {
    offset: data.offset,
    length: data.length,
    nullCount: data.nullCount,
    buffers,
    children: data.children.map((child) => dataToWire(child, transfer)),
  };
}

/**
 * `data` with every buffer copied into one `ArrayBuffer` (each at an 8-byte aligned offset), to be
 * transferred and, once the other side is done with it, handed back and reused: the caller's
 * data stays usable and only the bytes its views cover cross. Cloning a view instead copies its
 * whole underlying buffer (decoded Arrow IPC shares one buffer per message among all columns: a
 * 100,000-row Databricks chunk cost 6 MB per column view), and fresh buffers for each batch cost
 * more in page faults than the copy itself (measured: 80 MB in 145-510 ms fresh, 11-17 ms reused).
 * `bufferFor` returns a buffer of at least the bytes asked for (a spare one, or a new one).
 */
export function packDataToWire(
  data: arrow.Data,
  bufferFor: (bytes: number) => ArrayBuffer,
): { wire: WireData; buffer: ArrayBuffer } {
  const aligned = (bytes: number) => Math.ceil(bytes / 8) * 8;
  let total = 0;
  const measure = (node: arrow.Data): void => {
    for (const view of buffersOf(node)) if (view) total += aligned(view.byteLength);
    node.children.forEach(measure);
  };
  measure(data);
  const buffer = bufferFor(total);
  const bytes = new Uint8Array(buffer);
  let at = 0;
  const place = (view: ArrayBufferView | undefined) => {
    if (!view) return undefined;
    bytes.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength), at);
    const Kind = view.constructor as new (b: ArrayBuffer, o: number, l: number) => ArrayBufferView;
    const width = (view as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
    const placed = new Kind(buffer, at, view.byteLength / width);
    at += aligned(view.byteLength);
    return placed;
  };
  const pack = (node: arrow.Data): WireData => ({
    offset: node.offset,
    length: node.length,
    nullCount: node.nullCount,
    buffers: buffersOf(node).map(place),
    children: node.children.map(pack),
  });
  return { wire: pack(data), buffer };
}

function buffersOf(data: arrow.Data): (ArrayBufferView | undefined)[] {
  return [data.valueOffsets, data.values, data.nullBitmap, data.typeIds];
}

/** The Arrow data of `type` that {@linkcode dataToWire} described. */
export function dataFromWire(type: arrow.DataType, wire: WireData): arrow.Data {
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

/**
 * Arrow values crossing the sandbox boundary: schemas and record batches travel as Arrow IPC
 * stream bytes, whose buffers are transferred (not copied) with postMessage.
 *
 * @module
 */
import * as arrow from "apache-arrow";

/** Serialises a record batch to IPC stream bytes. */
export function batchToIpc(batch: arrow.RecordBatch): Uint8Array {
  return arrow.tableToIPC(new arrow.Table(batch), "stream");
}

/** Reads the single record batch of an IPC stream produced by {@linkcode batchToIpc}. */
export function batchFromIpc(bytes: Uint8Array): arrow.RecordBatch {
  const table = arrow.tableFromIPC(bytes);
  if (table.batches.length !== 1) {
    throw new Error(`expected one record batch per message, got ${table.batches.length}`);
  }
  return table.batches[0];
}

/** Serialises a schema as an IPC stream of zero batches. */
export function schemaToIpc(schema: arrow.Schema): Uint8Array {
  return arrow.tableToIPC(new arrow.Table(schema), "stream");
}

/** Reads a schema serialised by {@linkcode schemaToIpc}. */
export function schemaFromIpc(bytes: Uint8Array): arrow.Schema {
  return arrow.tableFromIPC(bytes).schema;
}

/** One flat column's buffers, copied out of the connector's batch. */
export interface WireColumn {
  offset: number;
  length: number;
  nullCount: number;
  data?: Uint8Array;
  nullBitmap?: Uint8Array;
  valueOffsets?: Uint8Array;
}

/**
 * A batch of flat columns (no children, no dictionaries) as its buffers: much cheaper than IPC
 * serialisation, which costs more than building the batch for simple tables. The schema travels
 * only when it differs from the previous batch's of the same read.
 */
export interface FlatBatch {
  schemaIpc?: Uint8Array;
  length: number;
  columns: WireColumn[];
}

/** A batch on the wire: IPC stream bytes, or the buffers of a flat batch. */
export type WireBatch = { ipc: Uint8Array; flat?: undefined } | {
  flat: FlatBatch;
  ipc?: undefined;
};

function isFlat(type: arrow.DataType): boolean {
  return !arrow.DataType.isDictionary(type) && (type.children?.length ?? 0) === 0;
}

function sameMetadata(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([key, value]) => b.get(key) === value);
}

/**
 * Whether two schemas of flat columns would serialise alike: names, types, nullability and
 * metadata. (Arrow's RecordBatch constructor makes a new Schema object for every batch, so
 * identity says nothing.)
 */
function sameSchema(a: arrow.Schema, b: arrow.Schema): boolean {
  return a === b || (arrow.util.compareSchemas(a, b) && sameMetadata(a.metadata, b.metadata) &&
    a.fields.every((field, i) => sameMetadata(field.metadata, b.fields[i].metadata)));
}

/**
 * Encodes a batch for postMessage, with the buffers to transfer. `previousSchema` is the schema
 * of the read's previous batch: an equal one is not sent again. Buffers are copied first:
 * the connector keeps its own (it may yield the same batch again).
 */
export function encodeBatch(
  batch: arrow.RecordBatch,
  previousSchema?: arrow.Schema,
): [WireBatch, ArrayBuffer[]] {
  if (!batch.schema.fields.every((field) => isFlat(field.type)) || batch.data.offset !== 0) {
    const ipc = batchToIpc(batch);
    return [{ ipc }, [ipc.buffer as ArrayBuffer]];
  }
  const transfer: ArrayBuffer[] = [];
  // Bytes into a fresh buffer with set(): several times cheaper than TypedArray#slice here; the
  // host reads them back as the column's type (makeData reinterprets any ArrayBufferView).
  const copy = (view: ArrayBufferView | undefined): Uint8Array | undefined => {
    if (!view || view.byteLength === 0) return undefined;
    const copied = new Uint8Array(view.byteLength);
    copied.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
    transfer.push(copied.buffer);
    return copied;
  };
  const columns = batch.data.children.map((data): WireColumn => ({
    offset: data.offset,
    length: data.length,
    nullCount: data.nullCount,
    data: copy(data.values as ArrayBufferView | undefined),
    nullBitmap: copy(data.nullBitmap),
    valueOffsets: copy(data.valueOffsets as ArrayBufferView | undefined),
  }));
  const flat: FlatBatch = { length: batch.numRows, columns };
  if (!previousSchema || !sameSchema(batch.schema, previousSchema)) {
    flat.schemaIpc = schemaToIpc(batch.schema);
    transfer.push(flat.schemaIpc.buffer as ArrayBuffer);
  }
  return [{ flat }, transfer];
}

/**
 * Decodes what {@linkcode encodeBatch} produced; a flat batch without a schema has
 * `previousSchema`, the schema of the read's previous batch. Throws on a malformed batch.
 */
export function decodeBatch(wire: WireBatch, previousSchema?: arrow.Schema): arrow.RecordBatch {
  if (wire.ipc) return batchFromIpc(wire.ipc);
  const { schemaIpc, length, columns } = wire.flat!;
  const schema = schemaIpc ? schemaFromIpc(schemaIpc) : previousSchema;
  if (!schema) throw new Error("a flat batch without a schema");
  if (columns.length !== schema.fields.length || !schema.fields.every((f) => isFlat(f.type))) {
    throw new Error("a flat batch whose columns do not match its schema");
  }
  const children = schema.fields.map((field, index) => {
    const column = columns[index];
    return arrow.makeData(
      {
        type: field.type,
        offset: column.offset,
        length: column.length,
        nullCount: column.nullCount,
        data: column.data,
        nullBitmap: column.nullBitmap,
        valueOffsets: column.valueOffsets,
      } as unknown as Parameters<typeof arrow.makeData>[0],
    );
  });
  if (children.some((child) => child.length !== length)) {
    throw new Error("a flat batch whose columns differ in length");
  }
  return new arrow.RecordBatch(
    schema,
    arrow.makeData({ type: new arrow.Struct(schema.fields), length, nullCount: 0, children }),
  );
}

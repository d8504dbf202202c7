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
  data?: ArrayBufferView;
  nullBitmap?: Uint8Array;
  valueOffsets?: ArrayBufferView;
}

/**
 * A batch of flat columns (no children, no dictionaries) as its buffers: much cheaper than IPC
 * serialisation, which costs more than building the batch for simple tables.
 */
export interface FlatBatch {
  schemaIpc: Uint8Array;
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

/**
 * Encodes a batch for postMessage, with the buffers to transfer. Buffers are copied first: the
 * connector keeps its own (it may yield the same batch again).
 */
export function encodeBatch(batch: arrow.RecordBatch): [WireBatch, ArrayBuffer[]] {
  if (!batch.schema.fields.every((field) => isFlat(field.type)) || batch.data.offset !== 0) {
    const ipc = batchToIpc(batch);
    return [{ ipc }, [ipc.buffer as ArrayBuffer]];
  }
  const transfer: ArrayBuffer[] = [];
  const copy = <T extends ArrayBufferView>(view: T | undefined): T | undefined => {
    if (!view || view.byteLength === 0) return undefined;
    const copied = (view as unknown as { slice(): T }).slice();
    transfer.push(copied.buffer as ArrayBuffer);
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
  const schemaIpc = schemaToIpc(batch.schema);
  transfer.push(schemaIpc.buffer as ArrayBuffer);
  return [{ flat: { schemaIpc, length: batch.numRows, columns } }, transfer];
}

/** Decodes what {@linkcode encodeBatch} produced; throws on a malformed flat batch. */
export function decodeBatch(wire: WireBatch): arrow.RecordBatch {
  if (wire.ipc) return batchFromIpc(wire.ipc);
  const { schemaIpc, length, columns } = wire.flat!;
  const schema = schemaFromIpc(schemaIpc);
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

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

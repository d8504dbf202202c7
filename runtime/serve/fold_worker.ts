/**
 * Worker entry of {@linkcode FoldThread}: takes a micro-batch's rows as Arrow IPC, folds them
 * into the extract with {@linkcode foldEvents} (Parquet, compaction, catalog republish) and
 * answers with the rows appended, or why it failed (the deliveries stay logged).
 *
 * @module
 */
/// <reference lib="deno.worker" />
import * as arrow from "apache-arrow";
import { errorMessage } from "../errors.ts";
import { OutputLayout } from "../extract/layout.ts";
import { LockHeldError } from "../extract/run_lock.ts";
import type { TableInfo } from "../protocol.ts";
import { batchFromWire } from "../connector/data_wire.ts";
import { foldEvents, type TableBatches } from "./fold_events.ts";
import type { WireFoldReply, WireFoldRequest } from "./fold_thread.ts";

self.onmessage = async (event: MessageEvent<WireFoldRequest>) => {
  let reply: WireFoldReply;
  try {
    const request = event.data;
    const tables: TableInfo[] = request.tables.map((table) => ({
      ...table,
      schema: arrow.tableFromIPC(table.schema).schema,
    }));
    const byName = new Map(tables.map((table) => [table.name, table]));
    const rows = new Map<string, TableBatches>();
    for (const [name, carried] of request.rows) {
      const info = byName.get(name)!;
      const batches = carried instanceof Uint8Array
        ? arrow.tableFromIPC(carried).batches
        : carried.map((data) => batchFromWire(info.schema, data));
      rows.set(name, { info, batches });
    }
    const result = await foldEvents({
      layout: new OutputLayout(request.outDir),
      connectorName: request.connectorName,
      tables,
      rows,
      seq: request.seq,
      lockWaitMs: request.lockWaitMs,
    });
    reply = { kind: "folded", rows: result.rows };
  } catch (error) {
    reply = {
      kind: "failed",
      message: errorMessage(error),
      lockHeld: error instanceof LockHeldError,
    };
  }
  self.postMessage(reply);
};

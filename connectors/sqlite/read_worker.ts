/**
 * One reader thread of a parallel read (parallel_read.ts): opens the file read-only, reads one
 * rowid range in one read transaction with the same page loop and column rules as `read()`, and
 * sends each batch as plain buffers (transferred, not copied), at most `credit` batches ahead of
 * the main thread. Any failure is sent as a message; the table fails with it. Asked to stop (the
 * table failed elsewhere), it closes the file before it says so: a connection left open in a
 * terminated thread would keep its lock until the process ends.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { type ColumnPlan, planColumn } from "./affinity.ts";
import { configure, fillBatches } from "./page_reader.ts";
import { plainArrow, type PlainData, transferables } from "./plain_arrow.ts";
import { ROWID } from "./select_sql.ts";
import type { FromReader, StartRead, ToReader } from "./worker_messages.ts";

let credit = 0;
let stopping = false;
let wake: (() => void) | undefined;

function send(message: FromReader, transfer: ArrayBuffer[] = []): void {
  self.postMessage(message, transfer);
}

function planOf(column: StartRead["columns"][number]): ColumnPlan {
  if (column.rowid) return { ...planColumn(plainArrow, ROWID, "INTEGER"), rowid: true };
  return planColumn(plainArrow, column.name, column.declared);
}

async function readRange(start: StartRead): Promise<void> {
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(start.path, { readOnly: true });
  try {
    // One read transaction: every page of this range sees the same data.
    db.exec("BEGIN");
    const statement = configure(db.prepare(start.sql));
    const sinks = start.columns.map((column) =>
      planOf(column).sink(start.batchRows, start.table, true)
    );
    const read = {
      statement,
      table: start.table,
      page: "rowid" as const,
      key: start.key,
      skip: start.skip,
      after: start.after,
      upper: start.upper,
      rowidInErrors: true,
    };
    for (const rows of fillBatches(read, sinks, start.batchRows)) {
      while (credit === 0 && !stopping) await new Promise<void>((resolve) => wake = resolve);
      if (stopping) break;
      credit--;
      const columns = sinks.map((sink) => sink.buffer.flush() as unknown as PlainData);
      send({ kind: "batch", rows, columns }, transferables(columns));
    }
    if (!stopping) db.exec("COMMIT");
  } finally {
    // Closing also ends the read transaction: its lock must not outlive the read.
    db.close();
  }
  send({ kind: stopping ? "stopped" : "done" });
}

self.onmessage = (event: MessageEvent<ToReader>) => {
  const message = event.data;
  if (message.kind === "more" || message.kind === "stop") {
    if (message.kind === "more") credit++;
    else stopping = true;
    wake?.();
    wake = undefined;
    return;
  }
  credit = message.credit;
  readRange(message).catch((error) => {
    send({ kind: "error", message: error?.message ?? String(error), hint: error?.hint });
  });
};

/**
 * One reader thread of a parallel read (parallel_read.ts): opens the file read-only in one read
 * transaction, reads the rowid ranges it is sent, in order, with the same page loop and column
 * rules as `read()`, and sends each batch as plain buffers (transferred, not copied). A failure
 * closes the file and is sent as a message; the table fails with it. The file is always closed
 * before the thread says it is done: a connection left open in a terminated thread would keep
 * its lock until the process ends.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { type ColumnPlan, type ColumnSink, planColumn } from "./affinity.ts";
import { configure, fillBatches } from "./page_reader.ts";
import { plainArrow, type PlainData, transferables } from "./plain_arrow.ts";
import { ROWID } from "./select_sql.ts";
import type { FromReader, OpenReader, ReadRange, ToReader } from "./worker_messages.ts";

interface Reader {
  open: OpenReader;
  db: DatabaseSync;
  statement: StatementSync;
  sinks: ColumnSink[];
}

let reader: Reader | undefined;
let failed = false;

function send(message: FromReader, transfer: ArrayBuffer[] = []): void {
  self.postMessage(message, transfer);
}

function planOf(column: OpenReader["columns"][number]): ColumnPlan {
  if (column.rowid) return { ...planColumn(plainArrow, ROWID, "INTEGER"), rowid: true };
  return planColumn(plainArrow, column.name, column.declared);
}

async function openReader(open: OpenReader): Promise<Reader> {
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(open.path, { readOnly: true });
  try {
    // One read transaction: every range of this reader sees the same data.
    db.exec("BEGIN");
    const statement = configure(db.prepare(open.sql));
    const sinks = open.columns.map((column) =>
      planOf(column).sink(open.batchRows, open.table, true)
    );
    return { open, db, statement, sinks };
  } catch (error) {
    db.close();
    throw error;
  }
}

function readRange({ open, statement, sinks }: Reader, range: ReadRange): void {
  const read = {
    statement,
    table: open.table,
    page: "rowid" as const,
    key: open.key,
    skip: open.skip,
    after: range.after,
    upper: range.upper,
    rowidInErrors: true,
  };
  for (const rows of fillBatches(read, sinks, open.batchRows)) {
    const columns = sinks.map((sink) => sink.buffer.flush() as unknown as PlainData);
    send({ kind: "batch", rows, columns }, transferables(columns));
  }
  send({ kind: "range-end" });
}

function closeReader(): void {
  const open = reader;
  reader = undefined;
  open?.db.close();
}

// Messages are handled one at a time, in order; `open` is the only asynchronous step, so the
// ranges that follow it wait for it.
let queue: Promise<void> = Promise.resolve();

self.onmessage = (event: MessageEvent<ToReader>) => {
  const message = event.data;
  queue = queue.then(async () => {
    if (failed) return;
    try {
      if (message.kind === "open") reader = await openReader(message);
      else if (message.kind === "range") readRange(reader!, message);
      else {
        closeReader();
        send({ kind: "closed" });
      }
    } catch (error) {
      failed = true;
      closeReader();
      const { message: text, hint } = error as { message?: string; hint?: string };
      send({ kind: "error", message: text ?? String(error), hint });
    }
  });
};

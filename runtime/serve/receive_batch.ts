/**
 * What a connector makes of a micro-batch of logged deliveries, at fold time: the rows per
 * table it should be folded into, and the deliveries it refused (an `InputError`). Through the
 * connector's `receiveBatch()` when it has one (one Arrow batch per table rather than per
 * delivery), in slices of {@linkcode SLICE_EVENTS} deliveries, else `receive()` per delivery.
 * Runs in the fold thread (fold_worker.ts), not on the thread that acknowledges. What comes back
 * is checked against the tables discover() declared.
 *
 * @module
 */
import { schemaMismatch } from "../parquet/arrow_schema.ts";
import { ConnectorError, errorMessage, InputError } from "../errors.ts";
import type { Connector, EventRows, ReceivedBatch, TableInfo, WebhookEvent } from "../protocol.ts";
import type { WalRecord } from "./write_ahead_log.ts";

/** The connector and the tables it may return rows for. */
export interface Receiver {
  connectorName: string;
  connector: Connector;
  /** Every table discover() declares, by name. */
  tables: ReadonlyMap<string, TableInfo>;
  /** The tables written (the source's `tables:`); rows of the others are dropped. */
  streamTables: readonly string[];
}

/** A delivery the connector refused, and why. */
export interface Refusal {
  record: WalRecord;
  error: Error;
}

/** Rows of the deliveries taken, per table, and the deliveries refused. */
export interface ReceivedRows {
  rows: Map<string, EventRows["batch"][]>;
  refused: Refusal[];
}

/** Deliveries per receiveBatch() call: large enough to share a batch, small to bound memory. */
export const SLICE_EVENTS = 100;
const decoder = new TextDecoder();

/** Schemas already checked (connectors reuse one object per table). */
const checked = new WeakMap<object, string>();

/** See the module documentation. Errors other than a refusal fail the whole micro-batch. */
export async function receiveRecords(
  receiver: Receiver,
  records: readonly WalRecord[],
): Promise<ReceivedRows> {
  const out: ReceivedRows = { rows: new Map(), refused: [] };
  const batchReceive = receiver.connector.receiveBatch?.bind(receiver.connector);
  if (batchReceive) {
    for (let start = 0; start < records.length; start += SLICE_EVENTS) {
      const slice = records.slice(start, start + SLICE_EVENTS);
      const events = slice.map(eventOf);
      const received = await batchReceive(events);
      keep(receiver, out, checkReceived(receiver, received, slice.length), slice);
    }
    return out;
  }
  for (const record of records) {
    try {
      const produced = await receiver.connector.receive!(eventOf(record));
      keep(receiver, out, { rows: produced, refused: [] }, [record]);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      out.refused.push({ record, error });
    }
  }
  return out;
}

function eventOf(record: WalRecord): WebhookEvent {
  return {
    body: JSON.parse(decoder.decode(record.body)),
    headers: record.headers,
    receivedAt: record.receivedAt,
  };
}

/** A ReceivedBatch whose refusals name distinct events of the slice, as InputErrors. */
function checkReceived(receiver: Receiver, value: ReceivedBatch, size: number): ReceivedBatch {
  const name = receiver.connectorName;
  if (!value || !Array.isArray(value.rows) || !Array.isArray(value.refused)) {
    throw new ConnectorError(`${name} receiveBatch() did not return { rows, refused }`);
  }
  const seen = new Set<number>();
  for (const { index, error } of value.refused) {
    if (!Number.isInteger(index) || index < 0 || index >= size || seen.has(index)) {
      throw new ConnectorError(`${name} receiveBatch() refused an event it was not given`);
    }
    seen.add(index);
    if (!(error instanceof InputError)) {
      throw new ConnectorError(
        `${name} receiveBatch() failed: ${errorMessage(error)}`,
        { cause: error },
      );
    }
  }
  return value;
}

function keep(
  receiver: Receiver,
  out: ReceivedRows,
  received: { rows: unknown; refused: ReceivedBatch["refused"] },
  records: readonly WalRecord[],
): void {
  const name = receiver.connectorName;
  if (!Array.isArray(received.rows)) {
    throw new ConnectorError(`${name} receive() did not return a list`);
  }
  for (const { index, error } of received.refused) {
    out.refused.push({ record: records[index], error });
  }
  for (const { table, batch } of received.rows as EventRows[]) {
    const info = receiver.tables.get(table);
    if (!info) {
      throw new ConnectorError(
        `${name} receive() returned rows for "${table}", a table discover() does not declare`,
      );
    }
    const problem = checked.get(batch.schema) === table
      ? undefined
      : schemaMismatch(batch.schema, info.schema);
    if (problem) {
      throw new ConnectorError(
        `${name} receive() returned rows for "${table}" that do not match its declared schema: ${problem}`,
      );
    }
    checked.set(batch.schema, table);
    // Tables the source does not select (tables: in dvt.yaml) are not written.
    if (!receiver.streamTables.includes(table) || !batch.numRows) continue;
    const batches = out.rows.get(table);
    if (batches) batches.push(batch);
    else out.rows.set(table, [batch]);
  }
}

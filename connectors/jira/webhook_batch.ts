/**
 * A micro-batch of Jira webhook deliveries as rows: every delivery's rows (webhook_events.ts)
 * gathered per table in delivery order, then one Arrow batch per table. Building a batch has a
 * fixed cost far above its rows' (one-row batches per delivery were most of `dvt serve`'s CPU),
 * so the fold pays it once per table. A delivery Jira sent malformed (no webhookEvent, a field
 * missing, a value that does not fit its column) is refused whole and the others are kept.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import type { EventRows, ReceivedBatch, WebhookEvent } from "../../mod.ts";
import { ConnectorError, InputError } from "../../mod.ts";
import { type Row, rowsBatch } from "./issue_rows.ts";
import { jiraTable } from "./table_schemas.ts";
import { eventRows, type EventTableRows } from "./webhook_events.ts";

/** One delivery's rows and its position in the micro-batch. */
interface Taken {
  index: number;
  event: string;
  parts: EventTableRows;
}

/** See the module documentation. */
export function receiveJiraBatch(
  arrow: typeof Arrow,
  events: readonly WebhookEvent[],
): ReceivedBatch {
  const refused: ReceivedBatch["refused"] = [];
  const taken: Taken[] = [];
  events.forEach((event, index) => {
    try {
      taken.push({ index, event: eventName(event.body), parts: eventRows(event.body) });
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      refused.push({ index, error });
    }
  });
  try {
    return { rows: batchesOf(arrow, taken), refused };
  } catch (error) {
    if (!(error instanceof ValueError)) throw error;
  }
  // A value that does not fit its column: find the deliveries it came from, keep the others.
  const fitting: Taken[] = [];
  for (const one of taken) {
    try {
      batchesOf(arrow, [one]);
      fitting.push(one);
    } catch (error) {
      if (!(error instanceof ValueError)) throw error;
      refused.push({
        index: one.index,
        error: new InputError(`Jira webhook ${one.event}: ${error.message}`, {
          hint: "register the webhook with Jira's own payload (no custom body template)",
        }),
      });
    }
  }
  refused.sort((a, b) => a.index - b.index);
  return { rows: batchesOf(arrow, fitting), refused };
}

/** A row value that does not fit its column (rowsBatch's ConnectorError). */
class ValueError extends Error {}

/** One batch per table of the deliveries' rows, in delivery order. */
function batchesOf(arrow: typeof Arrow, taken: readonly Taken[]): EventRows[] {
  const byTable = new Map<string, Row[]>();
  for (const { parts } of taken) {
    for (const { table, rows } of parts) {
      const all = byTable.get(table);
      if (all) all.push(...rows);
      else byTable.set(table, [...rows]);
    }
  }
  return [...byTable].map(([table, rows]) => {
    try {
      return { table, batch: rowsBatch(arrow, jiraTable(table)!, rows) };
    } catch (error) {
      if (error instanceof ConnectorError) throw new ValueError(error.message);
      throw error;
    }
  });
}

function eventName(body: unknown): string {
  const event = (body as { webhookEvent?: unknown } | null)?.webhookEvent;
  return typeof event === "string" ? event : "delivery";
}

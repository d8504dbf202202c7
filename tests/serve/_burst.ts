/**
 * A burst of webhook deliveries from concurrent senders that behave like Jira's: a delivery
 * that gets no 2xx (connection refused while dvt serve restarts, a 5xx) is sent again with the
 * same delivery id until it is acknowledged. Also polls the extract while the burst runs.
 *
 * @module
 */
import { queryDuckDB } from "../_helpers.ts";

/** One delivery's raw request. */
export interface RawDelivery {
  body: string;
  headers: Record<string, string>;
}

/** Options of {@linkcode sendBurst}. */
export interface BurstOptions {
  count: number;
  senders: number;
  /** The server's current base URL and path (it changes when the server restarts). */
  target: () => string;
  /** The request for delivery `i` (the same on every retry). */
  delivery: (i: number) => Promise<RawDelivery>;
  /** Called after each acknowledgement with the number acknowledged so far. */
  onAck?: (acked: number) => Promise<void> | void;
  /** Give up on a delivery after this long without a 2xx. */
  deadlineMs?: number;
}

/** What the burst saw. */
export interface BurstResult {
  acked: number;
  retries: number;
  statuses: Record<number, number>;
}

/** Sends `count` deliveries from `senders` concurrent senders, retrying until each is acked. */
export async function sendBurst(options: BurstOptions): Promise<BurstResult> {
  let next = 0;
  const result: BurstResult = { acked: 0, retries: 0, statuses: {} };
  const deadline = Date.now() + (options.deadlineMs ?? 900_000);
  const sender = async () => {
    while (next < options.count) {
      const i = next++;
      const { body, headers } = await options.delivery(i);
      for (let attempt = 0;; attempt++) {
        if (Date.now() > deadline) throw new Error(`delivery ${i} was never acknowledged`);
        if (attempt) result.retries++;
        const status = await fetch(options.target(), { method: "POST", headers, body })
          .then(async (response) => {
            await response.body?.cancel();
            return response.status;
          }, () => 0);
        result.statuses[status] = (result.statuses[status] ?? 0) + 1;
        if (status >= 200 && status < 300) break;
        if (status >= 400 && status < 500) throw new Error(`delivery ${i} was refused: ${status}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      result.acked++;
      await options.onAck?.(result.acked);
    }
  };
  await Promise.all(Array.from({ length: options.senders }, sender));
  return result;
}

/** Polls an extract until stopped: `_meta.rows` must equal the view's count at every poll. */
export function pollExtract(database: string, table: string) {
  let stopped = false;
  const seen = { polls: 0, mismatches: [] as string[], errors: [] as string[] };
  const done = (async () => {
    while (!stopped) {
      try {
        // One query, one snapshot of the catalog (a fold may land between two opens).
        const [row] = await queryDuckDB(
          database,
          `SELECT (SELECT rows FROM _meta WHERE source_name = '${table}')::BIGINT AS meta,
             count(*)::BIGINT AS n FROM "${table}"`,
        );
        seen.polls++;
        if (row.meta !== row.n) seen.mismatches.push(`_meta.rows ${row.meta}, view ${row.n}`);
      } catch (error) {
        const text = String(error);
        // Before the first publish there is nothing to read yet.
        if (!/does not exist|No such file|Catalog Error/i.test(text) || seen.polls) {
          seen.errors.push(text);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    seen,
    async stop() {
      stopped = true;
      await done;
      return seen;
    },
  };
}

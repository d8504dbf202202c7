/**
 * The acceptance scenario with the tickets fixture connector (a sandboxed connector, whose
 * receive() crosses into a worker per delivery; serve_jira_burst_test.ts runs the issue's
 * 10,000 deliveries with the built-in jira connector): 2,000 signed deliveries
 * from 8 concurrent senders while a `dvt extract` of the same source runs, `kill -9` of
 * `dvt serve` in the middle of the burst and a restart, forged and unsigned requests, and a
 * reader polling the extract throughout.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { queryDuckDB, runCli, tempDir } from "../_helpers.ts";
import { signBody } from "../../runtime/serve/signature.ts";
import { pollExtract, sendBurst } from "./_burst.ts";
import { postDelivery, SECRET, startServe, TICKETS_CONNECTOR } from "./_serve_process.ts";

const EVENTS = Number(Deno.env.get("SERVE_BURST_EVENTS") ?? 2_000);
const KILL_AT = Math.floor(EVENTS * 0.4);

Deno.test("dvt serve: 2,000 deliveries from 8 senders, kill -9 and restart mid-burst, an extract alongside: each acknowledged event exactly once", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(
    join(dir.path, "dvt.yaml"),
    `sources:
  tickets:
    connector: ${TICKETS_CONNECTOR}
    config: { seed_rows: 100, read_delay_ms: 1500 }
    disposition: { tickets: append }
`,
  );
  const backfill = await runCli(["extract", "tickets"], { cwd: dir.path });
  assert.equal(backfill.code, 0, backfill.stderr);
  const database = join(dir.path, "extracts/tickets/extract.duckdb");
  const args = ["--flush-interval", "300", "--flush-events", "2000"];
  let serve = await startServe(dir.path, args);
  let url = serve.url;
  const reader = pollExtract(database, "tickets");
  let extract: Promise<{ code: number; stderr: string }> | undefined;
  let killed: Promise<void> | undefined;
  const encoder = new TextEncoder();
  const burst = await sendBurst({
    count: EVENTS,
    senders: 8,
    target: () => `${url}/tickets`,
    delivery: (i) => {
      const body = JSON.stringify({
        webhookEvent: "ticket_updated",
        event_id: `ev-${i}`,
        ticket: { id: i % 500, title: `ticket ${i % 500}`, status: i % 2 ? "open" : "done" },
      });
      return Promise.resolve({
        body,
        headers: {
          "content-type": "application/json",
          "x-hub-signature": signBody(SECRET, encoder.encode(body)),
          "x-delivery-id": `delivery-${i}`,
        },
      });
    },
    onAck: (acked) => {
      if (acked === Math.floor(EVENTS / 10)) {
        extract = runCli(["extract", "tickets"], { cwd: dir.path });
      }
      if (acked === KILL_AT) {
        killed = (async () => {
          const before = serve;
          await before.stop("SIGKILL");
          serve = await startServe(dir.path, args);
          url = serve.url;
        })();
      }
    },
  });
  await killed;
  // Senders whose answer the kill cut off sent those deliveries again: duplicates already.
  const before = (await (await fetch(`${url}/health`)).json()).sources.tickets;
  // Forged, unsigned and replayed (already acknowledged) deliveries after the burst.
  const forged = await postDelivery(url, JSON.stringify({ ticket: { id: 1 } }), {
    secret: "not-the-secret",
  });
  const unsigned = await postDelivery(url, JSON.stringify({ ticket: { id: 1 } }), { secret: null });
  assert.deepEqual([forged, unsigned], [401, 401]);
  const retried = await postDelivery(
    url,
    JSON.stringify({ webhookEvent: "ticket_updated", event_id: "ev-7", ticket: { id: 7 } }),
    { deliveryId: "delivery-7" },
  );
  assert.equal(retried, 200);
  const health = await (await fetch(`${url}/health`)).json();
  assert.equal(health.sources.tickets.rejected - before.rejected, 2);
  assert.equal(health.sources.tickets.duplicates - before.duplicates, 1);
  const extracted = await extract!;
  assert.equal(extracted.code, 0, extracted.stderr);
  const stopped = await serve.stop("SIGTERM");
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.match(stopped.stderr, /tickets: folding \d+ logged events the extract does not hold yet/);
  const seen = await reader.stop();

  assert.equal(burst.acked, EVENTS);
  assert.ok(burst.retries > 0, "the kill made senders retry");
  const [row] = await queryDuckDB(
    database,
    `SELECT count(*)::INT AS events, count(DISTINCT event_id)::INT AS distinct_events,
       (SELECT count(*)::INT FROM tickets) AS total,
       (SELECT rows::INT FROM _meta WHERE table_name = 'tickets') AS meta_rows,
       (SELECT count(*)::INT FROM tickets WHERE event = 'backfill') AS backfill
     FROM tickets WHERE event <> 'backfill'`,
  );
  assert.deepEqual(row, {
    events: EVENTS,
    distinct_events: EVENTS,
    total: EVENTS + 200,
    meta_rows: EVENTS + 200,
    backfill: 200,
  });
  assert.deepEqual(seen.mismatches, []);
  assert.deepEqual(seen.errors, []);
  assert.ok(seen.polls > 10, `the reader polled ${seen.polls} times`);
});

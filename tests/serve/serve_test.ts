import assert from "node:assert/strict";
import { join } from "node:path";
import { CLI_PATH, queryDuckDB, runCli, tempDir } from "../_helpers.ts";
import {
  postDelivery,
  SECRET,
  startServe,
  ticketEvent,
  TICKETS_CONNECTOR,
  writeTicketsProject,
} from "./_serve_process.ts";

async function published(dir: string) {
  const db = join(dir, "extracts/tickets/extract.duckdb");
  // One query, one snapshot: a fold between two opens would compare different catalogs.
  const [row] = await queryDuckDB(
    db,
    `SELECT (SELECT rows::INT FROM _meta) AS meta, count(*)::INT AS n,
       list(event_id ORDER BY event_id) AS ids FROM tickets`,
  );
  return { metaRows: row.meta, viewRows: row.n, eventIds: row.ids };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

Deno.test("dvt serve accepts signed deliveries once, rejects forged, unsigned and invalid ones, sets aside what the connector refuses", async () => {
  await using dir = await tempDir();
  await writeTicketsProject(dir.path);
  await using serve = await startServe(dir.path, ["--flush-interval", "200"]);
  assert.equal(await postDelivery(serve.url, ticketEvent(1, "e1"), { deliveryId: "d1" }), 200);
  assert.equal(await postDelivery(serve.url, ticketEvent(2, "e2"), { deliveryId: "d2" }), 200);
  // A retry of d1 (same delivery id) is acknowledged and written once.
  assert.equal(await postDelivery(serve.url, ticketEvent(1, "e1"), { deliveryId: "d1" }), 200);
  assert.equal(await postDelivery(serve.url, ticketEvent(3, "e3"), { secret: "wrong" }), 401);
  assert.equal(await postDelivery(serve.url, ticketEvent(4, "e4"), { secret: null }), 401);
  assert.equal(await postDelivery(serve.url, "{not json"), 400);
  // Well-formed JSON is acknowledged: the connector reads it at the fold, refuses it there, and
  // it is set aside (refused.jsonl, counted, last error), not written and not dropped silently.
  const refusedBody = JSON.stringify({ webhookEvent: "x" });
  assert.equal(await postDelivery(serve.url, refusedBody, { deliveryId: "bad-1" }), 200);
  assert.equal(await postDelivery(serve.url, JSON.stringify({ webhookEvent: "ping" })), 200);
  assert.equal(await postDelivery(serve.url, ticketEvent(5, "e5"), { path: "/nope" }), 404);
  assert.equal(
    await fetch(`${serve.url}/tickets`).then(async (r) => {
      await r.body?.cancel();
      return r.status;
    }),
    405,
  );
  const big = JSON.stringify({ ticket: { id: 9, title: "x".repeat(2 * 1024 * 1024) } });
  assert.equal(await postDelivery(serve.url, big), 413);

  const health = await waitFor("the fold", async () => {
    const body = await (await fetch(`${serve.url}/health`)).json();
    return body.sources.tickets.written === 3 && body.sources.tickets.refused ? body : undefined;
  });
  assert.equal(health.status, "ok");
  const stats = health.sources.tickets;
  assert.deepEqual(
    [stats.received, stats.written, stats.rows, stats.pending, stats.duplicates, stats.rejected],
    [4, 3, 2, 0, 1, 2],
  );
  assert.equal(stats.invalid, 2);
  assert.equal(stats.refused, 1);
  assert.match(
    stats.lastError,
    /^tickets refused delivery bad-1 \(set aside in .*refused\.jsonl\): .*ticket\.id/,
  );
  const refused = (await Deno.readTextFile(
    join(dir.path, "extracts/tickets/.dvt/serve/refused.jsonl"),
  )).trim().split("\n").map((line) => JSON.parse(line));
  assert.equal(refused.length, 1);
  assert.equal(refused[0].id, "bad-1");
  assert.equal(refused[0].body, refusedBody);
  assert.match(refused[0].error, /ticket\.id/);
  assert.equal(refused[0].headers["x-hub-signature"], undefined);
  const extract = await published(dir.path);
  assert.deepEqual(extract, { metaRows: 2, viewRows: 2, eventIds: ["e1", "e2"] });
  const stopped = await serve.stop("SIGTERM");
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.match(
    stopped.stdout,
    /^tickets: 4 events received, 3 written to .*extracts\/tickets, 0 pending, 1 duplicate, 2 rejected \(signature\), 2 invalid, 1 refused by the connector \(set aside in .*extracts\/tickets\/\.dvt\/serve\/refused\.jsonl\)$/m,
  );
  assert.doesNotMatch(stopped.stderr, new RegExp(SECRET));
});

Deno.test("dvt serve folds pending deliveries on SIGTERM and answers retries after a restart as duplicates", async () => {
  await using dir = await tempDir();
  await writeTicketsProject(dir.path);
  const serve = await startServe(dir.path, ["--flush-interval", "600000", "--json"]);
  for (let i = 1; i <= 5; i++) {
    assert.equal(
      await postDelivery(serve.url, ticketEvent(i, `e${i}`), { deliveryId: `d${i}` }),
      200,
    );
  }
  const stopped = await serve.stop("SIGTERM");
  assert.equal(stopped.code, 0, stopped.stderr);
  const events = stopped.stderr.trim().split("\n").map((line) => JSON.parse(line));
  const flush = events.find((e) => e.event === "serve.flush");
  assert.deepEqual([flush.events, flush.rows], [5, { tickets: 5 }]);
  assert.equal(JSON.parse(stopped.stdout).sources.tickets.written, 5);
  assert.deepEqual((await published(dir.path)).viewRows, 5);

  await using again = await startServe(dir.path, ["--flush-interval", "100"]);
  assert.equal(await postDelivery(again.url, ticketEvent(3, "e3"), { deliveryId: "d3" }), 200);
  assert.equal(await postDelivery(again.url, ticketEvent(6, "e6"), { deliveryId: "d6" }), 200);
  const extract = await waitFor("the fold", async () => {
    const now = await published(dir.path);
    return now.viewRows === 6 ? now : undefined;
  });
  assert.deepEqual(extract.eventIds, ["e1", "e2", "e3", "e4", "e5", "e6"]);
  assert.equal(extract.metaRows, 6);
  const health = await (await fetch(`${again.url}/health`)).json();
  assert.equal(health.sources.tickets.duplicates, 1);
});

Deno.test("dvt serve writes a table under its configured destination, as dvt extract names it", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(
    join(dir.path, "dvt.yaml"),
    `sources:\n  tickets:\n    connector: ${TICKETS_CONNECTOR}\n    config: { seed_rows: 2 }\n` +
      `    tables:\n      tickets: { destination: Support Tickets }\n`,
  );
  const serve = await startServe(dir.path, ["--flush-interval", "600000"]);
  assert.equal(await postDelivery(serve.url, ticketEvent(7, "e7"), { deliveryId: "d7" }), 200);
  const stopped = await serve.stop("SIGTERM");
  assert.equal(stopped.code, 0, stopped.stderr);
  const db = join(dir.path, "extracts/tickets/extract.duckdb");
  const names = async () =>
    (await queryDuckDB(
      db,
      "SELECT table_name, source_name, rows::INT AS rows FROM _meta ORDER BY 1",
    ))
      .map((r) => [r.table_name, r.source_name, r.rows]);
  assert.deepEqual(await names(), [["support_tickets", "tickets", 1]]);
  assert.deepEqual(
    await queryDuckDB(db, "SELECT event_id FROM support_tickets"),
    [{ event_id: "e7" }],
  );
  // The extract that follows publishes the same table under the same name, not a second one.
  const extracted = await runCli(["extract", "tickets"], { cwd: dir.path });
  assert.equal(extracted.code, 0, extracted.stderr);
  assert.deepEqual(await names(), [["support_tickets", "tickets", 2]]);
});

Deno.test("dvt serve normalises a destination like dvt extract: it never leaves the output directory", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(
    join(dir.path, "dvt.yaml"),
    `sources:\n  tickets:\n    connector: ${TICKETS_CONNECTOR}\n` +
      `    tables:\n      tickets: { destination: "../escape" }\n`,
  );
  const serve = await startServe(dir.path, ["--flush-interval", "600000"]);
  assert.equal(await postDelivery(serve.url, ticketEvent(1, "e1"), { deliveryId: "d1" }), 200);
  const stopped = await serve.stop("SIGTERM");
  assert.equal(stopped.code, 0, stopped.stderr);
  // A destination is normalised like any name: it cannot leave the output directory.
  const files = [];
  for await (const entry of Deno.readDir(join(dir.path, "extracts/tickets/data"))) {
    files.push(entry.name);
  }
  assert.deepEqual(files, ["escape"]);
});

Deno.test("dvt serve refuses at start two served tables with one destination (exit 2, naming both)", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(
    join(dir.path, "dvt.yaml"),
    `sources:\n  jira:\n    connector: jira\n    config: { url: "https://acme.atlassian.net" }\n` +
      `    tables:\n      issues: { destination: activity }\n      comments: { destination: activity }\n`,
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      "-A",
      "--unstable-worker-options",
      CLI_PATH,
      "serve",
      "--port",
      "0",
    ],
    cwd: dir.path,
    env: {
      NO_COLOR: "1",
      JIRA_EMAIL: "analyst@example.com",
      JIRA_API_TOKEN: "jira-token-not-used",
      JIRA_WEBHOOK_SECRET: SECRET,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    // The code before this check served the two tables into one directory: it never exited.
    signal: AbortSignal.timeout(60_000),
  });
  const result = await child.output();
  const stderr = new TextDecoder().decode(result.stderr);
  assert.equal(result.code, 2, stderr);
  assert.match(stderr, /tables "issues" and "comments" both have the destination "activity"/);
  assert.doesNotMatch(stderr, /\n\s+at /, "no stack trace without --debug");
});

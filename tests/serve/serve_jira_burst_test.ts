/**
 * The issue's acceptance scenario with the jira connector: 10,000 Jira-signed deliveries
 * (tests/servers/jira_webhook.ts) from 8 concurrent senders while `dvt extract` of the same
 * source runs against the local Jira site, `kill -9` of `dvt serve` in the middle of the burst
 * and a restart, forged and unsigned deliveries, and a reader polling the extract throughout.
 * Every acknowledged delivery's rows are in the views exactly once.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { queryDuckDB, runCli, tempDir } from "../_helpers.ts";
import { jiraFixture, startJiraServer } from "../servers/jira_server.ts";
import { jiraEvents, jiraRequest, sendJiraWebhook } from "../servers/jira_webhook.ts";
import { EMAIL, ENV, TOKEN } from "../connectors/jira/_fixture.ts";
import { pollExtract, sendBurst } from "./_burst.ts";
import { startServe } from "./_serve_process.ts";

const EVENTS = Number(Deno.env.get("SERVE_BURST_EVENTS") ?? 10_000);
const KILL_AT = Math.floor(EVENTS * 0.4);
const SECRET = "jira-webhook-secret-for-the-burst";

Deno.test("dvt serve + jira: 10,000 signed deliveries from 8 senders, kill -9 mid-burst, an extract alongside: each acknowledged delivery exactly once", async () => {
  await using dir = await tempDir();
  await using site = startJiraServer({
    email: EMAIL,
    token: TOKEN,
    issues: jiraFixture({ issues: 40, maxComments: 2 }),
  });
  const tables = ["issues", "comments", "changelog", "issuelinks"];
  // Append: the extract running during the burst keeps the rows dvt serve folded in.
  await Deno.writeTextFile(
    join(dir.path, "dvt.yaml"),
    `sources:
  jira:
    connector: jira
    config: { url: "${site.url}" }
    tables: [${tables.join(", ")}]
    disposition: { ${tables.map((t) => `${t}: append`).join(", ")} }
    out: out
`,
  );
  const env = { ...ENV, JIRA_WEBHOOK_SECRET: SECRET };
  const backfill = await runCli(["extract", "jira"], { cwd: dir.path, env });
  assert.equal(backfill.code, 0, backfill.stderr);
  const database = join(dir.path, "out/extract.duckdb");
  const events = [...jiraEvents(site.issues, EVENTS)];
  const args = ["jira", "--flush-interval", "300", "--flush-events", "2000"];
  let serve = await startServe(dir.path, args, env);
  let url = serve.url;
  const reader = pollExtract(database, "comments");
  let extract: Promise<{ code: number; stderr: string }> | undefined;
  let restarted: Promise<void> | undefined;
  const burst = await sendBurst({
    count: EVENTS,
    senders: 8,
    target: () => `${url}/jira`,
    delivery: (i) =>
      jiraRequest({ body: events[i].body, secret: SECRET, identifier: events[i].identifier }),
    onAck: (acked) => {
      if (acked === Math.floor(EVENTS / 10)) {
        extract = runCli(["extract", "jira"], { cwd: dir.path, env });
      }
      if (acked === KILL_AT) {
        restarted = (async () => {
          await serve.stop("SIGKILL");
          serve = await startServe(dir.path, args, env);
          url = serve.url;
        })();
      }
    },
  });
  await restarted;
  // Senders whose answer the kill cut off sent those deliveries again: duplicates already.
  const before = (await (await fetch(`${url}/health`)).json()).sources.jira;
  for (const forged of [{ secret: "not-the-secret" }, {}]) {
    const response = await sendJiraWebhook(`${url}/jira`, { body: events[0].body, ...forged });
    assert.equal(response.status, 401);
    await response.body?.cancel();
  }
  const retry = await sendJiraWebhook(`${url}/jira`, {
    body: events[1].body,
    secret: SECRET,
    identifier: events[1].identifier,
    retry: 1,
  });
  assert.equal(retry.status, 200);
  await retry.body?.cancel();
  const health = await (await fetch(`${url}/health`)).json();
  assert.equal(health.sources.jira.rejected - before.rejected, 2);
  assert.equal(health.sources.jira.duplicates - before.duplicates, 1);
  const extracted = await extract!;
  assert.equal(extracted.code, 0, extracted.stderr);
  const stopped = await serve.stop("SIGTERM");
  assert.equal(stopped.code, 0, stopped.stderr);
  const seen = await reader.stop();

  assert.equal(burst.acked, EVENTS);
  assert.ok(burst.retries > 0, "the kill made senders retry");
  const expected = (kinds: number[]) => events.filter((_, i) => kinds.includes(i % 5)).length;
  // Each delivery's own row has an id derived from its index (see jiraEvents): count them.
  const [row] = await queryDuckDB(
    database,
    `SELECT
       (SELECT count(*)::INT FROM comments WHERE TRY_CAST(id AS BIGINT) >= 900000) AS comments,
       (SELECT count(DISTINCT id)::INT FROM comments WHERE TRY_CAST(id AS BIGINT) >= 900000)
         AS distinct_comments,
       (SELECT count(*)::INT FROM changelog WHERE TRY_CAST(history_id AS BIGINT) >= 800000)
         AS changelog,
       (SELECT count(*)::INT FROM issuelinks WHERE TRY_CAST(id AS BIGINT) >= 700000) AS links`,
  );
  assert.deepEqual(row, {
    comments: expected([1, 2, 4]),
    distinct_comments: expected([1, 2, 4]),
    changelog: expected([0]),
    links: expected([3]),
  });
  for (const table of tables) {
    const [counts] = await queryDuckDB(
      database,
      `SELECT (SELECT rows::INT FROM _meta WHERE table_name = '${table}') AS meta,
         count(*)::INT AS n FROM "${table}"`,
    );
    assert.equal(counts.meta, counts.n, `${table}: _meta.rows equals the view's count`);
  }
  assert.deepEqual(seen.mismatches, []);
  assert.deepEqual(seen.errors, []);
  assert.ok(seen.polls > 10, `the reader polled ${seen.polls} times`);
});

/**
 * Jira kept current between extracts: a backfill with `dvt extract`, then Jira-signed webhook
 * deliveries (tests/servers/jira_webhook.ts) to `dvt serve`, which the connector's receive()
 * turns into rows of the same tables; the current state (newest row per key, tombstones
 * removing) matches what the site now holds. Forged and unsigned deliveries change nothing.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { queryDuckDB, runCli, tempDir } from "../../_helpers.ts";
import { startServe } from "../../serve/_serve_process.ts";
import { jiraFixture, jiraTime, startJiraServer } from "../../servers/jira_server.ts";
import { commentPayload, issuePayload, sendJiraWebhook } from "../../servers/jira_webhook.ts";
import { EMAIL, ENV, TOKEN } from "./_fixture.ts";

const SECRET = "jira-webhook-secret-for-tests";

/** Current state of issues: the newest row per id, unless a tombstone exists. */
const CURRENT_ISSUES = `SELECT key, status, summary FROM issues
  QUALIFY row_number() OVER (PARTITION BY id ORDER BY deleted DESC, updated DESC) = 1
    AND NOT deleted
  ORDER BY id`;
/** Current comments: likewise, and none of a deleted issue (Jira sends no comment events then). */
const CURRENT_COMMENTS = `SELECT id::INTEGER AS id, issue_key, body FROM comments
  WHERE issue_id NOT IN (SELECT id FROM issues WHERE deleted)
  QUALIFY row_number() OVER (PARTITION BY id ORDER BY deleted DESC, updated DESC) = 1
    AND NOT deleted
  ORDER BY id`;

Deno.test("jira: backfill, then signed webhooks through dvt serve keep the extract current", async () => {
  await using dir = await tempDir();
  await using site = startJiraServer({
    email: EMAIL,
    token: TOKEN,
    issues: jiraFixture({ issues: 6, maxComments: 2 }),
  });
  await Deno.writeTextFile(
    join(dir.path, "dvt.yaml"),
    `sources:\n  jira:\n    connector: jira\n    config: { url: "${site.url}" }\n    tables: [issues, comments]\n    out: out\n`,
  );
  const backfill = await runCli(["extract", "jira"], { cwd: dir.path, env: ENV });
  assert.equal(backfill.code, 0, backfill.stderr);

  await using serve = await startServe(
    dir.path,
    ["jira", "--flush-events", "1", "--flush-interval", "50"],
    { ...ENV, JIRA_WEBHOOK_SECRET: SECRET },
  );
  const endpoint = `${serve.url}/jira`;
  const now = Date.UTC(2026, 2, 1, 9, 0, 0);
  const [first, second, third] = site.issues;
  // The site changes; Jira sends a delivery for each change.
  site.update(first.key, now, (issue) => {
    (issue.fields.status as { name: string }).name = "Done";
  });
  const newComment = {
    id: "400001",
    author: { accountId: "acc-1", displayName: "Ada" },
    updateAuthor: { accountId: "acc-1", displayName: "Ada" },
    body: "shipped",
    created: jiraTime(now, site.timeZone),
    updated: jiraTime(now, site.timeZone),
    jsdPublic: true,
  };
  second.comments.push(newComment);
  const removedComment = second.comments[0];
  second.comments.shift();
  site.issues.splice(site.issues.indexOf(third), 1);
  const deliveries = [
    issuePayload("jira:issue_updated", first, { timestamp: now }),
    commentPayload("comment_created", second, newComment, { timestamp: now }),
    commentPayload("comment_deleted", second, removedComment, { timestamp: now }),
    issuePayload("jira:issue_deleted", third, { timestamp: now }),
  ];
  for (const [i, body] of deliveries.entries()) {
    const response = await sendJiraWebhook(endpoint, {
      body,
      secret: SECRET,
      identifier: `d-${i}`,
    });
    const text = await response.text();
    assert.ok(response.status < 300, `${response.status} ${text}`);
  }
  // A retry of the first delivery (same identifier) is acknowledged and written once.
  const retry = await sendJiraWebhook(endpoint, {
    body: deliveries[0],
    secret: SECRET,
    identifier: "d-0",
    retry: 1,
  });
  assert.ok(retry.status < 300);
  await retry.body?.cancel();
  // Forged and unsigned deliveries are refused.
  for (const forged of [{ secret: "wrong-secret" }, {}]) {
    const response = await sendJiraWebhook(endpoint, {
      body: issuePayload("jira:issue_deleted", first, { timestamp: now }),
      identifier: "forged",
      ...forged,
    });
    assert.equal(response.status, 401);
    await response.body?.cancel();
  }
  const stopped = await serve.stop("SIGTERM");
  assert.equal(stopped.code, 0, stopped.stderr);

  const db = join(dir.path, "out", "extract.duckdb");
  assert.deepEqual(
    await queryDuckDB(db, CURRENT_ISSUES),
    site.issues.map((i) => ({
      key: i.key,
      status: (i.fields.status as { name: string }).name,
      summary: i.fields.summary,
    })),
  );
  const comments = await queryDuckDB(db, CURRENT_COMMENTS);
  const served = site.issues.flatMap((i) =>
    i.comments.map((c) => ({ id: Number(c.id), issue_key: i.key }))
  ).sort((a, b) => a.id - b.id);
  assert.deepEqual(comments.map((c) => ({ id: c.id, issue_key: c.issue_key })), served);
  assert.equal(comments.find((c) => c.id === 400001)?.body, "shipped");
  const [{ n }] = await queryDuckDB(db, "SELECT count(*)::INTEGER AS n FROM issues WHERE deleted");
  assert.equal(n, 1);
  // The backfilled row and one delivered update: the retried delivery was written once.
  const versions = await queryDuckDB(
    db,
    `SELECT count(*)::INTEGER AS n FROM issues WHERE key = '${first.key}'`,
  );
  assert.deepEqual(versions, [{ n: 2 }]);
});

/**
 * The Jira webhook sender the tests and benchmarks share signs exactly as Jira does: the
 * X-Hub-Signature is `sha256=` + the hex HMAC-SHA256 of the raw body with the secret (checked
 * against the published known answer for "key" and the quick brown fox), the identifier stays
 * the same across retries, and the retry header appears only on retries.
 */
import assert from "node:assert/strict";
import { jiraRequest, signJiraBody } from "../../servers/jira_webhook.ts";

Deno.test("jira webhook sender: HMAC-SHA256 known answer and Jira's headers", async () => {
  assert.equal(
    await signJiraBody("key", "The quick brown fox jumps over the lazy dog"),
    "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
  );
  const body = { webhookEvent: "jira:issue_updated", timestamp: 1 };
  const first = await jiraRequest({ body, secret: "key", identifier: "abc" });
  assert.equal(first.body, JSON.stringify(body));
  assert.equal(first.headers["X-Hub-Signature"], await signJiraBody("key", first.body));
  assert.equal(first.headers["X-Atlassian-Webhook-Identifier"], "abc");
  assert.equal(first.headers["X-Atlassian-Webhook-Retry"], undefined);
  const retry = await jiraRequest({ body, secret: "key", identifier: "abc", retry: 2 });
  assert.equal(retry.headers["X-Atlassian-Webhook-Retry"], "2");
  assert.equal(retry.headers["X-Hub-Signature"], first.headers["X-Hub-Signature"]);
  const unsigned = await jiraRequest({ body });
  assert.equal(unsigned.headers["X-Hub-Signature"], undefined);
  assert.match(unsigned.headers["X-Atlassian-Webhook-Identifier"], /^[0-9a-f-]{36}$/);
});

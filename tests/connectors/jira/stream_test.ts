/**
 * The jira connector's stream(): a pulling runtime gets every row first, then only rows changed
 * since (polling the search), and close() ends the stream promptly.
 */
import assert from "node:assert/strict";
import jira from "../../../connectors/jira/connector.ts";
import { createConnectorContext } from "../../../runtime/connector/context.ts";
import { jiraFixture, startJiraServer } from "../../servers/jira_server.ts";
import { EMAIL, ENV, TOKEN } from "./_fixture.ts";

Deno.test("jira stream: every issue, then the changed one, until closed", async () => {
  await using server = startJiraServer({
    email: EMAIL,
    token: TOKEN,
    issues: jiraFixture({ issues: 9 }),
  });
  const ctx = createConnectorContext({
    connector: "jira",
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    readEnv: (name) => (ENV as Record<string, string>)[name],
  });
  const connector = await jira(ctx, { url: server.url, page_size: 4, poll_interval_seconds: 1 });
  const iterator = connector.stream!("issues")[Symbol.asyncIterator]();
  const keys: string[] = [];
  while (keys.length < 9) {
    const next = await iterator.next();
    assert.equal(next.done, false);
    keys.push(...next.value.getChild("key")!.toArray() as string[]);
  }
  assert.deepEqual(keys.sort(), server.issues.map((i) => i.key).sort());
  server.update("BETA-2", Date.UTC(2026, 5, 1), (issue) => {
    issue.fields.summary = "changed while streaming";
  });
  const changed = await iterator.next();
  assert.equal(changed.done, false);
  assert.deepEqual(changed.value.getChild("key")!.toArray(), ["BETA-2"]);
  assert.deepEqual(changed.value.getChild("summary")!.toArray(), ["changed while streaming"]);
  // The next poll finds nothing new; close() wakes the pause and the stream ends.
  const pending = iterator.next();
  const started = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 50));
  await connector.close!();
  assert.equal((await pending).done, true);
  assert.ok(Date.now() - started < 1000, "close() ends the stream without waiting for a poll");
});

Deno.test("jira read: projected columns come in the requested order with their values", async () => {
  await using server = startJiraServer({
    email: EMAIL,
    token: TOKEN,
    issues: jiraFixture({ issues: 3 }),
  });
  const ctx = createConnectorContext({
    connector: "jira",
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    readEnv: (name) => (ENV as Record<string, string>)[name],
  });
  const connector = await jira(ctx, { url: server.url });
  const batches = [];
  for await (
    const batch of connector.read!("issues", { batchSize: 10, columns: ["summary", "key"] })
  ) batches.push(batch);
  assert.deepEqual(batches[0].schema.fields.map((f) => f.name), ["summary", "key"]);
  assert.deepEqual(
    batches[0].toArray().map((row) => row.toJSON()),
    server.issues.map((i) => ({ summary: i.fields.summary, key: i.key })),
  );
  await assert.rejects(
    async () => {
      for await (const _ of connector.read!("issues", { batchSize: 10, columns: ["nope"] })) {
        // unreachable
      }
    },
    /Jira table issues has no column "nope"/,
  );
});

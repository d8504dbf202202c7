/**
 * The jira connector in process: stream() gives a pulling runtime every row first, then only
 * rows changed since (polling the search), and close() ends it promptly; read() projects columns
 * in the requested order; a failed time-zone lookup does not doom the following tables.
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

Deno.test("jira read: a failed time-zone lookup is not remembered for the next table", async () => {
  await using server = startJiraServer({
    email: EMAIL,
    token: TOKEN,
    issues: jiraFixture({ issues: 2 }),
  });
  // Every attempt of the first lookup fails (the retrying fetch tries 4 times).
  server.faults.push({ path: "/rest/api/3/myself", status: 503, times: 4 });
  const ctx = createConnectorContext({
    connector: "jira",
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    readEnv: (name) => (ENV as Record<string, string>)[name],
  });
  const connector = await jira(ctx, { url: server.url });
  const keys = async (table: string) => {
    const out: string[] = [];
    for await (const batch of connector.read!(table, { batchSize: 10 })) {
      out.push(...batch.getChild("issue_key")?.toArray() ?? batch.getChild("key")!.toArray());
    }
    return out;
  };
  await assert.rejects(keys("issues"), /Jira GET \/rest\/api\/3\/myself failed with HTTP 503/);
  assert.deepEqual(await keys("issues"), server.issues.map((i) => i.key));
});

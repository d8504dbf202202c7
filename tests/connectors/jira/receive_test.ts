/**
 * The jira connector's receive(): each webhook event Jira sends (payloads built by
 * tests/servers/jira_webhook.ts in the documented shapes) becomes rows of the batch tables,
 * checked value by value; deletions are tombstones (deleted = true); other events give no rows;
 * a body that is not a Jira payload is bad input; the same event always gives the same rows.
 */
import assert from "node:assert/strict";
import type { RecordBatch } from "apache-arrow";
import type { Connector, EventRows } from "../../../mod.ts";
import { InputError } from "../../../mod.ts";
import jira from "../../../connectors/jira/connector.ts";
import { createConnectorContext } from "../../../runtime/connector/context.ts";
import { jiraFixture } from "../../servers/jira_server.ts";
import {
  commentPayload,
  issueLinkPayload,
  issuePayload,
  jiraEvents,
} from "../../servers/jira_webhook.ts";
import { EMAIL, ms, TOKEN } from "./_fixture.ts";

const AT = Date.UTC(2026, 2, 1, 12, 30, 15, 250);

async function connector(): Promise<Connector> {
  const ctx = createConnectorContext({
    connector: "jira",
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    readEnv: (name) =>
      ({ JIRA_EMAIL: EMAIL, JIRA_API_TOKEN: TOKEN } as Record<string, string>)[name],
  });
  return await jira(ctx, { url: "https://example.atlassian.net" });
}

function plain(value: unknown): unknown {
  if (value instanceof Date) return value.getTime();
  if (typeof value === "bigint") return Number(value);
  if (value && typeof value === "object" && "toArray" in value) {
    return [...(value as { toArray(): unknown[] }).toArray()];
  }
  return value;
}

function rows(batch: RecordBatch): Record<string, unknown>[] {
  return batch.toArray().map((row) =>
    Object.fromEntries(
      Object.entries(row.toJSON()).map(([k, v]) => [k, plain(v)]),
    )
  );
}

async function receive(body: unknown): Promise<Record<string, Record<string, unknown>[]>> {
  const results = await (await connector()).receive!({
    body,
    headers: { "x-atlassian-webhook-identifier": "id-1" },
    receivedAt: new Date(AT).toISOString(),
  }) as EventRows[];
  return Object.fromEntries(results.map((r) => [r.table, rows(r.batch)]));
}

const issues = jiraFixture({ issues: 8 });

Deno.test("jira receive: jira:issue_created gives the issue's row and its attachments and links", async () => {
  const issue = issues[4]; // one attachment (4 % 3), the source of link 70004 to issues[5]
  const out = await receive(issuePayload("jira:issue_created", issue, { timestamp: AT }));
  assert.deepEqual(Object.keys(out).sort(), ["attachments", "issuelinks", "issues"]);
  const [row] = out.issues;
  assert.equal(row.id, 10004);
  assert.equal(row.key, "ALPHA-3");
  assert.equal(row.status, "In Progress");
  assert.equal(row.summary, issue.fields.summary);
  // Webhooks carry rich text as a plain string (API v2), kept as is.
  assert.equal(row.description, "Description of ALPHA-3\nwith two lines");
  assert.deepEqual(row.labels, ["team-0", "backend"]);
  assert.equal(row.updated, ms(issue.fields.updated));
  assert.equal(row.created, ms(issue.fields.created));
  assert.equal(row.deleted, false);
  assert.deepEqual(out.attachments.map((a) => [a.id, a.filename, a.size]), [
    [30020, "file-4-0.pdf", 5120],
  ]);
  assert.deepEqual(out.issuelinks.map((l) => [l.id, l.source_issue_key, l.destination_issue_key]), [
    [70004, "ALPHA-3", "BETA-3"],
  ]);
});

Deno.test("jira receive: jira:issue_updated adds the change's changelog rows", async () => {
  const issue = issues[2];
  const out = await receive(issuePayload("jira:issue_updated", issue, {
    timestamp: AT,
    user: { accountId: "acc-9", displayName: "Grace" },
    changelog: {
      id: "123456",
      items: [
        {
          field: "status",
          fieldtype: "jira",
          fieldId: "status",
          from: "1",
          fromString: "To Do",
          to: "3",
          toString: "Done",
        },
        {
          field: "assignee",
          fieldtype: "jira",
          fieldId: "assignee",
          from: null,
          fromString: null,
          to: "acc-9",
          toString: "Grace",
        },
      ],
    },
  }));
  assert.equal(out.issues[0].key, "ALPHA-2");
  assert.deepEqual(
    out.changelog,
    [0, 1].map((index) => ({
      history_id: 123456,
      item_index: index,
      issue_id: 10002,
      issue_key: "ALPHA-2",
      author_account_id: "acc-9",
      author_name: "Grace",
      created: AT,
      field: index ? "assignee" : "status",
      field_type: "jira",
      field_id: index ? "assignee" : "status",
      from_value: index ? null : "1",
      from_string: index ? null : "To Do",
      to_value: index ? "acc-9" : "3",
      to_string: index ? "Grace" : "Done",
    })),
  );
});

Deno.test("jira receive: an issue_commented update also gives the comment's row", async () => {
  const issue = issues[5];
  const comment = issue.comments[0];
  const body = {
    ...issuePayload("jira:issue_updated", issue, { timestamp: AT }),
    issue_event_type_name: "issue_commented",
    comment: { ...comment, body: "as a string" },
  };
  const out = await receive(body);
  assert.deepEqual(out.comments.map((c) => [c.id, c.issue_key, c.body, c.deleted]), [
    [Number(comment.id), issue.key, "as a string", false],
  ]);
});

Deno.test("jira receive: jira:issue_deleted is a tombstone row", async () => {
  const out = await receive(issuePayload("jira:issue_deleted", issues[1], { timestamp: AT }));
  assert.deepEqual(Object.keys(out), ["issues"]);
  assert.equal(out.issues[0].key, "BETA-1");
  assert.equal(out.issues[0].deleted, true);
});

Deno.test("jira receive: comment_created, comment_updated and comment_deleted", async () => {
  const issue = issues[3];
  const comment = issue.comments[1];
  for (const event of ["comment_created", "comment_updated", "comment_deleted"] as const) {
    const out = await receive(commentPayload(event, issue, comment, { timestamp: AT }));
    assert.deepEqual(out.comments, [{
      id: Number(comment.id),
      issue_id: 10003,
      issue_key: "BETA-2",
      author_account_id: (comment.author as { accountId: string }).accountId,
      author_name: (comment.author as { displayName: string }).displayName,
      update_author_account_id: (comment.updateAuthor as { accountId: string }).accountId,
      body: "Comment 2 on BETA-2\nsecond line ✓",
      body_json: JSON.stringify("Comment 2 on BETA-2\nsecond line ✓"),
      created: ms(comment.created),
      updated: ms(comment.updated),
      jsd_public: false,
      deleted: event === "comment_deleted",
    }], event);
  }
});

Deno.test("jira receive: issuelink_created and issuelink_deleted", async () => {
  for (const event of ["issuelink_created", "issuelink_deleted"] as const) {
    const out = await receive(
      issueLinkPayload(event, { id: 10101, sourceIssueId: 10000, destinationIssueId: 10001 }, {
        timestamp: AT,
      }),
    );
    assert.deepEqual(out.issuelinks, [{
      id: 10101,
      source_issue_id: 10000,
      source_issue_key: null,
      destination_issue_id: 10001,
      destination_issue_key: null,
      type_id: 10000,
      type_name: "Blocks",
      outward: "blocks",
      inward: "is blocked by",
      issue_updated: null,
      deleted: event === "issuelink_deleted",
    }], event);
  }
});

Deno.test("jira receive: other events give no rows; a foreign body is bad input", async () => {
  assert.deepEqual(await receive({ webhookEvent: "worklog_created", timestamp: AT }), {});
  assert.deepEqual(await receive({ webhookEvent: "sprint_started", timestamp: AT }), {});
  for (const body of [[1, 2], "text", null, { hello: "world" }]) {
    await assert.rejects(receive(body), InputError);
  }
  await assert.rejects(
    receive({ webhookEvent: "comment_created", timestamp: AT, issue: { id: "1", key: "A-1" } }),
    (error: Error) => error instanceof InputError && /has no comment id/.test(error.message),
  );
});

Deno.test("jira receive: the same event gives the same rows (replay after a crash)", async () => {
  for (const { body } of jiraEvents(issues, 10)) {
    assert.deepEqual(await receive(body), await receive(structuredClone(body)));
  }
});

Deno.test("jira receiveBatch: one batch per table, equal to receive() per event; malformed deliveries refused whole, the rest kept", async () => {
  const jiraConnector = await connector();
  const events = [...jiraEvents(issues, 40)].map(({ body }) => ({
    body,
    headers: {},
    receivedAt: new Date(AT).toISOString(),
  }));
  // A field missing, and a value that does not fit its column (a date Jira never sends).
  const broken = structuredClone(issuePayload("jira:issue_updated", issues[2], { timestamp: AT }));
  (broken as { issue: { fields: Record<string, unknown> } }).issue.fields.updated = "yesterday-ish";
  events.splice(7, 0, {
    body: { webhookEvent: "comment_created", timestamp: AT },
    headers: {},
    receivedAt: new Date(AT).toISOString(),
  });
  events.splice(21, 0, { body: broken, headers: {}, receivedAt: new Date(AT).toISOString() });

  const { rows: batches, refused } = await jiraConnector.receiveBatch!(events);
  assert.deepEqual(refused.map((r) => r.index), [7, 21]);
  for (const { error } of refused) assert.ok(error instanceof InputError, String(error));
  assert.match(refused[1].error.message, /^Jira webhook jira:issue_updated: .*updated/);
  await assert.rejects(
    Promise.resolve().then(() => jiraConnector.receive!(events[21])),
    InputError,
  );

  const expected: Record<string, Record<string, unknown>[]> = {};
  for (const [index, event] of events.entries()) {
    if (index === 7 || index === 21) continue;
    for (const { table, batch } of await jiraConnector.receive!(event)) {
      (expected[table] ??= []).push(...rows(batch));
    }
  }
  const perTable = new Map<string, number>();
  for (const { table } of batches) perTable.set(table, (perTable.get(table) ?? 0) + 1);
  assert.ok([...perTable.values()].every((n) => n === 1), "one batch per table");
  assert.deepEqual(
    Object.fromEntries(batches.map(({ table, batch }) => [table, rows(batch)])),
    expected,
  );
});

/**
 * Incremental jira runs through the CLI: the second run searches from the cursor's minute in
 * the API user's time zone (JQL's precision), writes only issues changed since, and drops the
 * issues of that minute it already wrote; with merge the view is the served state.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { queryDuckDB, runCli, tempDir } from "../../_helpers.ts";
import { jiraFixture, jiraTime, startJiraServer } from "../../servers/jira_server.ts";
import {
  COMMENTS_SQL,
  EMAIL,
  ENV,
  expectedComments,
  expectedIssues,
  ISSUES_SQL,
  ms,
  TOKEN,
} from "./_fixture.ts";

async function project(dir: string, url: string): Promise<void> {
  await Deno.writeTextFile(
    join(dir, "dvt.yaml"),
    `sources:
  tracker:
    connector: jira
    config: { url: "${url}", page_size: 4 }
    tables: [issues, comments]
    incremental: { issues: updated, comments: updated }
    disposition: { issues: merge, comments: merge }
    out: out
`,
  );
}

function tableRows(stdout: string, table: string): number {
  const result = JSON.parse(stdout);
  const entry = result.tables.find((t: { table: string }) => t.table === table);
  return entry.rows;
}

Deno.test("jira: an incremental run writes only the issues changed since, across the cursor's minute", async () => {
  await using dir = await tempDir();
  await using server = startJiraServer({
    email: EMAIL,
    token: TOKEN,
    issues: jiraFixture({ issues: 20 }),
    timeZone: "America/New_York",
  });
  await project(dir.path, server.url);
  const first = await runCli(["extract", "tracker", "--json"], { cwd: dir.path, env: ENV });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(tableRows(first.stdout, "issues"), 20);
  const cursor = Math.max(...server.issues.map((i) => ms(i.fields.updated)!));
  const newest = server.issues.find((i) => ms(i.fields.updated) === cursor)!;

  // Same minute as the cursor (JQL cannot tell them apart), and two minutes later.
  const sameMinute = cursor + 1;
  assert.equal(Math.floor(sameMinute / 60_000), Math.floor(cursor / 60_000));
  server.update("ALPHA-2", sameMinute, (issue) => {
    (issue.fields.status as { name: string }).name = "Reopened";
  });
  server.update("BETA-3", cursor + 120_000, (issue) => {
    issue.comments.push({
      id: "299999",
      author: { accountId: "acc-1", displayName: "Ada" },
      updateAuthor: { accountId: "acc-1", displayName: "Ada" },
      body: "plain",
      created: jiraTime(cursor + 120_000, server.timeZone),
      updated: jiraTime(cursor + 120_000, server.timeZone),
      jsdPublic: true,
    });
  });
  const searchesBefore = server.requests.length;
  const second = await runCli(["extract", "tracker", "--json"], { cwd: dir.path, env: ENV });
  assert.equal(second.code, 0, second.stderr);
  // The newest issue of run 1 (same minute) was searched again but not written again.
  assert.equal(tableRows(second.stdout, "issues"), 2);
  assert.equal(tableRows(second.stdout, "comments"), 1);
  const jqls = server.requests.slice(searchesBefore)
    .filter((r) => r.path === "/rest/api/3/search/jql").map((r) => r.query.jql);
  // The cursor's minute in the user's zone: 08:19 UTC on 2026-01-05 is 03:19 in New York.
  const minute = jiraTime(cursor, "America/New_York").slice(0, 16).replace("T", " ");
  assert.ok(minute.endsWith("03:19"), minute);
  for (const jql of jqls) assert.equal(jql, `updated >= "${minute}" ORDER BY updated ASC, key ASC`);
  assert.ok(newest.key !== "ALPHA-2" && newest.key !== "BETA-3");

  const db = join(dir.path, "out", "extract.duckdb");
  assert.deepEqual(await queryDuckDB(db, ISSUES_SQL), expectedIssues(server.issues));
  assert.deepEqual(await queryDuckDB(db, COMMENTS_SQL), expectedComments(server.issues));

  // Nothing changed: the third run writes nothing and keeps every row.
  const third = await runCli(["extract", "tracker", "--json"], { cwd: dir.path, env: ENV });
  assert.equal(third.code, 0, third.stderr);
  assert.equal(tableRows(third.stdout, "issues"), 0);
  assert.deepEqual(await queryDuckDB(db, ISSUES_SQL), expectedIssues(server.issues));
});

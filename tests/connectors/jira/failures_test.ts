/**
 * How jira runs fail: a refused credential is bad input naming the variables (never the
 * token); 429 waits for Retry-After; a response cut off mid-body or a comment pagination that
 * stops before its total fails the table and the previously published rows stay.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { queryDuckDB, runCli, tempDir } from "../../_helpers.ts";
import { jiraFixture, startJiraServer } from "../../servers/jira_server.ts";
import {
  assertNoToken,
  COMMENTS_SQL,
  EMAIL,
  ENV,
  expectedComments,
  expectedIssues,
  ISSUES_SQL,
  sets,
  TOKEN,
} from "./_fixture.ts";

Deno.test("jira: a wrong API token exits 2 naming the variables, not the token", async () => {
  await using dir = await tempDir();
  await using server = startJiraServer({
    email: EMAIL,
    token: TOKEN,
    issues: jiraFixture({ issues: 3 }),
  });
  const wrong = "ATATT-wrong-token-value-should-never-be-printed";
  const out = join(dir.path, "out");
  const result = await runCli(
    ["extract", "--connector", "jira", ...sets(server.url), "--out", out],
    { env: { JIRA_EMAIL: EMAIL, JIRA_API_TOKEN: wrong } },
  );
  assert.equal(result.code, 2, result.stderr);
  assert.match(
    result.stderr,
    /JIRA_EMAIL and JIRA_API_TOKEN are not a valid account email and API token/,
  );
  assert.ok(!(result.stdout + result.stderr).includes(wrong));
  assert.ok(server.requests.every((r) => !r.authorized));
  const missing = await runCli(
    ["extract", "--connector", "jira", ...sets(server.url), "--out", out],
    { env: { JIRA_EMAIL: EMAIL } },
  );
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /JIRA_API_TOKEN/);
});

Deno.test("jira: 429 is retried after Retry-After", async () => {
  await using dir = await tempDir();
  await using server = startJiraServer({
    email: EMAIL,
    token: TOKEN,
    issues: jiraFixture({ issues: 9 }),
  });
  server.faults.push({ path: "/rest/api/3/search/jql", status: 429, retryAfter: "2", times: 1 });
  const out = join(dir.path, "out");
  const result = await runCli(
    ["extract", "--connector", "jira", ...sets(server.url), "--tables", "issues", "--out", out],
    { env: ENV },
  );
  assert.equal(result.code, 0, result.stderr);
  const searches = server.requests.filter((r) => r.path === "/rest/api/3/search/jql");
  assert.ok(searches[1].at - searches[0].at >= 1900, "waited for Retry-After");
  assert.deepEqual(
    await queryDuckDB(join(out, "extract.duckdb"), ISSUES_SQL),
    expectedIssues(server.issues),
  );
});

Deno.test("jira: a page cut short fails its table and keeps the previous rows", async () => {
  await using dir = await tempDir();
  await using server = startJiraServer({
    email: EMAIL,
    token: TOKEN,
    issues: jiraFixture({ issues: 16 }),
    embeddedComments: 1,
    pageCap: 2,
  });
  const out = join(dir.path, "out");
  const db = join(out, "extract.duckdb");
  const run = () =>
    runCli(
      [
        "extract",
        "--connector",
        "jira",
        ...sets(server.url),
        "--tables",
        "issues,comments",
        "--out",
        out,
      ],
      { env: ENV },
    );
  assert.equal((await run()).code, 0);
  const before = {
    issues: expectedIssues(server.issues),
    comments: expectedComments(server.issues),
  };
  for (const issue of server.issues) (issue.fields.status as { name: string }).name = "Changed";

  // Every search response is cut off mid-body (the connection drops, retries too).
  server.faults.push({ path: "/rest/api/3/search/jql", truncate: true, times: 100 });
  const failed = await run();
  assert.equal(failed.code, 1, failed.stderr);
  for (const table of ["issues", "comments"]) {
    assert.match(
      failed.stderr,
      new RegExp(`${table}: error: Jira GET /rest/api/3/search/jql: the response was cut off`),
    );
  }

  assert.deepEqual(await queryDuckDB(db, ISSUES_SQL), before.issues);
  assert.deepEqual(await queryDuckDB(db, COMMENTS_SQL), before.comments);
  await assertNoToken(out, failed.stdout, failed.stderr);
});

Deno.test("jira: a comment pagination that stops before its total fails the comments table alone", async () => {
  await using dir = await tempDir();
  await using server = startJiraServer({
    email: EMAIL,
    token: TOKEN,
    issues: jiraFixture({ issues: 16 }),
    embeddedComments: 1,
    pageCap: 2,
  });
  server.cutPaginationAt = 2;
  const out = join(dir.path, "out");
  const result = await runCli(
    [
      "extract",
      "--connector",
      "jira",
      ...sets(server.url),
      "--tables",
      "issues,comments",
      "--out",
      out,
    ],
    { env: ENV },
  );
  assert.equal(result.code, 1, result.stderr);
  assert.match(
    result.stderr,
    /Jira comments of [A-Z]+-\d+ stopped at 2 of the \d+ entries it announced/,
  );
  assert.deepEqual(
    await queryDuckDB(join(out, "extract.duckdb"), ISSUES_SQL),
    expectedIssues(server.issues),
  );
});

Deno.test("jira: JQL Jira refuses is bad input with Jira's message", async () => {
  await using dir = await tempDir();
  await using server = startJiraServer({
    email: EMAIL,
    token: TOKEN,
    issues: jiraFixture({ issues: 3 }),
  });
  const result = await runCli(
    [
      "extract",
      "--connector",
      "jira",
      ...sets(server.url, { jql: "status =" }),
      "--tables",
      "issues",
      "--out",
      join(dir.path, "out"),
    ],
    { env: ENV },
  );
  assert.equal(result.code, 2, result.stderr);
  assert.match(
    result.stderr,
    /Jira GET \/rest\/api\/3\/search\/jql rejected the request: Error in the JQL Query: Expecting either a value, list or function but got '\)'/,
  );
  const ordered = await runCli(
    [
      "extract",
      "--connector",
      "jira",
      ...sets(server.url, { jql: "project = ALPHA ORDER BY key" }),
    ],
    { env: ENV },
  );
  assert.equal(ordered.code, 2);
  assert.match(ordered.stderr, /the jql option must not contain ORDER BY/);
});

Deno.test("jira: a search page claiming more issues without a nextPageToken fails the table", async () => {
  await using dir = await tempDir();
  await using server = startJiraServer({
    email: EMAIL,
    token: TOKEN,
    issues: jiraFixture({ issues: 12 }),
  });
  server.dropNextPageToken = true;
  const result = await runCli(
    [
      "extract",
      "--connector",
      "jira",
      ...sets(server.url),
      "--tables",
      "issues",
      "--out",
      join(dir.path, "out"),
    ],
    { env: ENV },
  );
  assert.equal(result.code, 1, result.stderr);
  assert.match(
    result.stderr,
    /Jira search page 1 says more issues follow \(isLast: false\) but gives no nextPageToken/,
  );
});

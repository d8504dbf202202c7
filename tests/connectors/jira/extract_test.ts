/**
 * The jira connector end to end through the real CLI against the local Jira site
 * (tests/servers/jira_server.ts): enhanced-search backfill with pagination tokens, per-issue
 * comment and changelog pagination, every table read back from extract.duckdb and compared
 * value by value with the served issues; incremental runs by `updated` across JQL's minute
 * precision; sandboxed runs.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { queryDuckDB, REPO_ROOT, runCli, tempDir } from "../../_helpers.ts";
import { jiraFixture, startJiraServer } from "../../servers/jira_server.ts";
import {
  assertNoToken,
  ATTACHMENTS_SQL,
  CHANGELOG_SQL,
  COMMENTS_SQL,
  EMAIL,
  ENV,
  expectedAttachments,
  expectedChangelog,
  expectedComments,
  expectedIssues,
  expectedLinks,
  expectedRemoteLinks,
  ISSUES_SQL,
  LINKS_SQL,
  REMOTE_LINKS_SQL,
  sets,
  TOKEN,
} from "./_fixture.ts";

Deno.test("jira: backfill -> extract -> every table equal to the served issues", async () => {
  await using dir = await tempDir();
  await using server = startJiraServer({
    email: EMAIL,
    token: TOKEN,
    issues: jiraFixture({ issues: 40 }),
    embeddedComments: 2,
    embeddedHistories: 2,
    pageCap: 3,
  });
  const out = join(dir.path, "out");
  const result = await runCli(
    ["extract", "--connector", "jira", ...sets(server.url), "--out", out, "--json"],
    { env: ENV },
  );
  assert.equal(result.code, 0, result.stderr);
  const db = join(out, "extract.duckdb");
  const issues = server.issues;
  assert.deepEqual(await queryDuckDB(db, ISSUES_SQL), expectedIssues(issues));
  assert.deepEqual(await queryDuckDB(db, COMMENTS_SQL), expectedComments(issues));
  assert.deepEqual(await queryDuckDB(db, CHANGELOG_SQL), expectedChangelog(issues));
  assert.deepEqual(await queryDuckDB(db, ATTACHMENTS_SQL), expectedAttachments(issues));
  assert.deepEqual(await queryDuckDB(db, LINKS_SQL), expectedLinks(issues));
  assert.deepEqual(await queryDuckDB(db, REMOTE_LINKS_SQL), expectedRemoteLinks(issues));
  const types = await queryDuckDB(
    db,
    `SELECT column_name, data_type FROM information_schema.columns
     WHERE table_name = 'issues' AND column_name IN ('id', 'labels', 'due_date', 'updated')
     ORDER BY ordinal_position`,
  );
  assert.deepEqual(types.map((r) => [r.column_name, r.data_type]), [
    ["id", "BIGINT"],
    ["labels", "VARCHAR[]"],
    ["due_date", "DATE"],
    ["updated", "TIMESTAMP WITH TIME ZONE"],
  ]);
  const meta = await queryDuckDB(db, "SELECT table_name, rows, primary_key FROM _meta ORDER BY 1");
  assert.deepEqual(meta.find((m) => m.table_name === "changelog"), {
    table_name: "changelog",
    rows: BigInt(expectedChangelog(issues).length),
    primary_key: '["history_id","item_index"]',
  });
  // The search paged with nextPageToken (40 issues, 7 per page) and the embedded comment and
  // changelog pages were completed through their own endpoints, 3 entries per page.
  const searches = server.requests.filter((r) => r.path === "/rest/api/3/search/jql");
  assert.ok(searches.some((r) => r.query.nextPageToken), "search paged by nextPageToken");
  assert.ok(searches.every((r) => /ORDER BY updated ASC/.test(r.query.jql)));
  assert.ok(server.requests.some((r) => r.path.endsWith("/comment") && r.query.startAt === "3"));
  assert.ok(server.requests.some((r) => r.path.endsWith("/changelog") && r.query.startAt === "3"));
  await assertNoToken(out, result.stdout, result.stderr);
});

Deno.test("jira: projects and jql narrow the search", async () => {
  await using dir = await tempDir();
  await using server = startJiraServer({
    email: EMAIL,
    token: TOKEN,
    issues: jiraFixture({ issues: 30, projects: ["ALPHA", "BETA", "GAMMA"] }),
  });
  const out = join(dir.path, "out");
  const result = await runCli(
    [
      "extract",
      "--connector",
      "jira",
      ...sets(server.url),
      "--set",
      "projects=ALPHA,GAMMA",
      "--set",
      "jql=status != Done",
      "--tables",
      "issues",
      "--out",
      out,
    ],
    { env: ENV },
  );
  assert.equal(result.code, 0, result.stderr);
  const wanted = server.issues.filter((i) =>
    ["ALPHA", "GAMMA"].includes((i.fields.project as { key: string }).key) &&
    (i.fields.status as { name: string }).name !== "Done"
  );
  assert.ok(wanted.length > 0 && wanted.length < 30);
  assert.deepEqual(
    await queryDuckDB(join(out, "extract.duckdb"), ISSUES_SQL),
    expectedIssues(wanted),
  );
});

Deno.test("jira: dvt connector test passes built in, and bundled in the sandbox it extracts the same rows", async () => {
  await using dir = await tempDir();
  await using server = startJiraServer({
    email: EMAIL,
    token: TOKEN,
    issues: jiraFixture({ issues: 30 }),
    embeddedComments: 1,
    pageCap: 2,
  });
  const junit = join(dir.path, "report.xml");
  const builtin = await runCli(
    ["connector", "test", "jira", ...sets(server.url, { page_size: "5" }), "--junit", junit],
    { env: ENV },
  );
  assert.equal(builtin.code, 0, builtin.stdout + builtin.stderr);
  assert.match(await Deno.readTextFile(junit), /failures="0"/);
  const built = await runCli([
    "connector",
    "build",
    join(REPO_ROOT, "connectors/jira"),
    "--out",
    join(dir.path, "jira/jira.js"),
  ]);
  assert.equal(built.code, 0, built.stderr);
  const manifest = (await Deno.readTextFile(join(REPO_ROOT, "connectors/jira/connector.yaml")))
    .replace("entrypoint: ./connector.ts", "entrypoint: ./jira.js")
    .replace(/ {2}net: \[.*\]\n/, `  net: ["127.0.0.1:${new URL(server.url).port}"]\n`);
  assert.match(manifest, /net: \["127\.0\.0\.1:\d+"\]/);
  await Deno.writeTextFile(join(dir.path, "jira/connector.yaml"), manifest);
  const sandboxed = await runCli(["connector", "test", "./jira", ...sets(server.url)], {
    cwd: dir.path,
    env: ENV,
  });
  assert.equal(sandboxed.code, 0, sandboxed.stdout + sandboxed.stderr);
  const out = join(dir.path, "out");
  const extracted = await runCli(
    ["extract", "--connector", "./jira", ...sets(server.url), "--out", out],
    { cwd: dir.path, env: ENV },
  );
  assert.equal(extracted.code, 0, extracted.stderr);
  const db = join(out, "extract.duckdb");
  assert.deepEqual(await queryDuckDB(db, ISSUES_SQL), expectedIssues(server.issues));
  assert.deepEqual(await queryDuckDB(db, COMMENTS_SQL), expectedComments(server.issues));
  await assertNoToken(out, builtin.stdout, sandboxed.stdout, extracted.stdout, extracted.stderr);
});

/**
 * The JQL a jira read sends: the cursor's minute in the API user's time zone, an hour earlier
 * next to a daylight-saving change (a wall-clock minute there can name two instants).
 */
import assert from "node:assert/strict";
import { searchFrom, searchJql } from "../../../connectors/jira/jql.ts";

Deno.test("jira jql: the cursor's minute in the user's zone, scope first", () => {
  const since = new Date("2026-01-05T08:19:59.999Z");
  assert.equal(searchFrom(since, "America/New_York"), "2026-01-05 03:19");
  assert.equal(searchFrom(since, "Asia/Kolkata"), "2026-01-05 13:49");
  assert.equal(
    searchJql({ projects: ["A", "B_2"], jql: "status != Done" }, since, "UTC"),
    'project in ("A", "B_2") AND (status != Done) AND updated >= "2026-01-05 08:19" ORDER BY updated ASC, key ASC',
  );
  assert.equal(
    searchJql({}, undefined, "Europe/Prague"),
    'updated >= "1970-01-01 00:00" ORDER BY updated ASC, key ASC',
  );
});

Deno.test("jira jql: next to a daylight-saving change the bound moves an hour earlier", () => {
  // New York falls back at 06:00 UTC on 2026-11-01: 01:30 happens twice (05:30 and 06:30 UTC).
  assert.equal(
    searchFrom(new Date("2026-11-01T05:30:00Z"), "America/New_York"),
    "2026-11-01 00:30",
  );
  // 06:30 UTC is the second 01:30; an hour earlier is the first 01:30, which is safe whichever
  // of the two Jira picks.
  assert.equal(
    searchFrom(new Date("2026-11-01T06:30:00Z"), "America/New_York"),
    "2026-11-01 01:30",
  );
  // Far from a change: the minute itself.
  assert.equal(
    searchFrom(new Date("2026-11-02T05:30:00Z"), "America/New_York"),
    "2026-11-02 00:30",
  );
});

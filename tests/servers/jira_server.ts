/**
 * A local Jira Cloud site on 127.0.0.1 speaking REST API v3's documented wire format, shared by
 * the jira connector's tests, `dvt serve`'s tests and bench/api_connectors.ts:
 * - `GET /rest/api/3/myself` (accountId, emailAddress, displayName, timeZone);
 * - `GET|POST /rest/api/3/search/jql` (enhanced search): `jql`, `fields` (names, `*all`,
 *   `*navigable`, `-name` exclusions; default only `id`), `expand` (`changelog`), `maxResults`
 *   (at most 100 with fields), `nextPageToken`; answers `{issues, nextPageToken, isLast}` with the
 *   token absent on the last page; an issue's `comment` field embeds its first comments with
 *   `{comments, startAt, maxResults, total}` and `expand=changelog` its first histories;
 *   unbounded JQL is refused as Jira does;
 * - `GET /rest/api/3/issue/{idOrKey}/comment` (`startAt`, `maxResults`, `orderBy`):
 *   PageOfComments `{startAt, maxResults, total, comments}`;
 * - `GET /rest/api/3/issue/{idOrKey}/changelog` (`startAt`, `maxResults`): PageBeanChangelog
 *   `{self, nextPage, maxResults, startAt, total, isLast, values}`;
 * - `GET /rest/api/3/issue/{idOrKey}/remotelink`: a list of remote issue links.
 * Basic auth (`email:api token`) is required: anything else is 401. Errors are
 * `{"errorMessages": [...], "errors": {}}`. Timestamps are written as Jira writes them,
 * `2026-03-01T09:15:30.123+0100`, in the user's time zone. Faults: a status (429 with
 * Retry-After, 5xx) for the next N matching requests, a body cut off mid-way, paginations that
 * stop short of their total.
 *
 * @module
 */
import { JqlError, type JqlIssue, parseJql, sortIssues } from "./jira_jql.ts";

/** A user as Jira embeds it. */
export interface JiraUser {
  accountId: string;
  displayName: string;
  accountType?: string;
  active?: boolean;
}

/** One issue the site holds: REST fields, plus its comments, histories and remote links. */
export interface FakeIssue extends JqlIssue {
  /** Every field but `comment` (built from `comments`). */
  fields: Record<string, unknown>;
  comments: Record<string, unknown>[];
  histories: Record<string, unknown>[];
  remoteLinks: Record<string, unknown>[];
}

/** An injected failure for the next `times` requests whose path starts with `path`. */
export interface JiraFault {
  path: string;
  status?: number;
  retryAfter?: string;
  /** Send half the body, then drop the connection. */
  truncate?: boolean;
  times: number;
}

/** Options of {@linkcode startJiraServer}. */
export interface JiraServerOptions {
  email: string;
  token: string;
  issues: FakeIssue[];
  /** The API user's profile time zone (JQL dates are read in it). Default Europe/Prague. */
  timeZone?: string;
  /** Comments embedded in a search result's `comment` field. Default 5. */
  embeddedComments?: number;
  /** Histories embedded by `expand=changelog`. Default 5. */
  embeddedHistories?: number;
  /** Largest page the comment and changelog endpoints return. Default 100. */
  pageCap?: number;
}

/** The running site. */
export interface JiraServer extends AsyncDisposable {
  url: string;
  timeZone: string;
  issues: FakeIssue[];
  faults: JiraFault[];
  /** Comment/changelog pages starting at or after this index come back empty (total kept). */
  cutPaginationAt?: number;
  /** A broken search: pages say `isLast: false` but carry no `nextPageToken`. */
  dropNextPageToken?: boolean;
  requests: {
    method: string;
    path: string;
    query: Record<string, string>;
    authorized: boolean;
    /** Epoch ms the request arrived. */
    at: number;
  }[];
  /** Applies `change` to an issue and stamps its `updated` at `at` (epoch ms). */
  update(key: string, at: number, change: (issue: FakeIssue) => void): FakeIssue;
}

const USERS: JiraUser[] = [
  { accountId: "5b10a2844c20165700ede21g", displayName: "Ada Lovelace" },
  { accountId: "5b10ac8d82e05b22cc7d4ef5", displayName: "Grace Hopper" },
  { accountId: "712020:0e3c0f6e-9a35-4e9b-a4b8-2f6c0e3d1b7a", displayName: "Jiří Novák" },
];

const wallClocks = new Map<string, Intl.DateTimeFormat>();

/** `2026-03-01T09:15:30.123+0100`: an instant as Jira writes it, in `timeZone`. */
export function jiraTime(millis: number, timeZone: string): string {
  let clock = wallClocks.get(timeZone);
  if (!clock) {
    clock = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    wallClocks.set(timeZone, clock);
  }
  const p = Object.fromEntries(clock.formatToParts(millis).map((x) => [x.type, x.value]));
  const wall = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  const offset = Math.round((wall - Math.floor(millis / 1000) * 1000) / 60000);
  const sign = offset < 0 ? "-" : "+";
  const hh = String(Math.floor(Math.abs(offset) / 60)).padStart(2, "0");
  const mm = String(Math.abs(offset) % 60).padStart(2, "0");
  const ms = String(((millis % 1000) + 1000) % 1000).padStart(3, "0");
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}.${ms}${sign}${hh}${mm}`;
}

function adf(text: string): Record<string, unknown> {
  return {
    type: "doc",
    version: 1,
    content: text.split("\n").map((line) => ({
      type: "paragraph",
      content: [{ type: "text", text: line }],
    })),
  };
}

/** Options of {@linkcode jiraFixture}. */
export interface FixtureOptions {
  issues: number;
  projects?: string[];
  /** Epoch ms of the first issue's creation; later issues follow a minute apart. */
  start?: number;
  timeZone?: string;
  /** Most comments one issue gets (issue i gets i % (max + 1)). Default 7. */
  maxComments?: number;
  /** Most histories one issue gets. Default 6. */
  maxHistories?: number;
}

/** Deterministic issues with comments, histories, attachments, links and remote links. */
export function jiraFixture(options: FixtureOptions): FakeIssue[] {
  const projects = options.projects ?? ["ALPHA", "BETA"];
  const zone = options.timeZone ?? "Europe/Prague";
  const start = options.start ?? Date.UTC(2026, 0, 5, 8, 0, 0, 0);
  const maxComments = options.maxComments ?? 7;
  const maxHistories = options.maxHistories ?? 6;
  const statuses = [["To Do", "To Do"], ["In Progress", "In Progress"], ["Done", "Done"]];
  const issues: FakeIssue[] = [];
  const counters = new Map<string, number>();
  for (let i = 0; i < options.issues; i++) {
    const project = projects[i % projects.length];
    const number = (counters.get(project) ?? 0) + 1;
    counters.set(project, number);
    const id = String(10000 + i);
    const key = `${project}-${number}`;
    const created = start + i * 60_000 + (i % 1000);
    const [status, category] = statuses[i % 3];
    const reporter = USERS[i % 3];
    const assignee = i % 4 === 0 ? null : USERS[(i + 1) % 3];
    const histories = Array.from({ length: i % (maxHistories + 1) }, (_, h) => ({
      id: String(50000 + i * 20 + h),
      author: USERS[(i + h) % 3],
      created: jiraTime(created + (h + 1) * 7_000, zone),
      items: [
        {
          field: "status",
          fieldtype: "jira",
          fieldId: "status",
          from: "10000",
          fromString: "To Do",
          to: "3",
          toString: "In Progress",
        },
        ...(h % 2
          ? [{
            field: "labels",
            fieldtype: "jira",
            fieldId: "labels",
            from: null,
            fromString: "",
            to: null,
            toString: `label-${h}`,
          }]
          : []),
      ],
    }));
    const comments = Array.from({ length: i % (maxComments + 1) }, (_, c) => ({
      self: `https://example.atlassian.net/rest/api/3/issue/${id}/comment/${200000 + i * 20 + c}`,
      id: String(200000 + i * 20 + c),
      author: USERS[(i + c) % 3],
      updateAuthor: USERS[(i + c + 1) % 3],
      body: adf(`Comment ${c + 1} on ${key}\nsecond line ✓`),
      created: jiraTime(created + (c + 1) * 5_000, zone),
      updated: jiraTime(created + (c + 1) * 5_000 + (c % 2) * 1_000, zone),
      jsdPublic: c % 2 === 0,
    }));
    const lastTouch = created +
      Math.max(histories.length * 7_000, comments.length * 5_000 + 1_000, 0);
    const updated = lastTouch + 500;
    const attachments = Array.from({ length: i % 3 }, (_, a) => ({
      self: `https://example.atlassian.net/rest/api/3/attachment/${30000 + i * 5 + a}`,
      id: String(30000 + i * 5 + a),
      filename: `file-${i}-${a}.${a ? "png" : "pdf"}`,
      author: reporter,
      created: jiraTime(created + 1_000, zone),
      size: 1024 * (i + 1) + a,
      mimeType: a ? "image/png" : "application/pdf",
      content: `https://example.atlassian.net/rest/api/3/attachment/content/${30000 + i * 5 + a}`,
    }));
    const fields: Record<string, unknown> = {
      summary: `Issue ${i + 1}: ${i % 5 === 0 ? "Ünïcode — check" : "plain summary"}`,
      description: i % 6 === 5 ? null : adf(`Description of ${key}\nwith two lines`),
      project: {
        self: "",
        id: String(10 + projects.indexOf(project)),
        key: project,
        name: project,
      },
      issuetype: { id: String(10001 + (i % 2)), name: i % 2 ? "Bug" : "Story", subtask: false },
      status: {
        name: status,
        id: String(i % 3 + 1),
        statusCategory: { key: category.toLowerCase().replace(" ", ""), name: category },
      },
      priority: {
        id: String(i % 5 + 1),
        name: ["Highest", "High", "Medium", "Low", "Lowest"][i % 5],
      },
      resolution: status === "Done" ? { id: "10000", name: "Done" } : null,
      reporter,
      creator: reporter,
      assignee,
      labels: i % 3 === 0 ? [] : [`team-${i % 2}`, "backend"],
      components: i % 2 ? [{ id: "1", name: "API" }] : [],
      fixVersions: i % 4 === 1 ? [{ id: "7", name: "1.0" }, { id: "8", name: "1.1" }] : [],
      duedate: i % 3 === 1 ? `2026-0${(i % 9) + 1}-1${i % 10}` : null,
      timeoriginalestimate: i % 2 ? 3600 * (i % 8 + 1) : null,
      timespent: i % 3 === 2 ? 1800 * (i % 5 + 1) : null,
      created: jiraTime(created, zone),
      updated: jiraTime(updated, zone),
      resolutiondate: status === "Done" ? jiraTime(updated, zone) : null,
      parent: i % 7 === 3 && i > 0 ? { id: issues[0].id, key: issues[0].key } : undefined,
      attachment: attachments,
      issuelinks: [],
      customfield_10016: i % 2 ? (i % 8) + 0.5 : null,
      customfield_10020: i % 3 === 0 ? [{ id: 1, name: "Sprint 1", state: "active" }] : null,
      customfield_10100: i % 5 === 0 ? { value: "Option A", id: "10200" } : null,
    };
    if (!fields.parent) delete fields.parent;
    const remoteLinks = Array.from({ length: i % 3 === 2 ? 2 : 0 }, (_, r) => ({
      id: 60000 + i * 3 + r,
      self: `https://example.atlassian.net/rest/api/3/issue/${key}/remotelink/${60000 + i * 3 + r}`,
      globalId: `system=https://docs.example.com&id=${i}-${r}`,
      application: r ? { type: "com.atlassian.confluence", name: "Confluence" } : {},
      relationship: r ? "mentioned in" : "links to",
      object: {
        url: `https://docs.example.com/page/${i}/${r}`,
        title: `Doc ${i}.${r}`,
        summary: r ? `Summary ${i}` : undefined,
        icon: {},
      },
    }));
    issues.push({ id, key, fields, comments, histories, remoteLinks });
  }
  // Every fourth issue links to the next one ("blocks"), seen from both ends.
  for (let i = 0; i + 1 < issues.length; i += 4) {
    const source = issues[i], destination = issues[i + 1];
    const type = { id: "10000", name: "Blocks", inward: "is blocked by", outward: "blocks" };
    const id = String(70000 + i);
    (source.fields.issuelinks as unknown[]).push({
      id,
      type,
      outwardIssue: { id: destination.id, key: destination.key, fields: {} },
    });
    (destination.fields.issuelinks as unknown[]).push({
      id,
      type,
      inwardIssue: { id: source.id, key: source.key, fields: {} },
    });
  }
  return issues;
}

function errorBody(status: number, messages: string[], headers: Record<string, string> = {}) {
  return new Response(JSON.stringify({ errorMessages: messages, errors: {} }), {
    status,
    headers: { "content-type": "application/json;charset=UTF-8", ...headers },
  });
}

const SYSTEM_NAVIGABLE_EXCLUDED = new Set(["comment", "worklog"]);

/** The fields of `issue` a `fields` parameter selects. */
function selectFields(
  issue: FakeIssue,
  requested: string[],
  embeddedComments: number,
): Record<string, unknown> | undefined {
  const all: Record<string, unknown> = {
    ...issue.fields,
    comment: {
      comments: issue.comments.slice(0, embeddedComments),
      self: `/rest/api/3/issue/${issue.id}/comment`,
      maxResults: embeddedComments,
      total: issue.comments.length,
      startAt: 0,
    },
    worklog: { startAt: 0, maxResults: 20, total: 0, worklogs: [] },
  };
  const chosen = new Set<string>();
  for (const name of requested) {
    if (name === "*all") Object.keys(all).forEach((k) => chosen.add(k));
    else if (name === "*navigable") {
      Object.keys(all).filter((k) => !SYSTEM_NAVIGABLE_EXCLUDED.has(k)).forEach((k) =>
        chosen.add(k)
      );
    }
  }
  for (const name of requested) {
    if (name.startsWith("-")) chosen.delete(name.slice(1));
    else if (!name.startsWith("*") && name !== "id" && name !== "key" && name in all) {
      chosen.add(name);
    }
  }
  if (!chosen.size) return undefined;
  return Object.fromEntries([...chosen].map((k) => [k, all[k]]));
}

/** Starts the site. */
export function startJiraServer(options: JiraServerOptions): JiraServer {
  const timeZone = options.timeZone ?? "Europe/Prague";
  const embeddedComments = options.embeddedComments ?? 5;
  const embeddedHistories = options.embeddedHistories ?? 5;
  const pageCap = options.pageCap ?? 100;
  const expected = `Basic ${
    btoa(String.fromCharCode(...new TextEncoder().encode(`${options.email}:${options.token}`)))
  }`;
  const state: JiraServer = {
    url: "",
    timeZone,
    issues: options.issues,
    faults: [],
    requests: [],
    update(key, at, change) {
      const issue = state.issues.find((i) => i.key === key);
      if (!issue) throw new Error(`no issue ${key}`);
      change(issue);
      issue.fields.updated = jiraTime(at, timeZone);
      version++;
      return issue;
    },
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
  let base = "";
  // Search results by JQL, valid while no issue was updated, added or removed: a benchmark pages
  // through thousands of issues without re-sorting them for every page.
  let version = 0;
  const results = new Map<string, FakeIssue[]>();
  const matchingIssues = (jql: string, parsed: ReturnType<typeof parseJql>) => {
    const key = `${version}:${state.issues.length}:${jql}`;
    let found = results.get(key);
    if (!found) {
      found = sortIssues(state.issues.filter(parsed.matches), parsed.order);
      results.clear();
      results.set(key, found);
    }
    return found;
  };

  const findIssue = (idOrKey: string) =>
    state.issues.find((i) => i.id === idOrKey || i.key === idOrKey.toUpperCase());

  function search(params: Record<string, string | undefined>): Response {
    const jql = params.jql ?? "";
    let parsed;
    try {
      parsed = parseJql(jql, timeZone);
    } catch (error) {
      if (error instanceof JqlError) return errorBody(400, [error.message]);
      throw error;
    }
    if (!parsed.bounded) {
      return errorBody(400, [
        "Unbounded JQL queries are not allowed here. Please add a search restriction to your query.",
      ]);
    }
    const fields = (params.fields ?? "id").split(",").map((f) => f.trim()).filter(Boolean);
    const withFields = fields.some((f) => f !== "id");
    const maxResults = Math.min(Number(params.maxResults ?? 50) || 50, withFields ? 100 : 5000);
    let offset = 0;
    if (params.nextPageToken) {
      try {
        const token = JSON.parse(atob(params.nextPageToken));
        if (token.jql !== jql) throw new Error("other query");
        offset = token.offset;
      } catch {
        return errorBody(400, ["The provided next page token is invalid or expired."]);
      }
    }
    const matching = matchingIssues(jql, parsed);
    const page = matching.slice(offset, offset + maxResults);
    const expand = (params.expand ?? "").split(",").map((e) => e.trim());
    const issues = page.map((issue) => {
      const selected = selectFields(issue, fields, embeddedComments);
      return {
        expand:
          "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
        id: issue.id,
        self: `${base}/rest/api/3/issue/${issue.id}`,
        key: issue.key,
        ...(selected ? { fields: selected } : {}),
        ...(expand.includes("changelog")
          ? {
            changelog: {
              startAt: 0,
              maxResults: embeddedHistories,
              total: issue.histories.length,
              histories: issue.histories.slice(0, embeddedHistories),
            },
          }
          : {}),
      };
    });
    const isLast = offset + maxResults >= matching.length;
    return Response.json({
      issues,
      ...(isLast || state.dropNextPageToken ? {} : {
        nextPageToken: btoa(JSON.stringify({ jql, offset: offset + maxResults })),
      }),
      isLast,
    });
  }

  function paged<T>(items: T[], params: URLSearchParams) {
    const startAt = Math.max(0, Number(params.get("startAt") ?? 0));
    const maxResults = Math.min(Number(params.get("maxResults") ?? 50) || 50, pageCap);
    const cut = state.cutPaginationAt !== undefined && startAt >= state.cutPaginationAt;
    const values = cut ? [] : items.slice(startAt, startAt + maxResults);
    return { startAt, maxResults, total: items.length, values };
  }

  async function route(request: Request, url: URL): Promise<Response> {
    const path = url.pathname;
    if (path === "/rest/api/3/myself" && request.method === "GET") {
      return Response.json({
        self: `${base}/rest/api/3/user?accountId=${USERS[0].accountId}`,
        accountId: USERS[0].accountId,
        accountType: "atlassian",
        emailAddress: options.email,
        displayName: USERS[0].displayName,
        active: true,
        timeZone,
        locale: "en_US",
      });
    }
    if (path === "/rest/api/3/search/jql") {
      if (request.method === "GET") return search(Object.fromEntries(url.searchParams));
      if (request.method === "POST") {
        const body = await request.json().catch(() => undefined);
        if (!body || typeof body !== "object") {
          return errorBody(400, ["Request body is not valid JSON."]);
        }
        return search({
          jql: body.jql,
          nextPageToken: body.nextPageToken,
          maxResults: body.maxResults === undefined ? undefined : String(body.maxResults),
          fields: Array.isArray(body.fields) ? body.fields.join(",") : undefined,
          expand: body.expand,
        });
      }
      return errorBody(405, ["Method not allowed."]);
    }
    const m = /^\/rest\/api\/3\/issue\/([^/]+)\/(comment|changelog|remotelink)$/.exec(path);
    if (m && request.method === "GET") {
      const issue = findIssue(decodeURIComponent(m[1]));
      if (!issue) {
        return errorBody(404, ["Issue does not exist or you do not have permission to see it."]);
      }
      if (m[2] === "remotelink") return Response.json(issue.remoteLinks);
      if (m[2] === "comment") {
        const page = paged(issue.comments, url.searchParams);
        return Response.json({
          startAt: page.startAt,
          maxResults: page.maxResults,
          total: page.total,
          comments: page.values,
        });
      }
      const page = paged(issue.histories, url.searchParams);
      const isLast = page.startAt + page.values.length >= page.total;
      return Response.json({
        self: `${base}${path}?startAt=${page.startAt}&maxResults=${page.maxResults}`,
        ...(isLast ? {} : {
          nextPage: `${base}${path}?startAt=${
            page.startAt + page.maxResults
          }&maxResults=${page.maxResults}`,
        }),
        maxResults: page.maxResults,
        startAt: page.startAt,
        total: page.total,
        isLast,
        values: page.values,
      });
    }
    return errorBody(404, ["Not found"]);
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const authorized = request.headers.get("authorization") === expected;
    state.requests.push({
      method: request.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorized,
      at: Date.now(),
    });
    if (!authorized) {
      return errorBody(401, [
        "You are not authenticated. Authentication required to perform this operation.",
      ]);
    }
    const fault = state.faults.find((f) => f.times > 0 && url.pathname.startsWith(f.path));
    if (fault?.status) {
      fault.times--;
      return errorBody(
        fault.status,
        [fault.status === 429 ? "Rate limit exceeded." : "Internal server error."],
        fault.retryAfter ? { "Retry-After": fault.retryAfter } : {},
      );
    }
    const response = await route(request, url);
    if (fault?.truncate) {
      fault.times--;
      const bytes = new Uint8Array(await response.arrayBuffer());
      const half = bytes.slice(0, Math.floor(bytes.length / 2));
      // Announce the whole length, send half and end: the client sees the connection drop.
      const headers = new Headers(response.headers);
      headers.set("content-length", String(bytes.length));
      return new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(half);
            controller.close();
          },
        }),
        { status: response.status, headers },
      );
    }
    return response;
  }

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handle);
  base = `http://127.0.0.1:${server.addr.port}`;
  state.url = base;
  return state;
}

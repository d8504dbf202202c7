/**
 * A webhook sender that delivers as Jira Cloud does: `POST` of the JSON payload with
 * `Content-Type: application/json`, `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>`
 * when the webhook was registered with a secret, `X-Atlassian-Webhook-Identifier` (the same on
 * every retry of one delivery) and `X-Atlassian-Webhook-Retry` (the retry number, on retries
 * only). Payload builders produce the documented shapes (webhookEvent, timestamp, user, issue,
 * changelog, comment, issueLink), with rich text as webhooks send it (API v2 strings, not ADF).
 * Shared by the jira connector's tests, `dvt serve`'s tests and benchmarks.
 *
 * @module
 */
import type { FakeIssue, JiraUser } from "./jira_server.ts";

const encoder = new TextEncoder();

/** `sha256=<hex>`: the X-Hub-Signature Jira sends for `rawBody` signed with `secret`. */
export async function signJiraBody(secret: string, rawBody: string | Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const bytes = typeof rawBody === "string" ? encoder.encode(rawBody) : rawBody;
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, bytes as BufferSource));
  return `sha256=${Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** One delivery to send. */
export interface JiraDelivery {
  /** The payload; an object is serialised with JSON.stringify, a string is sent as is. */
  body: unknown;
  /** The webhook's secret; omitted means the request is sent unsigned. */
  secret?: string;
  /** X-Atlassian-Webhook-Identifier; default a random UUID. */
  identifier?: string;
  /** X-Atlassian-Webhook-Retry (sent when > 0). */
  retry?: number;
  /** Overrides the computed X-Hub-Signature (to forge one). */
  signature?: string;
}

/** The exact request Jira would send for a delivery: raw body and headers. */
export async function jiraRequest(
  delivery: JiraDelivery,
): Promise<{ body: string; headers: Record<string, string> }> {
  const body = typeof delivery.body === "string" ? delivery.body : JSON.stringify(delivery.body);
  const headers: Record<string, string> = {
    "Content-Type": "application/json; charset=utf-8",
    "User-Agent": "Atlassian Webhook HTTP Client",
    "X-Atlassian-Webhook-Identifier": delivery.identifier ?? crypto.randomUUID(),
  };
  if (delivery.retry) headers["X-Atlassian-Webhook-Retry"] = String(delivery.retry);
  const signature = delivery.signature ??
    (delivery.secret === undefined ? undefined : await signJiraBody(delivery.secret, body));
  if (signature !== undefined) headers["X-Hub-Signature"] = signature;
  return { body, headers };
}

/** POSTs one delivery to `url` as Jira would; returns the response (body not read). */
export async function sendJiraWebhook(url: string, delivery: JiraDelivery): Promise<Response> {
  const { body, headers } = await jiraRequest(delivery);
  return await fetch(url, { method: "POST", headers, body });
}

/** Text of an ADF document as a webhook carries rich text: a plain string. */
function webhookText(value: unknown): unknown {
  if (!value || typeof value !== "object") return value;
  const lines: string[] = [];
  for (const block of (value as { content?: { content?: { text?: string }[] }[] }).content ?? []) {
    lines.push((block.content ?? []).map((node) => node.text ?? "").join(""));
  }
  return lines.join("\n");
}

function webhookIssue(issue: FakeIssue, base: string) {
  return {
    id: issue.id,
    self: `${base}/rest/api/2/issue/${issue.id}`,
    key: issue.key,
    fields: { ...issue.fields, description: webhookText(issue.fields.description) },
  };
}

/** Options shared by the payload builders. */
export interface PayloadOptions {
  /** Epoch ms of the event (the payload's `timestamp`). */
  timestamp: number;
  /** The user who caused it. */
  user?: JiraUser;
  /** The site URL used in `self` links. */
  site?: string;
}

const DEFAULT_USER: JiraUser = {
  accountId: "5b10a2844c20165700ede21g",
  displayName: "Ada Lovelace",
  active: true,
  accountType: "atlassian",
};

/** A `jira:issue_created|updated|deleted` payload; updates may carry a changelog. */
export function issuePayload(
  event: "jira:issue_created" | "jira:issue_updated" | "jira:issue_deleted",
  issue: FakeIssue,
  options: PayloadOptions & {
    changelog?: { id: string; items: Record<string, unknown>[] };
  },
): Record<string, unknown> {
  const site = options.site ?? "https://example.atlassian.net";
  return {
    timestamp: options.timestamp,
    webhookEvent: event,
    issue_event_type_name: event === "jira:issue_updated"
      ? "issue_generic"
      : event.replace("jira:", ""),
    user: { self: `${site}/rest/api/2/user`, ...(options.user ?? DEFAULT_USER) },
    issue: webhookIssue(issue, site),
    ...(options.changelog ? { changelog: options.changelog } : {}),
  };
}

/** A `comment_created|updated|deleted` payload: the comment and a short issue. */
export function commentPayload(
  event: "comment_created" | "comment_updated" | "comment_deleted",
  issue: FakeIssue,
  comment: Record<string, unknown>,
  options: PayloadOptions,
): Record<string, unknown> {
  const site = options.site ?? "https://example.atlassian.net";
  const f = issue.fields;
  return {
    timestamp: options.timestamp,
    webhookEvent: event,
    comment: { ...comment, body: webhookText(comment.body) },
    issue: {
      id: issue.id,
      self: `${site}/rest/api/2/issue/${issue.id}`,
      key: issue.key,
      fields: {
        summary: f.summary,
        issuetype: f.issuetype,
        project: f.project,
        assignee: f.assignee,
        priority: f.priority,
        status: f.status,
      },
    },
  };
}

/** An `issuelink_created|deleted` payload (ids only, as Jira sends them). */
export function issueLinkPayload(
  event: "issuelink_created" | "issuelink_deleted",
  link: { id: number; sourceIssueId: number; destinationIssueId: number },
  options: PayloadOptions,
): Record<string, unknown> {
  return {
    timestamp: options.timestamp,
    webhookEvent: event,
    issueLink: {
      id: link.id,
      sourceIssueId: link.sourceIssueId,
      destinationIssueId: link.destinationIssueId,
      issueLinkType: {
        id: 10000,
        name: "Blocks",
        outwardName: "blocks",
        inwardName: "is blocked by",
        isSubTaskLinkType: false,
        isSystemLinkType: false,
      },
      systemLink: false,
    },
  };
}

/** One generated delivery: the payload and the identifier Jira would give it. */
export interface GeneratedEvent {
  identifier: string;
  body: Record<string, unknown>;
}

/**
 * `count` deterministic deliveries over `issues` cycling through issue updates (with a
 * changelog), comment creations, comment edits, issue-link creations and comment deletions;
 * event i has identifier `evt-<i>` and timestamp `start + i` ms. For load tests: receive() turns
 * each comment or link event into exactly one row (comments or issuelinks, ids unique per
 * event); an update gives one issues row and one changelog row (history id 800000 + i), plus
 * attachments and issuelinks rows when the issue has some.
 */
export function* jiraEvents(
  issues: FakeIssue[],
  count: number,
  start = Date.UTC(2026, 1, 1),
): Generator<GeneratedEvent> {
  for (let i = 0; i < count; i++) {
    const issue = issues[i % issues.length];
    const timestamp = start + i;
    const identifier = `evt-${i}`;
    const comment = {
      id: String(900000 + i),
      author: DEFAULT_USER,
      updateAuthor: DEFAULT_USER,
      body: `Webhook comment ${i}`,
      created: new Date(timestamp).toISOString().replace("Z", "+0000"),
      updated: new Date(timestamp).toISOString().replace("Z", "+0000"),
      jsdPublic: true,
    };
    let body: Record<string, unknown>;
    switch (i % 5) {
      case 0:
        body = issuePayload("jira:issue_updated", issue, {
          timestamp,
          changelog: {
            id: String(800000 + i),
            items: [{
              field: "summary",
              fieldtype: "jira",
              fieldId: "summary",
              from: null,
              fromString: "old",
              to: null,
              toString: `summary ${i}`,
            }],
          },
        });
        break;
      case 1:
        body = commentPayload("comment_created", issue, comment, { timestamp });
        break;
      case 2:
        body = commentPayload("comment_updated", issue, comment, { timestamp });
        break;
      case 3:
        body = issueLinkPayload("issuelink_created", {
          id: 700000 + i,
          sourceIssueId: Number(issue.id),
          destinationIssueId: Number(issues[(i + 1) % issues.length].id),
        }, { timestamp });
        break;
      default:
        body = commentPayload("comment_deleted", issue, comment, { timestamp });
    }
    yield { identifier, body };
  }
}

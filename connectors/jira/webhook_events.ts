/**
 * Jira Cloud webhook deliveries as rows of the batch tables. Issue events carry the issue (and,
 * for updates, the `changelog` of the change); comment events the `comment` and a short `issue`;
 * issue-link events the `issueLink` (ids only, no keys). Deletions are rows with
 * `deleted = true` (tombstones), so the current state of a table is, per primary key, the newest
 * row unless a tombstone exists. Events this connector has no table for return no rows.
 *
 * @module
 */
import { InputError } from "../../mod.ts";
import {
  attachmentRows,
  changelogRows,
  commentRow,
  issueLinkRows,
  issueRow,
  type JiraComment,
  type JiraIssue,
  type Row,
} from "./issue_rows.ts";

/** Rows per table that one event produces. */
export type EventTableRows = { table: string; rows: Row[] }[];

interface Payload {
  webhookEvent?: unknown;
  timestamp?: unknown;
  user?: { accountId?: string; displayName?: string };
  issue?: JiraIssue;
  comment?: JiraComment;
  changelog?: { id?: string; items?: unknown[] };
  issueLink?: {
    id?: number | string;
    sourceIssueId?: number | string;
    destinationIssueId?: number | string;
    issueLinkType?: {
      id?: number | string;
      name?: string;
      outwardName?: string;
      inwardName?: string;
    };
  };
}

function bad(event: string, what: string): never {
  throw new InputError(`Jira webhook ${event} has no ${what}`, {
    hint: "register the webhook with Jira's own payload (no custom body template)",
  });
}

function needIssue(event: string, payload: Payload): JiraIssue {
  const issue = payload.issue;
  if (!issue || typeof issue !== "object" || !issue.id || !issue.key) {
    bad(event, "issue id and key");
  }
  return issue;
}

function issueEvent(event: string, payload: Payload, deleted: boolean): EventTableRows {
  const issue = needIssue(event, payload);
  const out: EventTableRows = [{ table: "issues", rows: [issueRow(issue, deleted)] }];
  if (deleted) return out;
  const items = payload.changelog?.items;
  if (payload.changelog?.id && Array.isArray(items) && items.length) {
    if (typeof payload.timestamp !== "number") bad(event, "numeric timestamp");
    const history = {
      id: payload.changelog.id,
      author: payload.user,
      created: new Date(payload.timestamp).toISOString(),
      items: items as never,
    };
    out.push({ table: "changelog", rows: changelogRows(issue, history) });
  }
  // An update that is a comment (issue_event_type_name issue_commented) carries the comment.
  if (payload.comment && typeof payload.comment === "object" && payload.comment.id) {
    out.push({ table: "comments", rows: [commentRow(issue, payload.comment)] });
  }
  // The issue in a payload is complete: its attachments and links are the current ones.
  if (Array.isArray(issue.fields?.attachment)) {
    out.push({ table: "attachments", rows: attachmentRows(issue) });
  }
  if (Array.isArray(issue.fields?.issuelinks)) {
    out.push({ table: "issuelinks", rows: issueLinkRows(issue) });
  }
  return out.filter((part) => part.rows.length);
}

function commentEvent(event: string, payload: Payload, deleted: boolean): EventTableRows {
  const issue = needIssue(event, payload);
  const comment = payload.comment;
  if (!comment || typeof comment !== "object" || !comment.id) bad(event, "comment id");
  return [{ table: "comments", rows: [commentRow(issue, comment, deleted)] }];
}

function linkEvent(event: string, payload: Payload, deleted: boolean): EventTableRows {
  const link = payload.issueLink;
  if (!link || typeof link !== "object" || link.id === undefined) bad(event, "issueLink id");
  const type = link.issueLinkType;
  const row: Row = {
    id: String(link.id),
    source_issue_id: link.sourceIssueId === undefined ? null : String(link.sourceIssueId),
    source_issue_key: null,
    destination_issue_id: link.destinationIssueId === undefined
      ? null
      : String(link.destinationIssueId),
    destination_issue_key: null,
    type_id: type?.id === undefined ? null : String(type.id),
    type_name: type?.name ?? null,
    outward: type?.outwardName ?? null,
    inward: type?.inwardName ?? null,
    issue_updated: null,
    deleted,
  };
  return [{ table: "issuelinks", rows: [row] }];
}

/** The rows one webhook payload stands for; [] for events without a table here. */
export function eventRows(body: unknown): EventTableRows {
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    throw new InputError("the Jira webhook body is not a JSON object", {
      hint: "Jira sends application/json payloads with a webhookEvent field",
    });
  }
  const payload = body as Payload;
  const event = payload.webhookEvent;
  if (typeof event !== "string") {
    throw new InputError("the Jira webhook body has no webhookEvent", {
      hint: "Jira sends application/json payloads with a webhookEvent field",
    });
  }
  switch (event) {
    case "jira:issue_created":
    case "jira:issue_updated":
      return issueEvent(event, payload, false);
    case "jira:issue_deleted":
      return issueEvent(event, payload, true);
    case "comment_created":
    case "comment_updated":
      return commentEvent(event, payload, false);
    case "comment_deleted":
      return commentEvent(event, payload, true);
    case "issuelink_created":
      return linkEvent(event, payload, false);
    case "issuelink_deleted":
      return linkEvent(event, payload, true);
    default:
      return [];
  }
}

/**
 * Rows of the six tables from Jira's REST JSON (search results, comment, changelog and remote
 * link pages) and from webhook payloads, which carry the same objects. Each row is a record of
 * column name -> API value; `rowsBatch` turns rows into a batch of the table's schema.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import type { ApiValue } from "../../mod.ts";
import { batchFromValues, ConnectorError, ValueParseError } from "../../mod.ts";
import { richText } from "./adf_text.ts";
import { type JiraTable, tableSchema } from "./table_schemas.ts";

/** One row: column name -> value as the API sent it (parsed per column type later). */
export type Row = Record<string, ApiValue>;

/** A Jira user as issues, comments and histories embed it. */
interface User {
  accountId?: string;
  displayName?: string;
}

/** An issue as search and webhooks send it. */
export interface JiraIssue {
  id: string;
  key: string;
  fields?: Record<string, unknown>;
  changelog?: { startAt?: number; maxResults?: number; total?: number; histories?: History[] };
}

/** A comment (PageOfComments.comments[], webhook `comment`). */
export interface JiraComment {
  id: string;
  author?: User;
  updateAuthor?: User;
  body?: unknown;
  created?: string;
  updated?: string;
  jsdPublic?: boolean;
}

/** A changelog history entry. */
export interface History {
  id: string;
  author?: User;
  created?: string;
  items?: {
    field?: string;
    fieldtype?: string;
    fieldId?: string;
    from?: string | null;
    fromString?: string | null;
    to?: string | null;
    toString?: string | null;
  }[];
}

/** A remote issue link (GET /issue/{id}/remotelink). */
export interface RemoteLink {
  id: number | string;
  globalId?: string;
  relationship?: string;
  application?: { type?: string; name?: string };
  object?: { url?: string; title?: string; summary?: string };
}

/** An issue link as an issue's `issuelinks` field lists it. */
interface IssueLinkField {
  id: string;
  type?: { id?: string; name?: string; inward?: string; outward?: string };
  inwardIssue?: { id: string; key?: string };
  outwardIssue?: { id: string; key?: string };
}

type Named = { name?: string } | null | undefined;

const name = (value: unknown) => (value as Named)?.name ?? null;
const user = (value: unknown) => (value ?? null) as User | null;

function jsonText(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/** Non-null `customfield_*` values as one JSON object text, keys sorted; null when none. */
function customFields(fields: Record<string, unknown>): string | null {
  const custom = Object.keys(fields)
    .filter((key) => key.startsWith("customfield_") && fields[key] !== null)
    .sort()
    .map((key) => [key, fields[key]]);
  return custom.length ? JSON.stringify(Object.fromEntries(custom)) : null;
}

/** The issues row of one issue. */
export function issueRow(issue: JiraIssue, deleted = false): Row {
  const f = issue.fields ?? {};
  const project = f.project as { id?: string; key?: string } | undefined;
  const status = f.status as { name?: string; statusCategory?: { name?: string } } | undefined;
  return {
    id: issue.id,
    key: issue.key,
    project_id: project?.id ?? null,
    project_key: project?.key ?? null,
    issue_type: name(f.issuetype),
    status: status?.name ?? null,
    status_category: status?.statusCategory?.name ?? null,
    priority: name(f.priority),
    resolution: name(f.resolution),
    summary: (f.summary as string | undefined) ?? null,
    description: richText(f.description),
    reporter_account_id: user(f.reporter)?.accountId ?? null,
    reporter_name: user(f.reporter)?.displayName ?? null,
    assignee_account_id: user(f.assignee)?.accountId ?? null,
    assignee_name: user(f.assignee)?.displayName ?? null,
    creator_account_id: user(f.creator)?.accountId ?? null,
    parent_key: (f.parent as { key?: string } | undefined)?.key ?? null,
    labels: (f.labels as string[] | undefined) ?? null,
    components: (f.components as Named[] | undefined)?.map(name) ?? null,
    fix_versions: (f.fixVersions as Named[] | undefined)?.map(name) ?? null,
    due_date: (f.duedate as string | undefined) ?? null,
    time_original_estimate: (f.timeoriginalestimate as number | undefined) ?? null,
    time_spent: (f.timespent as number | undefined) ?? null,
    created: (f.created as string | undefined) ?? null,
    updated: (f.updated as string | undefined) ?? null,
    resolved: (f.resolutiondate as string | undefined) ?? null,
    custom_fields: customFields(f),
    deleted,
  };
}

/** The comments row of one comment of an issue. */
export function commentRow(
  issue: { id: string; key?: string },
  comment: JiraComment,
  deleted = false,
): Row {
  return {
    id: comment.id,
    issue_id: issue.id,
    issue_key: issue.key ?? null,
    author_account_id: comment.author?.accountId ?? null,
    author_name: comment.author?.displayName ?? null,
    update_author_account_id: comment.updateAuthor?.accountId ?? null,
    body: richText(comment.body),
    body_json: jsonText(comment.body),
    created: comment.created ?? null,
    updated: comment.updated ?? null,
    jsd_public: comment.jsdPublic ?? null,
    deleted,
  };
}

/** The changelog rows of one history entry: one per changed field. */
export function changelogRows(issue: { id: string; key?: string }, history: History): Row[] {
  return (history.items ?? []).map((item, index) => ({
    history_id: history.id,
    item_index: index,
    issue_id: issue.id,
    issue_key: issue.key ?? null,
    author_account_id: history.author?.accountId ?? null,
    author_name: history.author?.displayName ?? null,
    created: history.created ?? null,
    field: item.field ?? null,
    field_type: item.fieldtype ?? null,
    field_id: item.fieldId ?? null,
    from_value: item.from ?? null,
    from_string: item.fromString ?? null,
    to_value: item.to ?? null,
    to_string: item.toString ?? null,
  }));
}

/** The attachments rows of an issue (its `attachment` field). */
export function attachmentRows(issue: JiraIssue): Row[] {
  const attachments = (issue.fields?.attachment ?? []) as {
    id: string;
    filename?: string;
    mimeType?: string;
    size?: number;
    author?: User;
    created?: string;
    content?: string;
  }[];
  return attachments.map((a) => ({
    id: a.id,
    issue_id: issue.id,
    issue_key: issue.key,
    filename: a.filename ?? null,
    mime_type: a.mimeType ?? null,
    size: a.size ?? null,
    author_account_id: a.author?.accountId ?? null,
    author_name: a.author?.displayName ?? null,
    created: a.created ?? null,
    content_url: a.content ?? null,
  }));
}

/**
 * The issuelinks rows of an issue (its `issuelinks` field), oriented source -> destination: an
 * `outwardIssue` means this issue is the source, an `inwardIssue` that it is the destination.
 */
export function issueLinkRows(issue: JiraIssue): Row[] {
  const links = (issue.fields?.issuelinks ?? []) as IssueLinkField[];
  const self = { id: issue.id, key: issue.key };
  return links.map((link) => {
    const [source, destination] = link.outwardIssue
      ? [self, link.outwardIssue]
      : [link.inwardIssue ?? { id: null, key: null }, self];
    return {
      id: link.id,
      source_issue_id: source.id,
      source_issue_key: source.key ?? null,
      destination_issue_id: destination.id,
      destination_issue_key: destination.key ?? null,
      type_id: link.type?.id ?? null,
      type_name: link.type?.name ?? null,
      outward: link.type?.outward ?? null,
      inward: link.type?.inward ?? null,
      issue_updated: (issue.fields?.updated as string | undefined) ?? null,
      deleted: false,
    };
  });
}

/** The remote_links rows of an issue from its remotelink list. */
export function remoteLinkRows(issue: JiraIssue, links: RemoteLink[]): Row[] {
  return links.map((link) => ({
    id: String(link.id),
    issue_id: issue.id,
    issue_key: issue.key,
    global_id: link.globalId ?? null,
    relationship: link.relationship ?? null,
    url: link.object?.url ?? null,
    title: link.object?.title ?? null,
    summary: link.object?.summary ?? null,
    application_type: link.application?.type ?? null,
    application_name: link.application?.name ?? null,
    issue_updated: (issue.fields?.updated as string | undefined) ?? null,
  }));
}

/** A batch of `table`'s schema from rows; a value that does not fit its column fails the table. */
export function rowsBatch(
  arrow: typeof Arrow,
  table: JiraTable,
  rows: Row[],
  rowOffset = 0,
): Arrow.RecordBatch {
  const schema = tableSchema(arrow, table);
  try {
    return batchFromValues(
      arrow,
      schema,
      table.columns.map(([column]) => rows.map((row) => row[column] ?? null)),
      rowOffset,
    );
  } catch (error) {
    if (error instanceof ValueParseError) {
      throw new ConnectorError(`Jira table ${table.name}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/**
 * Reads one table: the search for the issues in scope (bounded by the incremental cursor), the
 * per-issue calls the table needs, rows past the cursor only, de-duplicated. The search overlaps
 * the previous run by up to a minute (JQL's precision), so rows at or before the cursor are
 * dropped here, and a row already yielded in this run (same issue key and `updated`, or the same
 * primary key) is not yielded twice when an issue moves between search pages.
 *
 * @module
 */
import type { CursorValue } from "../../mod.ts";
import { InputError, parseTimestampMicros } from "../../mod.ts";
import {
  attachmentRows,
  changelogRows,
  commentRow,
  issueLinkRows,
  type JiraIssue,
  remoteLinkRows,
  type Row,
} from "./issue_rows.ts";
import {
  issueComments,
  issueHistories,
  issueRemoteLinks,
  searchIssues,
  type SearchRequest,
} from "./issue_pages.ts";
import { issueRow } from "./issue_rows.ts";
import type { JiraApi } from "./jira_api.ts";
import { type JqlScope, searchJql } from "./jql.ts";
import type { JiraTable } from "./table_schemas.ts";

/**
 * Cursor columns whose value never exceeds the issue's own `updated` (adding or editing a
 * comment, a history entry, an attachment or a link updates the issue), so `updated >= cursor`
 * finds every row past the cursor.
 */
const BOUNDED_BY_ISSUE_UPDATED = new Set([
  "issues.updated",
  "issues.created",
  "comments.created",
  "comments.updated",
  "changelog.created",
  "attachments.created",
  "issuelinks.issue_updated",
  "remote_links.issue_updated",
]);

/** Fields (and expansion) each table asks the search for. */
const SEARCH_FIELDS: Record<string, { fields: string[]; expand?: string }> = {
  issues: { fields: ["*all", "-comment", "-attachment", "-issuelinks", "-worklog"] },
  comments: { fields: ["comment", "updated"] },
  changelog: { fields: ["updated"], expand: "changelog" },
  attachments: { fields: ["attachment", "updated"] },
  issuelinks: { fields: ["issuelinks", "updated"] },
  remote_links: { fields: ["updated"] },
};

/** An incremental cursor: the column, its value, and how to compare a row's value with it. */
interface Cursor {
  column: string;
  after: (value: unknown) => boolean;
  /** The instant to search from, when the column is bounded by the issue's `updated`. */
  since?: Date;
}

function cursorOf(table: JiraTable, key: string, value: CursorValue): Cursor {
  const column = table.columns.find(([name]) => name === key);
  if (!column) {
    throw new InputError(`Jira table ${table.name} has no column "${key}" to use as cursor`, {
      hint: `use ${table.cursorField}`,
    });
  }
  const kind = column[1];
  if (kind === "instant") {
    const micros = parseTimestampMicros(String(value));
    if (micros === undefined) {
      throw new InputError(`the cursor of Jira table ${table.name} is not a timestamp: ${value}`, {
        hint: "run with --full-refresh to start over",
      });
    }
    return {
      column: key,
      after: (v) => typeof v === "string" && (parseTimestampMicros(v) ?? -1n) > micros,
      since: BOUNDED_BY_ISSUE_UPDATED.has(`${table.name}.${key}`)
        ? new Date(Number(micros / 1000n))
        : undefined,
    };
  }
  if (kind === "int64" || kind === "int32") {
    const limit = BigInt(value);
    return {
      column: key,
      after: (v) => v !== null && v !== undefined && BigInt(v as string) > limit,
    };
  }
  return { column: key, after: (v) => v !== null && v !== undefined && String(v) > String(value) };
}

/** What {@linkcode readTableRows} needs. */
export interface TableRead {
  api: JiraApi;
  table: JiraTable;
  scope: JqlScope;
  /** The searching user's time zone, in which JQL reads dates. */
  timeZone: string;
  pageSize: number;
  incrementalKey?: string;
  incrementalValue?: CursorValue;
  warn: (message: string) => void;
}

async function rowsOfIssue(read: TableRead, issue: JiraIssue): Promise<Row[]> {
  const { api, pageSize } = read;
  switch (read.table.name) {
    case "issues":
      return [issueRow(issue)];
    case "comments":
      return (await issueComments(api, issue, pageSize)).map((c) => commentRow(issue, c));
    case "changelog":
      return (await issueHistories(api, issue, pageSize)).flatMap((h) => changelogRows(issue, h));
    case "attachments":
      return attachmentRows(issue);
    case "issuelinks":
      return issueLinkRows(issue);
    default: {
      const links = await issueRemoteLinks(api, issue);
      if (!links) read.warn(`issue ${issue.key} was deleted while its remote links were read`);
      return remoteLinkRows(issue, links ?? []);
    }
  }
}

/** Pages of the table's rows past the cursor, one per search page that has any. */
export async function* readTableRows(read: TableRead): AsyncGenerator<Row[]> {
  const { table } = read;
  const cursor = read.incrementalKey && read.incrementalValue !== undefined
    ? cursorOf(table, read.incrementalKey, read.incrementalValue)
    : undefined;
  const search = SEARCH_FIELDS[table.name];
  const request: SearchRequest = {
    jql: searchJql(read.scope, cursor?.since, read.timeZone),
    fields: search.fields,
    expand: search.expand,
    pageSize: read.pageSize,
  };
  const seen = new Set<string>();
  const identity = table.name === "issues"
    ? (row: Row) => `${row.key}\u0000${row.updated}`
    : (row: Row) => table.primaryKey.map((column) => String(row[column])).join("\u0000");
  for await (const issues of searchIssues(read.api, request)) {
    const rows: Row[] = [];
    for (const issue of issues) {
      for (const row of await rowsOfIssue(read, issue)) {
        if (cursor && !cursor.after(row[cursor.column])) continue;
        const id = identity(row);
        if (seen.has(id)) continue;
        seen.add(id);
        rows.push(row);
      }
    }
    if (rows.length) yield rows;
  }
}

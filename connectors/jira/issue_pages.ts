/**
 * Jira's paginations, each checked for completeness: the enhanced JQL search
 * (`GET /rest/api/3/search/jql`, `nextPageToken` until `isLast`), an issue's comments
 * (`GET /rest/api/3/issue/{id}/comment`, `startAt`/`maxResults`/`total`), its changelog
 * (`GET /rest/api/3/issue/{id}/changelog`, `startAt`/`total`/`isLast`) and its remote links
 * (`GET /rest/api/3/issue/{id}/remotelink`, one list). A pagination that stops before the total
 * it announced is an error, never the end of the data.
 *
 * @module
 */
import { ConnectorError } from "../../mod.ts";
import type { History, JiraComment, JiraIssue, RemoteLink } from "./issue_rows.ts";
import type { JiraApi } from "./jira_api.ts";

/** One page of the enhanced search. */
interface SearchPage {
  issues?: JiraIssue[];
  nextPageToken?: string | null;
  isLast?: boolean;
}

/** What to search for and which parts of each issue to return. */
export interface SearchRequest {
  jql: string;
  fields: string[];
  expand?: string;
  pageSize: number;
}

/** Pages of issues matching the JQL, in the search's order. */
export async function* searchIssues(
  api: JiraApi,
  request: SearchRequest,
): AsyncGenerator<JiraIssue[]> {
  let token: string | undefined;
  const seen = new Set<string>();
  for (let page = 1;; page++) {
    const body = await api.get<SearchPage>("/rest/api/3/search/jql", {
      jql: request.jql,
      fields: request.fields.join(","),
      expand: request.expand,
      maxResults: String(request.pageSize),
      nextPageToken: token,
    });
    if (!Array.isArray(body.issues)) {
      throw new ConnectorError(`Jira search page ${page} has no issues list`);
    }
    yield body.issues;
    // The last page carries isLast: true and no nextPageToken (JRACLOUD-92184).
    if (body.isLast === true || (body.isLast === undefined && !body.nextPageToken)) return;
    if (!body.nextPageToken) {
      throw new ConnectorError(
        `Jira search page ${page} says more issues follow (isLast: false) but gives no nextPageToken`,
      );
    }
    if (seen.has(body.nextPageToken)) {
      throw new ConnectorError(`Jira search page ${page} repeats an earlier nextPageToken`);
    }
    seen.add(body.nextPageToken);
    token = body.nextPageToken;
  }
}

/** A `startAt` pagination's progress; fails when a page comes back empty before the total. */
function advance(what: string, got: number, startAt: number, total: number): number {
  if (got === 0 && startAt < total) {
    throw new ConnectorError(
      `Jira ${what} stopped at ${startAt} of the ${total} entries it announced`,
    );
  }
  return startAt + got;
}

/** Every comment of an issue: the search's embedded first page, the rest from /comment. */
export async function issueComments(
  api: JiraApi,
  issue: JiraIssue,
  pageSize: number,
): Promise<JiraComment[]> {
  const embedded = issue.fields?.comment as
    | { comments?: JiraComment[]; total?: number; startAt?: number }
    | undefined;
  if (
    embedded?.comments && (embedded.startAt ?? 0) === 0 &&
    embedded.comments.length >= (embedded.total ?? 0)
  ) return embedded.comments;
  const comments: JiraComment[] = [];
  const what = `comments of ${issue.key}`;
  for (let startAt = 0, total = 1; startAt < total;) {
    const page = await api.get<{ comments?: JiraComment[]; total?: number }>(
      `/rest/api/3/issue/${encodeURIComponent(issue.id)}/comment`,
      { startAt: String(startAt), maxResults: String(pageSize), orderBy: "created" },
    );
    total = page.total ?? 0;
    comments.push(...(page.comments ?? []));
    startAt = advance(what, page.comments?.length ?? 0, startAt, total);
  }
  return comments;
}

/** Every history entry of an issue: the expanded changelog, the rest from /changelog. */
export async function issueHistories(
  api: JiraApi,
  issue: JiraIssue,
  pageSize: number,
): Promise<History[]> {
  const embedded = issue.changelog;
  if (
    embedded?.histories && (embedded.startAt ?? 0) === 0 &&
    embedded.histories.length >= (embedded.total ?? 0)
  ) return embedded.histories;
  const histories: History[] = [];
  const what = `changelog of ${issue.key}`;
  for (let startAt = 0, total = 1, last = false; !last && startAt < total;) {
    const page = await api.get<{ values?: History[]; total?: number; isLast?: boolean }>(
      `/rest/api/3/issue/${encodeURIComponent(issue.id)}/changelog`,
      { startAt: String(startAt), maxResults: String(pageSize) },
    );
    total = page.total ?? 0;
    histories.push(...(page.values ?? []));
    startAt = advance(what, page.values?.length ?? 0, startAt, total);
    last = page.isLast === true;
  }
  if (histories.length < (embedded?.total ?? 0)) {
    throw new ConnectorError(
      `Jira changelog of ${issue.key} delivered ${histories.length} of the ${embedded?.total} entries the search announced`,
    );
  }
  return histories;
}

/** The remote links of an issue; undefined when the issue was deleted since the search. */
export async function issueRemoteLinks(
  api: JiraApi,
  issue: JiraIssue,
): Promise<RemoteLink[] | undefined> {
  const links = await api.get<RemoteLink[]>(
    `/rest/api/3/issue/${encodeURIComponent(issue.id)}/remotelink`,
    {},
    { missingIsUndefined: true },
  );
  if (links !== undefined && !Array.isArray(links)) {
    throw new ConnectorError(`Jira remote links of ${issue.key} are not a list`);
  }
  return links;
}

// deno-lint-ignore-file no-explicit-any -- the tests read Jira JSON as it is served
/**
 * Shared pieces of the jira connector tests: credentials, the CLI arguments of a run against
 * the local site, and the rows each table must hold, computed from the served issues by the
 * tests' own reading of Jira's JSON (not by the connector's code).
 */
import { join } from "node:path";
import assert from "node:assert/strict";
import type { FakeIssue } from "../../servers/jira_server.ts";

export const EMAIL = "analyst@example.com";
export const TOKEN = "ATATT3xFfGF0-jira-test-token-0123456789";
export const ENV = { JIRA_EMAIL: EMAIL, JIRA_API_TOKEN: TOKEN };

/** `--set` arguments of a run against `url`. */
export function sets(url: string, extra: Record<string, string> = {}): string[] {
  return Object.entries({ url, page_size: "7", ...extra }).flatMap(([k, v]) => [
    "--set",
    `${k}=${v}`,
  ]);
}

/** Epoch ms of a Jira timestamp (`...+0100`). */
export function ms(text: unknown): number | null {
  return text ? Date.parse(String(text).replace(/([+-]\d{2})(\d{2})$/, "$1:$2")) : null;
}

function adfText(value: unknown): string | null {
  if (!value) return null;
  if (typeof value === "string") return value;
  return (value as { content: { content: { text: string }[] }[] }).content
    .map((p) => p.content.map((t) => t.text).join("")).join("\n");
}

/** Expected issues rows (SQL: see ISSUES_SQL). */
export function expectedIssues(issues: FakeIssue[]) {
  return issues.map((issue) => {
    const f = issue.fields as Record<string, any>;
    const custom = Object.fromEntries(
      Object.entries(f).filter(([k, v]) => k.startsWith("customfield_") && v !== null).sort(),
    );
    return {
      id: Number(issue.id),
      key: issue.key,
      project_key: f.project.key,
      issue_type: f.issuetype.name,
      status: f.status.name,
      status_category: f.status.statusCategory.name,
      priority: f.priority.name,
      resolution: f.resolution?.name ?? null,
      summary: f.summary,
      description: adfText(f.description),
      reporter_name: f.reporter.displayName,
      assignee_account_id: f.assignee?.accountId ?? null,
      parent_key: f.parent?.key ?? null,
      labels: JSON.stringify(f.labels),
      components: JSON.stringify(f.components.map((c: { name: string }) => c.name)),
      fix_versions: JSON.stringify(f.fixVersions.map((c: { name: string }) => c.name)),
      due_date: f.duedate,
      time_original_estimate: f.timeoriginalestimate,
      time_spent: f.timespent,
      created: ms(f.created),
      updated: ms(f.updated),
      resolved: ms(f.resolutiondate),
      custom_fields: Object.keys(custom).length ? JSON.stringify(custom) : null,
      deleted: false,
    };
  });
}

export const ISSUES_SQL =
  `SELECT id::INTEGER AS id, key, project_key, issue_type, status, status_category,
  priority, resolution, summary, description, reporter_name, assignee_account_id, parent_key,
  to_json(labels)::VARCHAR AS labels, to_json(components)::VARCHAR AS components,
  to_json(fix_versions)::VARCHAR AS fix_versions, due_date::VARCHAR AS due_date,
  time_original_estimate::INTEGER AS time_original_estimate, time_spent::INTEGER AS time_spent,
  epoch_ms(created)::DOUBLE AS created, epoch_ms(updated)::DOUBLE AS updated,
  epoch_ms(resolved)::DOUBLE AS resolved, custom_fields, deleted
  FROM issues ORDER BY id`;

/** Expected comments rows (SQL: see COMMENTS_SQL). */
export function expectedComments(issues: FakeIssue[]) {
  return issues.flatMap((issue) =>
    issue.comments.map((c: Record<string, any>) => ({
      id: Number(c.id),
      issue_id: Number(issue.id),
      issue_key: issue.key,
      author_account_id: c.author.accountId,
      update_author_account_id: c.updateAuthor.accountId,
      body: adfText(c.body),
      body_json: JSON.stringify(c.body),
      created: ms(c.created),
      updated: ms(c.updated),
      jsd_public: c.jsdPublic,
      deleted: false,
    }))
  ).sort((a, b) => a.id - b.id);
}

export const COMMENTS_SQL = `SELECT id::INTEGER AS id, issue_id::INTEGER AS issue_id, issue_key,
  author_account_id, update_author_account_id, body, body_json,
  epoch_ms(created)::DOUBLE AS created, epoch_ms(updated)::DOUBLE AS updated, jsd_public, deleted
  FROM comments ORDER BY id`;

/** Expected changelog rows. */
export function expectedChangelog(issues: FakeIssue[]) {
  return issues.flatMap((issue) =>
    issue.histories.flatMap((h: Record<string, any>) =>
      h.items.map((item: Record<string, any>, index: number) => ({
        history_id: Number(h.id),
        item_index: index,
        issue_key: issue.key,
        author_name: h.author.displayName,
        created: ms(h.created),
        field: item.field,
        from_string: item.fromString,
        to_value: item.to,
        to_string: item.toString,
      }))
    )
  ).sort((a, b) => a.history_id - b.history_id || a.item_index - b.item_index);
}

export const CHANGELOG_SQL = `SELECT history_id::INTEGER AS history_id, item_index, issue_key,
  author_name, epoch_ms(created)::DOUBLE AS created, field, from_string, to_value, to_string
  FROM changelog ORDER BY history_id, item_index`;

/** Expected attachments rows. */
export function expectedAttachments(issues: FakeIssue[]) {
  return issues.flatMap((issue) =>
    (issue.fields.attachment as Record<string, any>[]).map((a) => ({
      id: Number(a.id),
      issue_key: issue.key,
      filename: a.filename,
      mime_type: a.mimeType,
      size: a.size,
      created: ms(a.created),
      content_url: a.content,
    }))
  ).sort((a, b) => a.id - b.id);
}

export const ATTACHMENTS_SQL = `SELECT id::INTEGER AS id, issue_key, filename, mime_type,
  size::INTEGER AS size, epoch_ms(created)::DOUBLE AS created, content_url
  FROM attachments ORDER BY id`;

/** Expected issuelinks rows: each link once, oriented source (outward side) -> destination. */
export function expectedLinks(issues: FakeIssue[]) {
  const links = new Map<number, Record<string, unknown>>();
  for (const issue of issues) {
    for (const link of issue.fields.issuelinks as Record<string, any>[]) {
      if (!link.outwardIssue) continue;
      links.set(Number(link.id), {
        id: Number(link.id),
        source_issue_key: issue.key,
        destination_issue_key: link.outwardIssue.key,
        type_name: link.type.name,
        outward: link.type.outward,
      });
    }
  }
  return [...links.values()].sort((a, b) => (a.id as number) - (b.id as number));
}

export const LINKS_SQL = `SELECT id::INTEGER AS id, source_issue_key, destination_issue_key,
  type_name, outward FROM issuelinks ORDER BY id`;

/** Expected remote_links rows. */
export function expectedRemoteLinks(issues: FakeIssue[]) {
  return issues.flatMap((issue) =>
    issue.remoteLinks.map((l: Record<string, any>) => ({
      id: l.id,
      issue_key: issue.key,
      global_id: l.globalId,
      relationship: l.relationship,
      url: l.object.url,
      title: l.object.title,
      summary: l.object.summary ?? null,
      application_name: l.application.name ?? null,
    }))
  ).sort((a, b) => a.id - b.id);
}

export const REMOTE_LINKS_SQL = `SELECT id::INTEGER AS id, issue_key, global_id, relationship,
  url, title, summary, application_name FROM remote_links ORDER BY id`;

/** Fails when the token appears in any text or any file under `dir`. */
export async function assertNoToken(dir: string, ...texts: string[]) {
  for (const text of texts) assert(!text.includes(TOKEN), "token in CLI output");
  const walk = async (path: string): Promise<void> => {
    for await (const entry of Deno.readDir(path)) {
      const child = join(path, entry.name);
      if (entry.isDirectory) await walk(child);
      else {
        const text = new TextDecoder("latin1").decode(await Deno.readFile(child));
        assert(!text.includes(TOKEN), `token in ${child}`);
      }
    }
  };
  await walk(dir);
}

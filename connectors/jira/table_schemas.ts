/**
 * The six Jira tables: their Arrow schemas, keys and cursor columns. Timestamps are instants
 * (microseconds, UTC); ids Jira sends as numeric strings are Int64; lists stay lists. Custom
 * fields vary per site, so `issues.custom_fields` keeps every non-null `customfield_*` value as
 * JSON text (query it with DuckDB's `->>`), next to the commonly used system fields typed.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";

/** Column kinds and the Arrow type each is stored as. */
const KINDS = {
  text: (arrow: typeof Arrow) => new arrow.Utf8(),
  int64: (arrow: typeof Arrow) => new arrow.Int64(),
  int32: (arrow: typeof Arrow) => new arrow.Int32(),
  bool: (arrow: typeof Arrow) => new arrow.Bool(),
  date: (arrow: typeof Arrow) => new arrow.DateDay(),
  instant: (arrow: typeof Arrow) => new arrow.TimestampMicrosecond("UTC"),
  texts: (arrow: typeof Arrow) => new arrow.List(new arrow.Field("item", new arrow.Utf8())),
} as const;

/** A column kind. */
export type ColumnKind = keyof typeof KINDS;

/** One column: name, kind, and `false` when it is never null. */
export type Column = [name: string, kind: ColumnKind, nullable?: false];

/** A table's static description. */
export interface JiraTable {
  name: string;
  description: string;
  columns: Column[];
  primaryKey: string[];
  /** The column the runtime's incremental cursor should follow. */
  cursorField: string;
}

/** Every table, in discover order. */
export const JIRA_TABLES: JiraTable[] = [
  {
    name: "issues",
    description: "Jira issues (one row per issue version; deleted = true records a deletion)",
    primaryKey: ["id"],
    cursorField: "updated",
    columns: [
      ["id", "int64", false],
      ["key", "text", false],
      ["project_id", "int64"],
      ["project_key", "text"],
      ["issue_type", "text"],
      ["status", "text"],
      ["status_category", "text"],
      ["priority", "text"],
      ["resolution", "text"],
      ["summary", "text"],
      ["description", "text"],
      ["reporter_account_id", "text"],
      ["reporter_name", "text"],
      ["assignee_account_id", "text"],
      ["assignee_name", "text"],
      ["creator_account_id", "text"],
      ["parent_key", "text"],
      ["labels", "texts"],
      ["components", "texts"],
      ["fix_versions", "texts"],
      ["due_date", "date"],
      ["time_original_estimate", "int64"],
      ["time_spent", "int64"],
      ["created", "instant"],
      ["updated", "instant"],
      ["resolved", "instant"],
      ["custom_fields", "text"],
      ["deleted", "bool", false],
    ],
  },
  {
    name: "comments",
    description: "Comments on Jira issues (deleted = true records a deletion)",
    primaryKey: ["id"],
    cursorField: "updated",
    columns: [
      ["id", "int64", false],
      ["issue_id", "int64", false],
      ["issue_key", "text"],
      ["author_account_id", "text"],
      ["author_name", "text"],
      ["update_author_account_id", "text"],
      ["body", "text"],
      ["body_json", "text"],
      ["created", "instant"],
      ["updated", "instant"],
      ["jsd_public", "bool"],
      ["deleted", "bool", false],
    ],
  },
  {
    name: "changelog",
    description: "Field changes of Jira issues: one row per changed field of a history entry",
    primaryKey: ["history_id", "item_index"],
    cursorField: "created",
    columns: [
      ["history_id", "int64", false],
      ["item_index", "int32", false],
      ["issue_id", "int64", false],
      ["issue_key", "text"],
      ["author_account_id", "text"],
      ["author_name", "text"],
      ["created", "instant"],
      ["field", "text"],
      ["field_type", "text"],
      ["field_id", "text"],
      ["from_value", "text"],
      ["from_string", "text"],
      ["to_value", "text"],
      ["to_string", "text"],
    ],
  },
  {
    name: "attachments",
    description: "Attachments of Jira issues (metadata and content URL, not the content)",
    primaryKey: ["id"],
    cursorField: "created",
    columns: [
      ["id", "int64", false],
      ["issue_id", "int64", false],
      ["issue_key", "text"],
      ["filename", "text"],
      ["mime_type", "text"],
      ["size", "int64"],
      ["author_account_id", "text"],
      ["author_name", "text"],
      ["created", "instant"],
      ["content_url", "text"],
    ],
  },
  {
    name: "issuelinks",
    description:
      "Links between Jira issues, source -> destination (deleted = true records removal)",
    primaryKey: ["id"],
    cursorField: "issue_updated",
    columns: [
      ["id", "int64", false],
      ["source_issue_id", "int64"],
      ["source_issue_key", "text"],
      ["destination_issue_id", "int64"],
      ["destination_issue_key", "text"],
      ["type_id", "int64"],
      ["type_name", "text"],
      ["outward", "text"],
      ["inward", "text"],
      ["issue_updated", "instant"],
      ["deleted", "bool", false],
    ],
  },
  {
    name: "remote_links",
    description: "Remote links (web links, Confluence pages) of Jira issues",
    primaryKey: ["id"],
    cursorField: "issue_updated",
    columns: [
      ["id", "int64", false],
      ["issue_id", "int64", false],
      ["issue_key", "text"],
      ["global_id", "text"],
      ["relationship", "text"],
      ["url", "text"],
      ["title", "text"],
      ["summary", "text"],
      ["application_type", "text"],
      ["application_name", "text"],
      ["issue_updated", "instant"],
    ],
  },
];

/** The named table, or undefined. */
export function jiraTable(name: string): JiraTable | undefined {
  return JIRA_TABLES.find((table) => table.name === name);
}

const schemas = new WeakMap<JiraTable, Arrow.Schema>();

/** The Arrow schema of a table (built once per table: receive() builds a batch per event). */
export function tableSchema(arrow: typeof Arrow, table: JiraTable): Arrow.Schema {
  let schema = schemas.get(table);
  if (!schema) schemas.set(table, schema = buildSchema(arrow, table));
  return schema;
}

function buildSchema(arrow: typeof Arrow, table: JiraTable): Arrow.Schema {
  return new arrow.Schema(
    table.columns.map(([name, kind, nullable]) =>
      new arrow.Field(name, KINDS[kind](arrow), nullable ?? true)
    ),
  );
}

/**
 * Plain text of an Atlassian Document Format (ADF) document, the rich-text JSON REST API v3
 * returns for descriptions and comment bodies (webhooks and API v2 send wiki-markup strings,
 * which pass through unchanged). Block nodes end a line; mentions, emoji, dates and cards keep
 * their visible text, so the column reads like the issue does.
 *
 * @module
 */

interface AdfNode {
  type?: string;
  text?: string;
  attrs?: Record<string, unknown>;
  content?: AdfNode[];
}

const BLOCKS = new Set([
  "paragraph",
  "heading",
  "blockquote",
  "codeBlock",
  "listItem",
  "tableRow",
  "panel",
  "rule",
  "mediaSingle",
  "expand",
]);

function inlineText(node: AdfNode): string {
  const attrs = node.attrs ?? {};
  switch (node.type) {
    case "text":
      return node.text ?? "";
    case "hardBreak":
      return "\n";
    case "mention":
      return String(attrs.text ?? "");
    case "emoji":
      return String(attrs.text ?? attrs.shortName ?? "");
    case "inlineCard":
    case "blockCard":
      return String(attrs.url ?? "");
    case "date":
      return attrs.timestamp ? new Date(Number(attrs.timestamp)).toISOString().slice(0, 10) : "";
    case "status":
      return String(attrs.text ?? "");
    default:
      return "";
  }
}

function collect(node: AdfNode, lines: string[], current: string[]): void {
  if (node.content) {
    const block = BLOCKS.has(node.type ?? "");
    for (const child of node.content) collect(child, lines, current);
    if (block && current.length) lines.push(current.splice(0).join(""));
    return;
  }
  current.push(inlineText(node));
}

/** The text of a description or body: ADF flattened, a string as is, null for null. */
export function richText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value !== "object") return String(value);
  const lines: string[] = [];
  const current: string[] = [];
  collect(value as AdfNode, lines, current);
  if (current.length) lines.push(current.join(""));
  return lines.join("\n");
}

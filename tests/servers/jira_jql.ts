/**
 * The JQL the local Jira server (jira_server.ts) evaluates: AND/OR/NOT, parentheses,
 * `field = | != | > | >= | < | <= value`, `field [NOT] IN (values)`, `field IS [NOT] EMPTY` and
 * `ORDER BY field [ASC|DESC], ...` over project, key, id, status, issuetype, priority, labels,
 * assignee, created, updated and resolution. Dates are `yyyy-MM-dd[ HH:mm]` or
 * `yyyy/MM/dd[ HH:mm]` read in the searching user's time zone, compared to the minute, as Jira
 * does. Anything else is a JQL error (HTTP 400 with Jira's error body), so a connector that
 * sends JQL Jira would refuse fails here too.
 *
 * @module
 */

/** An issue as the evaluator sees it. */
export interface JqlIssue {
  id: string;
  key: string;
  fields: Record<string, unknown>;
}

/** A JQL syntax or semantic error, with Jira's wording. */
export class JqlError extends Error {}

type Token = { kind: "word" | "string" | "op" | "punct"; text: string };

function tokenize(jql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < jql.length) {
    const c = jql[i];
    if (/\s/.test(c)) i++;
    else if (c === '"' || c === "'") {
      let text = "";
      i++;
      while (i < jql.length && jql[i] !== c) {
        if (jql[i] === "\\") i++;
        text += jql[i++];
      }
      if (i >= jql.length) throw new JqlError("Error in the JQL Query: unterminated string.");
      i++;
      tokens.push({ kind: "string", text });
    } else if ("(),".includes(c)) {
      tokens.push({ kind: "punct", text: c });
      i++;
    } else if ("=!<>~".includes(c)) {
      const two = jql.slice(i, i + 2);
      const op = [">=", "<=", "!=", "!~"].includes(two) ? two : c;
      tokens.push({ kind: "op", text: op });
      i += op.length;
    } else {
      const m = /^[^\s(),=!<>~"']+/.exec(jql.slice(i))!;
      tokens.push({ kind: "word", text: m[0] });
      i += m[0].length;
    }
  }
  return tokens;
}

type Predicate = (issue: JqlIssue) => boolean;

/** A parsed query: its condition, sort order and whether it restricts anything. */
export interface ParsedJql {
  matches: Predicate;
  order: { field: string; descending: boolean }[];
  bounded: boolean;
}

const FIELDS = new Set([
  "project",
  "key",
  "issuekey",
  "id",
  "status",
  "issuetype",
  "type",
  "priority",
  "labels",
  "assignee",
  "created",
  "updated",
  "resolution",
]);
const DATE_FIELDS = new Set(["created", "updated"]);

/** Milliseconds since the epoch of a wall-clock time in an IANA zone. */
export function zonedMillis(
  parts: [number, number, number, number, number],
  timeZone: string,
): number {
  const [y, mo, d, h, mi] = parts;
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  const offset = (at: number) => {
    const p = Object.fromEntries(
      new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
      }).formatToParts(at).map((x) => [x.type, Number(x.value)]),
    );
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - at;
  };
  const first = guess - offset(guess);
  return guess - offset(first);
}

function jqlDate(text: string, timeZone: string): number {
  const m = /^(\d{4})[-/](\d{2})[-/](\d{2})(?: (\d{2}):(\d{2}))?$/.exec(text);
  if (!m) {
    throw new JqlError(
      `Date value '${text}' for field 'updated' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.`,
    );
  }
  const [, y, mo, d, h = "0", mi = "0"] = m;
  return zonedMillis([+y, +mo, +d, +h, +mi], timeZone);
}

/** The comparable value(s) of an issue's field. */
export function fieldValue(issue: JqlIssue, field: string): unknown {
  const f = issue.fields;
  switch (field) {
    case "project":
      return [(f.project as { key: string })?.key, (f.project as { id: string })?.id];
    case "key":
    case "issuekey":
      return issue.key;
    case "id":
      return Number(issue.id);
    case "status":
      return (f.status as { name?: string })?.name;
    case "issuetype":
    case "type":
      return (f.issuetype as { name?: string })?.name;
    case "priority":
      return (f.priority as { name?: string })?.name;
    case "resolution":
      return (f.resolution as { name?: string } | null)?.name ?? null;
    case "assignee":
      return (f.assignee as { accountId?: string } | null)?.accountId ?? null;
    case "labels":
      return f.labels;
    default:
      return f[field] ? Date.parse(String(f[field]).replace(/([+-]\d{2})(\d{2})$/, "$1:$2")) : null;
  }
}

function keyOrder(key: string): [string, number] {
  const [project, number] = key.split("-");
  return [project, Number(number)];
}

function compare(op: string, actual: unknown, expected: unknown): boolean {
  if (Array.isArray(actual)) {
    const hit = actual.some((a) => a !== undefined && compare("=", a, expected));
    return op === "!=" ? !hit : op === "=" ? hit : false;
  }
  if (actual === null || actual === undefined) return false;
  if (typeof actual === "string" && typeof expected === "string") {
    if (op === "=") return actual.toLowerCase() === expected.toLowerCase();
    if (op === "!=") return actual.toLowerCase() !== expected.toLowerCase();
    if (/^[A-Z][A-Z0-9_]*-\d+$/i.test(actual)) {
      const [ap, an] = keyOrder(actual.toUpperCase());
      const [ep, en] = keyOrder(expected.toUpperCase());
      const c = ap === ep ? an - en : ap < ep ? -1 : 1;
      return { ">": c > 0, ">=": c >= 0, "<": c < 0, "<=": c <= 0 }[op] ?? false;
    }
    throw new JqlError(`The operator '${op}' is not supported by this field.`);
  }
  const a = Number(actual), e = Number(expected);
  return { "=": a === e, "!=": a !== e, ">": a > e, ">=": a >= e, "<": a < e, "<=": a <= e }[op] ??
    false;
}

/** Parses a JQL query; `timeZone` is the searching user's. */
export function parseJql(jql: string, timeZone: string): ParsedJql {
  const tokens = tokenize(jql);
  let at = 0;
  let clauses = 0;
  const peek = () => tokens[at];
  const isWord = (text: string) => peek()?.kind === "word" && peek().text.toUpperCase() === text;
  const expectPunct = (text: string) => {
    if (peek()?.text !== text || peek()?.kind !== "punct") {
      throw new JqlError(
        `Error in the JQL Query: Expecting '${text}' but got '${peek()?.text ?? "end of query"}'.`,
      );
    }
    at++;
  };
  const value = (field: string): unknown => {
    const token = tokens[at++];
    if (!token || (token.kind !== "word" && token.kind !== "string")) {
      throw new JqlError(
        `Error in the JQL Query: Expecting either a value, list or function but got '${
          token?.text ?? "end of query"
        }'.`,
      );
    }
    if (DATE_FIELDS.has(field)) return jqlDate(token.text, timeZone);
    return field === "id" ? Number(token.text) : token.text;
  };
  const clause = (): Predicate => {
    const token = tokens[at++];
    const field = token?.text.toLowerCase();
    if (!token || token.kind === "punct" || !FIELDS.has(field)) {
      throw new JqlError(
        `Field '${token?.text ?? ""}' does not exist or you do not have permission to view it.`,
      );
    }
    clauses++;
    if (isWord("IS")) {
      at++;
      const not = isWord("NOT") ? (at++, true) : false;
      if (!isWord("EMPTY") && !isWord("NULL")) throw new JqlError("Expecting EMPTY after IS.");
      at++;
      return (issue) => {
        const v = fieldValue(issue, field);
        const empty = v === null || v === undefined || (Array.isArray(v) && !v.length);
        return not ? !empty : empty;
      };
    }
    const not = isWord("NOT") ? (at++, true) : false;
    if (isWord("IN")) {
      at++;
      expectPunct("(");
      const values = [value(field)];
      while (peek()?.text === ",") {
        at++;
        values.push(value(field));
      }
      expectPunct(")");
      return (issue) => {
        const v = fieldValue(issue, field);
        const hit = values.some((e) => compare("=", v, e));
        return not ? !hit : hit;
      };
    }
    if (not) throw new JqlError("Expecting IN after NOT.");
    const op = tokens[at++];
    if (op?.kind !== "op" || op.text.includes("~")) {
      throw new JqlError(
        `Error in the JQL Query: Expecting operator but got '${op?.text ?? "end of query"}'.`,
      );
    }
    const expected = value(field);
    return (issue) => compare(op.text, fieldValue(issue, field), expected);
  };
  const factor = (): Predicate => {
    if (isWord("NOT")) {
      at++;
      const inner = factor();
      return (issue) => !inner(issue);
    }
    if (peek()?.text === "(" && peek().kind === "punct") {
      at++;
      const inner = expr();
      expectPunct(")");
      return inner;
    }
    return clause();
  };
  const term = (): Predicate => {
    const parts = [factor()];
    while (isWord("AND")) {
      at++;
      parts.push(factor());
    }
    return (issue) => parts.every((p) => p(issue));
  };
  const expr = (): Predicate => {
    const parts = [term()];
    while (isWord("OR")) {
      at++;
      parts.push(term());
    }
    return (issue) => parts.some((p) => p(issue));
  };
  const matches = peek() && !isWord("ORDER") ? expr() : () => true;
  const order: ParsedJql["order"] = [];
  if (isWord("ORDER")) {
    at++;
    if (!isWord("BY")) throw new JqlError("Error in the JQL Query: Expecting 'BY' after 'ORDER'.");
    at++;
    do {
      if (peek()?.text === ",") at++;
      const field = tokens[at++]?.text.toLowerCase();
      if (!field || !FIELDS.has(field)) {
        throw new JqlError(
          `Field '${field}' does not exist or you do not have permission to view it.`,
        );
      }
      let descending = false;
      if (isWord("ASC") || isWord("DESC")) descending = tokens[at++].text.toUpperCase() === "DESC";
      order.push({ field, descending });
    } while (peek()?.text === ",");
  }
  if (at < tokens.length) {
    throw new JqlError(`Error in the JQL Query: Unexpected '${peek().text}'.`);
  }
  return { matches, order, bounded: clauses > 0 };
}

/** Sorts issues by a parsed ORDER BY (then by key, descending, as Jira's default order). */
export function sortIssues<T extends JqlIssue>(issues: T[], order: ParsedJql["order"]): T[] {
  const keys = order.length ? order : [{ field: "key", descending: true }];
  const value = (issue: T, field: string) =>
    field === "key" || field === "issuekey"
      ? keyOrder(issue.key)
      : fieldValue(issue, field) as number | string;
  return [...issues].sort((a, b) => {
    for (const { field, descending } of keys) {
      const x = value(a, field), y = value(b, field);
      let c: number;
      if (Array.isArray(x) && Array.isArray(y)) {
        c = x[0] === y[0] ? (x[1] as number) - (y[1] as number) : x[0] < y[0] ? -1 : 1;
      } else c = x === y ? 0 : (x ?? -Infinity) < (y ?? -Infinity) ? -1 : 1;
      if (c) return descending ? -c : c;
    }
    return 0;
  });
}

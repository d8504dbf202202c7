/**
 * The SELECT a read runs: projection, filter pushdown (the protocol's Filter form) and the
 * incremental cursor. Identifiers and literals are quoted with mod.ts's helpers (SQLite accepts
 * standard SQL quoting). Datetime cursors compare through strftime at millisecond precision, so
 * `2026-01-01T10:00:00Z` and `2026-01-01 10:00:00.000` are the same instant whatever the text form.
 * Reads go page by page (see SelectRequest.page) because node:sqlite's `iterate()` in Deno 2.9
 * ends silently, as if the table were empty, when a step fails (e.g. the table was dropped);
 * `all()` reports the error.
 *
 * @module
 */
import {
  type CursorValue,
  type Filter,
  InputError,
  quoteIdentifier,
  quoteLiteral,
} from "../../mod.ts";
import type { ColumnPlan } from "./affinity.ts";

/** The name of SQLite's implicit row id, exposed as a column when config `rowid` is true. */
export const ROWID = "rowid";

const OPERATORS: Record<string, string> = {
  "=": "=",
  "!=": "<>",
  "<": "<",
  "<=": "<=",
  ">": ">",
  ">=": ">=",
};

function literal(value: CursorValue, column: ColumnPlan): string {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new InputError(`filter value ${value} on "${column.name}" is not a finite number`);
    }
    return String(value);
  }
  if (column.affinity === "INTEGER" && /^-?\d+$/.test(value)) return value;
  if (column.temporal === "date" && /^\d{4}-\d{2}-\d{2}T/.test(value)) {
    return quoteLiteral(value.slice(0, 10));
  }
  return quoteLiteral(value);
}

function operand(column: ColumnPlan): string {
  const name = column.rowid ? ROWID : quoteIdentifier(column.name);
  return column.temporal === "datetime" ? `strftime('%Y-%m-%d %H:%M:%f', ${name})` : name;
}

function compare(column: ColumnPlan, sqlOp: string, value: CursorValue): string {
  const right = column.temporal === "datetime"
    ? `strftime('%Y-%m-%d %H:%M:%f', ${literal(value, column)})`
    : literal(value, column);
  return `${operand(column)} ${sqlOp} ${right}`;
}

function condition(column: ColumnPlan, op: string, value: unknown): string {
  if (op === "in") {
    if (!Array.isArray(value) || value.length === 0) {
      throw new InputError(`filter on "${column.name}": "in" needs a non-empty list of values`);
    }
    return value.map((v) => compare(column, "=", v as CursorValue)).join(" OR ");
  }
  const sqlOp = OPERATORS[op];
  if (!sqlOp) {
    throw new InputError(`unknown filter operator "${op}" on "${column.name}"`, {
      hint: `use one of: ${[...Object.keys(OPERATORS), "in"].join(", ")}`,
    });
  }
  if (value === null || value === undefined) {
    if (op === "=") return `${operand(column)} IS NULL`;
    if (op === "!=") return `${operand(column)} IS NOT NULL`;
    throw new InputError(`filter on "${column.name}": "${op}" cannot compare with null`);
  }
  if (typeof value === "object") {
    throw new InputError(`filter on "${column.name}": "${op}" needs a single value, not a list`);
  }
  return compare(column, sqlOp, value as CursorValue);
}

function columnNamed(plans: ColumnPlan[], name: string, table: string, role: string): ColumnPlan {
  const found = plans.find((plan) => plan.name === name);
  if (!found) {
    throw new InputError(`table "${table}" has no column "${name}" (${role})`, {
      hint: `columns: ${plans.map((plan) => plan.name).join(", ")}`,
    });
  }
  return found;
}

/** What to select. */
export interface SelectRequest {
  table: string;
  plans: ColumnPlan[];
  columns?: string[];
  filter?: Filter;
  incrementalKey?: string;
  incrementalValue?: CursorValue;
  /**
   * How pages are fetched: `rowid` adds `rowid > ? ORDER BY rowid LIMIT ?` (bind: last rowid,
   * page size) and a leading rowid column unless `rowidColumn` is selected; `offset` adds `LIMIT ? OFFSET ?` (views and WITHOUT
   * ROWID tables).
   */
  page: "rowid" | "offset";
  /** With `rowid` pages: one range of rowids, `rowid > ? AND rowid <= ?` (bind: last, upper, size). */
  upper?: boolean;
  /**
   * The column that is the rowid itself (an INTEGER PRIMARY KEY, or `rowid` exposed): when it is
   * selected, rowid pages take the rowid from it instead of a leading column.
   */
  rowidColumn?: string;
}

/** Where a row of a rowid-paged SELECT holds its rowid, and how many leading columns are not data. */
export function rowidPosition(request: SelectRequest): { key: number; skip: number } {
  if (request.page !== "rowid") return { key: 0, skip: 0 };
  const at = request.rowidColumn === undefined
    ? -1
    : projectedPlans(request).findIndex((plan) => plan.name === request.rowidColumn);
  return at >= 0 ? { key: at, skip: 0 } : { key: 0, skip: 1 };
}

/** The columns a read returns, in the order requested (all columns when none are named). */
export function projectedPlans(request: SelectRequest): ColumnPlan[] {
  if (!request.columns?.length) return request.plans;
  return request.columns.map((name) =>
    columnNamed(request.plans, name, request.table, "in columns")
  );
}

/** Builds the SELECT statement of a read. */
export function selectSql(request: SelectRequest): string {
  const { plans, table } = request;
  const conditions: string[] = [];
  for (const [name, ops] of Object.entries(request.filter ?? {})) {
    const column = columnNamed(plans, name, table, "in filter");
    for (const [op, value] of Object.entries(ops ?? {})) {
      conditions.push(`(${condition(column, op, value)})`);
    }
  }
  if (request.incrementalKey && request.incrementalValue !== undefined) {
    const column = columnNamed(plans, request.incrementalKey, table, "incremental cursor");
    conditions.push(compare(column, ">", request.incrementalValue));
  }
  const list = projectedPlans(request).map((plan) =>
    plan.rowid ? ROWID : quoteIdentifier(plan.name)
  ).join(", ");
  const from = quoteIdentifier(table);
  if (request.page === "rowid") {
    conditions.push(`${ROWID} > ?`);
    if (request.upper) conditions.push(`${ROWID} <= ?`);
    const lead = rowidPosition(request).skip ? `${ROWID}, ` : "";
    return `SELECT ${lead}${list} FROM ${from} WHERE ${conditions.join(" AND ")} ` +
      `ORDER BY ${ROWID} LIMIT ?`;
  }
  const where = conditions.length ? ` WHERE ${conditions.join(" AND ")}` : "";
  return `SELECT ${list} FROM ${from}${where} LIMIT ? OFFSET ?`;
}

/**
 * The SELECT a read sends: projection, filter pushdown (the protocol's Filter form), the
 * incremental cursor and a primary-key range for parallel readers. Identifiers are quoted with
 * backticks; string values are sent as `_utf8mb4 X'…'` hex literals, which mean the same whatever
 * the session's sql_mode (NO_BACKSLASH_ESCAPES changes how quoted strings are read).
 *
 * @module
 */
import { type CursorValue, type Filter, InputError } from "../../mod.ts";
import type { ColumnPlan } from "./column_types.ts";

/** Quotes a MySQL identifier: backticks, embedded backticks doubled, dots kept as part of the name. */
export function quoteName(name: string): string {
  return "`" + name.replaceAll("`", "``") + "`";
}

const encoder = new TextEncoder();

const NUMERIC_TYPES = new Set([
  "tinyint",
  "smallint",
  "mediumint",
  "int",
  "integer",
  "bigint",
  "decimal",
  "float",
  "double",
  "year",
]);

/** A SQL literal for a filter or cursor value compared with `column`. */
export function literal(value: CursorValue, column: ColumnPlan): string {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new InputError(`filter value ${value} on "${column.name}" is not a finite number`);
    }
    return String(value);
  }
  let text = String(value);
  if (NUMERIC_TYPES.has(column.info.dataType) && /^-?\d+(\.\d+)?$/.test(text)) {
    // Integers beyond 2^53 arrive as strings; a string would be compared as a double.
    return text;
  }
  if (column.temporal !== "none" && /^\d{4}-\d{2}-\d{2}T/.test(text)) {
    // The runtime renders cursors as ISO-8601 UTC; sessions run in UTC, so drop the zone.
    text = text.replace("T", " ").replace(/(Z|[+-]00:?00)$/, "");
    if (column.temporal === "date") text = text.slice(0, 10);
  }
  const hex = Array.from(encoder.encode(text), (b) => b.toString(16).padStart(2, "0")).join("");
  return hex ? `_utf8mb4 X'${hex}'` : "''";
}

const OPERATORS: Record<string, string> = {
  "=": "=",
  "!=": "<>",
  "<": "<",
  "<=": "<=",
  ">": ">",
  ">=": ">=",
};

function condition(column: ColumnPlan, op: string, value: unknown): string {
  const name = quoteName(column.name);
  if (op === "in") {
    if (!Array.isArray(value) || value.length === 0) {
      throw new InputError(`filter on "${column.name}": "in" needs a non-empty list of values`);
    }
    return `${name} IN (${value.map((v) => literal(v as CursorValue, column)).join(", ")})`;
  }
  const sqlOp = OPERATORS[op];
  if (!sqlOp) {
    throw new InputError(`unknown filter operator "${op}" on "${column.name}"`, {
      hint: `use one of: ${[...Object.keys(OPERATORS), "in"].join(", ")}`,
    });
  }
  if (value === null || value === undefined) {
    if (op === "=") return `${name} IS NULL`;
    if (op === "!=") return `${name} IS NOT NULL`;
    throw new InputError(`filter on "${column.name}": "${op}" cannot compare with null`);
  }
  if (typeof value === "object") {
    throw new InputError(`filter on "${column.name}": "${op}" needs a single value, not a list`);
  }
  return `${name} ${sqlOp} ${literal(value as CursorValue, column)}`;
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

/** An inclusive-exclusive range of an integer key, for one parallel reader. */
export interface KeyRange {
  column: string;
  /** Lower bound (inclusive); absent: from the start. */
  from?: bigint;
  /** Upper bound (exclusive); absent: to the end. */
  to?: bigint;
}

/** What to select. */
export interface SelectRequest {
  database: string;
  table: string;
  plans: ColumnPlan[];
  columns?: string[];
  filter?: Filter;
  incrementalKey?: string;
  incrementalValue?: CursorValue;
  range?: KeyRange;
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
      conditions.push(condition(column, op, value));
    }
  }
  if (request.incrementalKey) {
    const column = columnNamed(plans, request.incrementalKey, table, "incremental cursor");
    const value = request.incrementalValue;
    if (value !== undefined && value !== null) {
      conditions.push(`${quoteName(column.name)} > ${literal(value, column)}`);
    }
  }
  const range = request.range;
  if (range?.from !== undefined) conditions.push(`${quoteName(range.column)} >= ${range.from}`);
  if (range?.to !== undefined) conditions.push(`${quoteName(range.column)} < ${range.to}`);
  const list = projectedPlans(request).map((plan) => quoteName(plan.name)).join(", ");
  const where = conditions.length ? ` WHERE ${conditions.join(" AND ")}` : "";
  return `SELECT ${list} FROM ${quoteName(request.database)}.${quoteName(table)}${where}`;
}

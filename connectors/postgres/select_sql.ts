/**
 * The SQL a read sends: `COPY (SELECT <projection> FROM <table> WHERE <filter, cursor, range>)
 * TO STDOUT (FORMAT binary)`. Projection, the protocol's Filter and the incremental cursor are
 * pushed into the WHERE clause, so the server sends only the rows and columns asked for. COPY
 * takes no bind parameters; values become quoted literals whose type PostgreSQL infers from
 * the column they are compared with. Identifiers are always quoted.
 *
 * @module
 */
import type { CursorValue, Filter, ReadOptions } from "../../mod.ts";
import { InputError, quoteIdentifier, quoteLiteral } from "../../mod.ts";
import type { ColumnPlan } from "./column_types.ts";
import type { PgTable } from "./catalog.ts";

/** A range of heap pages `[fromPage, toPage)`; `toPage` undefined = to the end of the table. */
export interface PageRange {
  fromPage: number;
  toPage?: number;
}

/** The columns a read returns, in the order asked; unknown names fail naming the table. */
export function projectColumns(table: PgTable, columns?: string[]): ColumnPlan[] {
  if (!columns?.length) return table.columns;
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  const unknown = columns.filter((c) => !byName.has(c));
  if (unknown.length) {
    throw new InputError(
      `table "${table.name}" has no column ${unknown.map((c) => `"${c}"`).join(", ")}`,
      { hint: `columns: ${table.columns.map((c) => c.name).join(", ")}` },
    );
  }
  return columns.map((c) => byName.get(c)!);
}

/** `"schema"."table"`. */
export function qualifiedName(table: PgTable): string {
  return `${quoteIdentifier(table.schema)}.${quoteIdentifier(table.table)}`;
}

function selectItem(plan: ColumnPlan): string {
  const column = quoteIdentifier(plan.name);
  if (!plan.asText) return column;
  return plan.kind === "list" ? `${column}::text[]` : `${column}::text`;
}

/** The COPY statement of one read (or one page range of it). */
export function copyStatement(
  table: PgTable,
  plans: ColumnPlan[],
  options: Pick<ReadOptions, "filter" | "incrementalKey" | "incrementalValue">,
  range?: PageRange,
): string {
  const conditions = [
    ...filterConditions(table, options.filter),
    ...cursorCondition(table, options.incrementalKey, options.incrementalValue),
    ...rangeConditions(range),
  ];
  const where = conditions.length ? ` WHERE ${conditions.join(" AND ")}` : "";
  const select = plans.length ? plans.map(selectItem).join(", ") : "";
  return `COPY (SELECT ${select} FROM ${qualifiedName(table)}${where}) TO STDOUT (FORMAT binary)`;
}

function literal(value: CursorValue): string {
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new InputError(`filter value ${value} is not a finite number`);
  }
  return quoteLiteral(String(value));
}

function checkColumn(table: PgTable, column: string): string {
  if (!table.columns.some((c) => c.name === column)) {
    throw new InputError(`table "${table.name}" has no column "${column}" to filter on`, {
      hint: `columns: ${table.columns.map((c) => c.name).join(", ")}`,
    });
  }
  return quoteIdentifier(column);
}

/** Each condition of a Filter as SQL; `= null` / `!= null` become IS NULL / IS NOT NULL. */
export function filterConditions(table: PgTable, filter?: Filter): string[] {
  const conditions: string[] = [];
  for (const [column, operators] of Object.entries(filter ?? {})) {
    const name = checkColumn(table, column);
    for (const [operator, value] of Object.entries(operators ?? {})) {
      conditions.push(condition(name, operator, value));
    }
  }
  return conditions;
}

function condition(name: string, operator: string, value: unknown): string {
  if (operator === "in") {
    if (!Array.isArray(value)) {
      throw new InputError(`filter "in" on ${name} needs a list of values`);
    }
    return value.length ? `${name} IN (${value.map(literal).join(", ")})` : "FALSE";
  }
  if (value === null) {
    if (operator === "=") return `${name} IS NULL`;
    if (operator === "!=") return `${name} IS NOT NULL`;
    throw new InputError(`filter ${operator} null on ${name} is always false`, {
      hint: 'compare with null only through "=" or "!="',
    });
  }
  if (!["=", "!=", "<", "<=", ">", ">="].includes(operator)) {
    throw new InputError(`unknown filter operator "${operator}" on ${name}`, {
      hint: "use one of =, !=, <, <=, >, >=, in",
    });
  }
  if (Array.isArray(value) || (typeof value !== "string" && typeof value !== "number")) {
    throw new InputError(`filter ${operator} on ${name} needs a string or a number`);
  }
  return `${name} ${operator === "!=" ? "<>" : operator} ${literal(value)}`;
}

function cursorCondition(table: PgTable, key?: string, value?: CursorValue): string[] {
  if (!key || value === undefined) return [];
  return [`${checkColumn(table, key)} > ${literal(value)}`];
}

function rangeConditions(range?: PageRange): string[] {
  if (!range) return [];
  const from = `ctid >= '(${range.fromPage},0)'::tid`;
  return range.toPage === undefined ? [from] : [from, `ctid < '(${range.toPage},0)'::tid`];
}

/**
 * The SQL the files connector runs: the DuckDB reader call for a table's files and the SELECT
 * with projection, filter and incremental cursor applied. read() streams it; scanSql() hands
 * it to the runtime for DuckDB's native COPY.
 *
 * @module
 */
import type { CursorValue, Filter, ReadOptions } from "../../mod.ts";
import { InputError, quoteIdentifier, quoteLiteral } from "../../mod.ts";
import type { ColumnPlan } from "./column_plan.ts";
import type { FileTable } from "./file_sources.ts";

/** CSV reading options from the connector config. */
export interface CsvOptions {
  delimiter?: string;
  header?: boolean;
  sampleSize?: number;
}

/** The DuckDB table function call reading every file of a table. */
export function readerCall(table: FileTable, csv: CsvOptions): string {
  const files = `[${table.files.map(quoteLiteral).join(", ")}]`;
  const args = [files];
  if (table.files.length > 1) args.push("union_by_name = true");
  const sample = csv.sampleSize ?? 20480;
  switch (table.format) {
    case "parquet":
      return `read_parquet(${args.join(", ")})`;
    case "json":
    case "ndjson":
      args.push(`format = '${table.format === "ndjson" ? "newline_delimited" : "auto"}'`);
      args.push(`sample_size = ${sample}`);
      return `read_json(${args.join(", ")})`;
    default: {
      const delimiter = csv.delimiter ?? (table.format === "tsv" ? "\t" : undefined);
      if (delimiter !== undefined) args.push(`delim = ${quoteLiteral(delimiter)}`);
      if (csv.header !== undefined) args.push(`header = ${csv.header}`);
      args.push(`sample_size = ${sample}`);
      return `read_csv(${args.join(", ")})`;
    }
  }
}

function literal(value: CursorValue | null, column: ColumnPlan): string {
  if (value === null) return "NULL";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new InputError(`filter value ${value} is not finite`);
    return String(value);
  }
  // Typed cast: an ISO string compares as a timestamp/date/number, not as text.
  return `CAST(${quoteLiteral(value)} AS ${column.duckdbType})`;
}

function condition(column: ColumnPlan, op: string, value: unknown): string {
  const name = quoteIdentifier(column.name);
  if (op === "in") {
    if (!Array.isArray(value) || !value.length) {
      throw new InputError(`filter on "${column.name}": "in" needs a non-empty list`);
    }
    return `${name} IN (${value.map((v) => literal(v as CursorValue, column)).join(", ")})`;
  }
  if (value === null && (op === "=" || op === "!=")) {
    return `${name} IS ${op === "=" ? "" : "NOT "}NULL`;
  }
  if (typeof value === "object" && value !== null) {
    throw new InputError(`filter on "${column.name}": "${op}" needs a single value`);
  }
  const sqlOp = op === "!=" ? "<>" : op;
  if (!["=", "<>", "<", "<=", ">", ">="].includes(sqlOp)) {
    throw new InputError(`unknown filter operator "${op}" on "${column.name}"`, {
      hint: "use one of =, !=, <, <=, >, >=, in",
    });
  }
  return `${name} ${sqlOp} ${literal(value as CursorValue | null, column)}`;
}

function columnNamed(plans: ColumnPlan[], name: string, table: string, what: string) {
  const plan = plans.find((p) => p.name === name);
  if (!plan) {
    throw new InputError(`table "${table}" has no column "${name}" (${what})`, {
      hint: `columns: ${plans.map((p) => p.name).join(", ")}`,
    });
  }
  return plan;
}

/** SQL conditions for a filter and an incremental cursor, joined with AND ("" if none). */
export function whereClause(
  table: string,
  plans: ColumnPlan[],
  filter: Filter | undefined,
  incremental: { key?: string; value?: CursorValue },
): string {
  const conditions: string[] = [];
  for (const [name, ops] of Object.entries(filter ?? {})) {
    const column = columnNamed(plans, name, table, "in filter");
    for (const [op, value] of Object.entries(ops ?? {})) {
      conditions.push(condition(column, op, value));
    }
  }
  if (incremental.key !== undefined) {
    const column = columnNamed(plans, incremental.key, table, "incremental cursor");
    if (incremental.value !== undefined && incremental.value !== null) {
      conditions.push(condition(column, ">", incremental.value));
    }
  }
  return conditions.length ? ` WHERE ${conditions.join(" AND ")}` : "";
}

/** The columns a read returns, in the order asked for (every column when none are). */
export function projectedColumns(
  table: string,
  plans: ColumnPlan[],
  columns?: string[],
): ColumnPlan[] {
  if (!columns?.length) return plans;
  return columns.map((name) => columnNamed(plans, name, table, "in columns"));
}

/** The full SELECT for one read. */
export function selectSql(
  table: FileTable,
  plans: ColumnPlan[],
  options: Partial<ReadOptions>,
  csv: CsvOptions,
): string {
  const selected = projectedColumns(table.name, plans, options.columns);
  const where = whereClause(table.name, plans, options.filter, {
    key: options.incrementalKey,
    value: options.incrementalValue,
  });
  return `SELECT ${selected.map((c) => c.select).join(", ")} FROM ${
    readerCall(table, csv)
  }${where}`;
}

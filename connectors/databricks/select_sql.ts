/**
 * The SELECT a read runs: projected columns, filter pushdown and the incremental cursor, with
 * every value a named parameter marker (`:p0`) typed for its column and every identifier quoted
 * with backticks (Databricks SQL).
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import type { CursorValue, Filter } from "../../mod.ts";
import { InputError } from "../../mod.ts";

/** Quotes a Databricks SQL identifier. */
export function quoteName(name: string): string {
  return `\`${name.replaceAll("`", "``")}\``;
}

/** A statement parameter as the API takes it. */
export interface Parameter {
  name: string;
  value: string | null;
  type: string;
}

/** The SQL type name of a parameter compared with a column of `type`. */
function parameterType(arrow: typeof Arrow, type: Arrow.DataType): string {
  if (arrow.DataType.isTimestamp(type)) {
    return (type as Arrow.Timestamp).timezone ? "TIMESTAMP" : "TIMESTAMP_NTZ";
  }
  if (arrow.DataType.isDate(type)) return "DATE";
  if (arrow.DataType.isDecimal(type)) {
    const decimal = type as Arrow.Decimal;
    return `DECIMAL(${decimal.precision},${decimal.scale})`;
  }
  if (arrow.DataType.isInt(type)) return "BIGINT";
  if (arrow.DataType.isFloat(type)) return "DOUBLE";
  if (arrow.DataType.isBool(type)) return "BOOLEAN";
  return "STRING";
}

/** What to select. */
export interface SelectRequest {
  table: string[];
  schema: Arrow.Schema;
  columns: string[];
  filter?: Filter;
  cursor?: { column: string; after: CursorValue };
}

const OPERATORS: Record<string, string> = {
  "=": "=",
  "!=": "<>",
  "<": "<",
  "<=": "<=",
  ">": ">",
  ">=": ">=",
};

/** Builds the statement and its parameters. */
export function selectStatement(
  arrow: typeof Arrow,
  request: SelectRequest,
): { sql: string; parameters: Parameter[] } {
  const fields = new Map(request.schema.fields.map((field) => [field.name, field]));
  const parameters: Parameter[] = [];
  const bind = (column: string, value: CursorValue | null) => {
    const name = `p${parameters.length}`;
    parameters.push({
      name,
      value: value === null ? null : String(value),
      type: parameterType(arrow, fields.get(column)!.type),
    });
    return `:${name}`;
  };
  const known = (column: string) => {
    if (!fields.has(column)) {
      throw new InputError(`Databricks table ${request.table.join(".")} has no column "${column}"`);
    }
    return quoteName(column);
  };
  const conditions: string[] = [];
  for (const [column, operators] of Object.entries(request.filter ?? {})) {
    for (const [operator, value] of Object.entries(operators ?? {})) {
      const name = known(column);
      if (operator === "in") {
        const values = (Array.isArray(value) ? value : [value]) as CursorValue[];
        conditions.push(`${name} IN (${values.map((v) => bind(column, v)).join(", ")})`);
      } else if (value === null) {
        conditions.push(`${name} IS ${operator === "!=" ? "NOT " : ""}NULL`);
      } else {
        conditions.push(`${name} ${OPERATORS[operator]} ${bind(column, value as CursorValue)}`);
      }
    }
  }
  if (request.cursor) {
    conditions.push(
      `${known(request.cursor.column)} > ${bind(request.cursor.column, request.cursor.after)}`,
    );
  }
  const sql =
    `SELECT ${request.columns.map(known).join(", ")} FROM ${
      request.table.map(quoteName).join(".")
    }` +
    (conditions.length ? ` WHERE ${conditions.join(" AND ")}` : "");
  return { sql, parameters };
}

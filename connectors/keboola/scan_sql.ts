/**
 * The native fast path: the export's gzipped CSV slices are saved to a temporary directory and
 * DuckDB reads them itself (the runtime's `COPY ... TO parquet`), so rows never cross into
 * JavaScript. Every cell is read as text and cast to the column's type, an empty cell of a
 * typed column being NULL exactly as in `read()`; the incremental cursor is a typed WHERE.
 * Only where files can be written (built-in, not sandboxed); otherwise `read()` serves.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import type { ConnectorContext, CursorValue } from "../../mod.ts";
import { ConnectorError, quoteIdentifier, quoteLiteral } from "../../mod.ts";
import { openSliceBytes, type Slice, type StorageFile } from "./export_files.ts";

/** DuckDB's name of an Arrow type the connector declares. */
export function duckdbType(arrow: typeof Arrow, type: Arrow.DataType): string | undefined {
  if (arrow.DataType.isInt(type)) return "BIGINT";
  if (arrow.DataType.isDecimal(type)) {
    const decimal = type as Arrow.Decimal;
    return `DECIMAL(${decimal.precision},${decimal.scale})`;
  }
  if (arrow.DataType.isFloat(type)) return "DOUBLE";
  if (arrow.DataType.isBool(type)) return "BOOLEAN";
  if (arrow.DataType.isDate(type)) return "DATE";
  if (arrow.DataType.isTimestamp(type)) {
    return (type as Arrow.Timestamp).timezone ? "TIMESTAMPTZ" : "TIMESTAMP";
  }
  return undefined;
}

/** Writes every slice, still gzipped, into `dir`; returns the file paths. */
export async function saveSlices(
  ctx: ConnectorContext,
  file: StorageFile,
  slices: Slice[],
  dir: string,
  endpoint?: string,
): Promise<string[]> {
  const paths: string[] = [];
  for (const [index, slice] of slices.entries()) {
    const gzipped = /\.gz$/i.test(slice.label) || /\.gz$/i.test(file.name);
    const path = `${dir}/slice_${String(index).padStart(5, "0")}.csv${gzipped ? ".gz" : ""}`;
    const body = await openSliceBytes(ctx, file, slice, endpoint);
    const out = await Deno.open(path, { write: true, createNew: true });
    await body.pipeTo(out.writable).catch((error) => {
      throw new ConnectorError(`saving slice ${slice.label} failed`, { cause: error });
    });
    paths.push(path);
  }
  return paths;
}

/** The SELECT DuckDB runs over the saved slices. */
export function sliceSelect(
  arrow: typeof Arrow,
  files: string[],
  exported: Arrow.Field[],
  wanted: string[],
  cursor?: { column: string; after: CursorValue },
): string {
  const typeOf = new Map(exported.map((field) => [field.name, duckdbType(arrow, field.type)]));
  const value = (name: string) => {
    const type = typeOf.get(name);
    const column = quoteIdentifier(name);
    return type ? `CAST(NULLIF(${column}, '') AS ${type})` : column;
  };
  const columns = `{${
    exported.map((field) => `${quoteLiteral(field.name)}: 'VARCHAR'`).join(", ")
  }}`;
  // An export without rows has a single empty slice; DuckDB still needs the column list.
  const source = `read_csv([${files.map(quoteLiteral).join(", ")}], header = false, ` +
    `delim = ',', quote = '"', escape = '"', auto_detect = false, allow_quoted_nulls = false, ` +
    `columns = ${columns})`;
  const select = wanted.map((name) => `${value(name)} AS ${quoteIdentifier(name)}`).join(", ");
  let sql = `SELECT ${select} FROM ${source}`;
  if (cursor) {
    const type = typeOf.get(cursor.column);
    const bound = type
      ? `CAST(${quoteLiteral(String(cursor.after))} AS ${type})`
      : quoteLiteral(String(cursor.after));
    sql += ` WHERE ${value(cursor.column)} > ${bound}`;
  }
  return sql;
}

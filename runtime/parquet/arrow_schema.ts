/**
 * Arrow schema helpers the runtime needs: a JSON description (stored in `_meta.schema_json` and
 * in schema snapshots), projection, batch validation against the declared schema and empty
 * batches for tables without rows.
 *
 * @module
 */
import * as arrow from "apache-arrow";
import { ExtractError } from "../errors.ts";

/** One column of a {@linkcode SchemaJson}. */
export interface FieldJson {
  name: string;
  /** Arrow's own type rendering, e.g. `Int64`, `Utf8`, `Timestamp<MICROSECOND, UTC>`. */
  type: string;
  nullable: boolean;
}

/** JSON description of an Arrow schema. */
export interface SchemaJson {
  fields: FieldJson[];
}

/**
 * Describes a schema as plain JSON.
 *
 * @example
 * ```ts
 * import * as arrow from "apache-arrow";
 * import { schemaToJson } from "./arrow_schema.ts";
 * const schema = new arrow.Schema([new arrow.Field("id", new arrow.Int64(), false)]);
 * const json = schemaToJson(schema);
 * if (json.fields[0].type !== "Int64") throw new Error();
 * ```
 */
export function schemaToJson(schema: arrow.Schema): SchemaJson {
  return {
    fields: schema.fields.map((field) => ({
      name: field.name,
      type: String(field.type),
      nullable: field.nullable,
    })),
  };
}

/** Keeps only `columns` (in the order given); unknown columns are an error naming the table. */
export function projectSchema(
  table: string,
  schema: arrow.Schema,
  columns?: string[],
): arrow.Schema {
  if (!columns) return schema;
  const byName = new Map(schema.fields.map((field) => [field.name, field]));
  const missing = columns.filter((column) => !byName.has(column));
  if (missing.length) {
    throw new ExtractError(
      `table "${table}" has no column ${missing.map((c) => `"${c}"`).join(", ")}`,
      { table, hint: `available columns: ${schema.fields.map((f) => f.name).join(", ")}` },
    );
  }
  return new arrow.Schema(columns.map((column) => byName.get(column)!), schema.metadata);
}

/**
 * Checks that a batch has exactly the declared columns (names, order, types) and returns it
 * under the declared schema, so every batch of a file shares one schema. Nullability may
 * differ: a batch may say "nullable" for a column declared non-null.
 */
export function conformBatch(
  table: string,
  batchIndex: number,
  batch: arrow.RecordBatch,
  schema: arrow.Schema,
): arrow.RecordBatch {
  if (batch.schema === schema) return batch;
  const problem = schemaMismatch(batch.schema, schema);
  if (problem) {
    throw new ExtractError(
      `table "${table}": batch ${batchIndex + 1} does not match the declared schema: ${problem}`,
      {
        table,
        hint:
          "make read() yield batches with exactly the columns and types that discover() declares",
      },
    );
  }
  return new arrow.RecordBatch(schema, batch.data);
}

/** Describes the first difference between two schemas, or returns undefined when they match. */
export function schemaMismatch(actual: arrow.Schema, expected: arrow.Schema): string | undefined {
  const actualNames = actual.fields.map((f) => f.name);
  const expectedNames = expected.fields.map((f) => f.name);
  const missing = expectedNames.filter((name) => !actualNames.includes(name));
  const extra = actualNames.filter((name) => !expectedNames.includes(name));
  if (missing.length || extra.length) {
    const parts = [];
    if (missing.length) parts.push(`missing column(s) ${missing.join(", ")}`);
    if (extra.length) parts.push(`unexpected column(s) ${extra.join(", ")}`);
    return parts.join("; ");
  }
  for (let i = 0; i < expected.fields.length; i++) {
    const got = actual.fields[i];
    const want = expected.fields[i];
    if (got.name !== want.name) {
      return `column ${
        i + 1
      } is "${got.name}", expected "${want.name}" (same columns, other order)`;
    }
    if (!typesMatch(got.type, want.type)) {
      return `column "${want.name}" has type ${got.type}, expected ${want.type}`;
    }
  }
  return undefined;
}

/** Type equality that ignores dictionary ids, which differ between independently built batches. */
export function typesMatch(a: arrow.DataType, b: arrow.DataType): boolean {
  if (arrow.DataType.isDictionary(a) && arrow.DataType.isDictionary(b)) {
    return typesMatch(a.dictionary, b.dictionary) && typesMatch(a.indices, b.indices);
  }
  return arrow.util.compareTypes(a, b);
}

/** A zero-row batch of `schema`: what an empty table writes so its Parquet keeps its columns. */
export function emptyBatch(schema: arrow.Schema): arrow.RecordBatch {
  const children = schema.fields.map((field) =>
    arrow.makeVector(arrow.makeBuilder({ type: field.type }).finish().flush())
      .data[0]
  );
  const data = arrow.makeData({
    type: new arrow.Struct(schema.fields),
    length: 0,
    nullCount: 0,
    children,
  });
  return new arrow.RecordBatch(schema, data);
}

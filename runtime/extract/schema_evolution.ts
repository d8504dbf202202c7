/**
 * Schema evolution: compares a table's schema with the snapshot of its previous run
 * (`<out>/.dvt/schemas/<name>.json`) and reports added, removed and retyped columns.
 *
 * @module
 */
import type { SchemaJson } from "../parquet/arrow_schema.ts";
import type { OutputLayout } from "./layout.ts";
import type { SchemaChange } from "../protocol.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";

/**
 * Differences from `previous` to `current`; undefined on the first run or when nothing changed.
 *
 * @example
 * ```ts
 * import { diffSchemas } from "./schema_evolution.ts";
 * const before = { fields: [{ name: "id", type: "Int32", nullable: false }] };
 * const after = { fields: [{ name: "id", type: "Int64", nullable: false }] };
 * const change = diffSchemas("orders", before, after);
 * if (change?.retyped[0].to !== "Int64") throw new Error();
 * ```
 */
export function diffSchemas(
  table: string,
  previous: SchemaJson | undefined,
  current: SchemaJson,
): SchemaChange | undefined {
  if (!previous) return undefined;
  const before = new Map(previous.fields.map((f) => [f.name, f.type]));
  const after = new Map(current.fields.map((f) => [f.name, f.type]));
  const added = [...after.keys()].filter((name) => !before.has(name));
  const removed = [...before.keys()].filter((name) => !after.has(name));
  const retyped = [...after.entries()]
    .filter(([name, type]) => before.has(name) && before.get(name) !== type)
    .map(([column, to]) => ({ column, from: before.get(column)!, to }));
  if (!added.length && !removed.length && !retyped.length) return undefined;
  return { table, added, removed, retyped };
}

/** Reads the snapshot of a table's last published schema; undefined when there is none. */
export async function loadSchemaSnapshot(
  layout: OutputLayout,
  name: string,
): Promise<SchemaJson | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(layout.schemaFile(name))) as SchemaJson;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** Saves a table's schema snapshot (atomically). */
export async function saveSchemaSnapshot(
  layout: OutputLayout,
  name: string,
  schema: SchemaJson,
): Promise<void> {
  await Deno.mkdir(layout.schemasDir, { recursive: true });
  await writeFileAtomic(layout.schemaFile(name), JSON.stringify(schema, null, 2) + "\n");
}

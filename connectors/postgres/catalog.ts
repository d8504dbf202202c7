/**
 * Discovery: the tables and views of the selected schemas, their columns (domains, enums and
 * arrays resolved), primary keys, `COMMENT ON` descriptions and a suggested cursor column,
 * read from pg_catalog in four queries whatever the number of tables.
 *
 * @module
 */
import { InputError } from "../../mod.ts";
import type { Session } from "./connection.ts";
import { type ColumnPlan, type PgType, planColumn } from "./column_types.ts";

/** One discovered table or view. */
export interface PgTable {
  /** Name dvt uses: the table name, or `schema.table` when several schemas are selected. */
  name: string;
  schema: string;
  table: string;
  /** pg_class.relkind: r table, p partitioned, v view, m materialized view, f foreign. */
  relkind: string;
  columns: ColumnPlan[];
  primaryKey?: string[];
  description?: string;
  cursorField?: string;
  /** Size on disk of a plain table (0 for views and partitioned parents). */
  bytes: number;
}

interface TableRow {
  oid: string;
  schema: string;
  table: string;
  relkind: string;
  description: string | null;
  bytes: string;
}

interface ColumnRow {
  rel: string;
  name: string;
  type: string;
  typmod: number;
  not_null: boolean;
  declared: string;
  description: string | null;
  serial: boolean;
}

interface TypeRow {
  oid: string;
  name: string;
  schema: string;
  typtype: string;
  base: string;
  basetypmod: number;
  elem: string;
  category: string;
}

/** Lists the tables and views of `schemas`; fails naming schemas that do not exist. */
export async function discoverTables(sql: Session, schemas: string[]): Promise<PgTable[]> {
  const wanted = JSON.stringify(schemas);
  const existing = await sql.query<{ name: string }>(
    `SELECT nspname AS name FROM pg_namespace ORDER BY 1`,
  );
  const names = new Set(existing.map((row) => row.name));
  const missing = schemas.filter((schema) => !names.has(schema));
  if (missing.length) {
    const available = [...names].filter((n) => !n.startsWith("pg_") && n !== "information_schema");
    throw new InputError(
      `schema ${missing.map((s) => `"${s}"`).join(", ")} does not exist in the database`,
      { hint: `set schemas to some of: ${available.join(", ")}` },
    );
  }
  const tables = await sql.query<TableRow>(
    `SELECT c.oid::text AS oid, n.nspname AS schema, c.relname AS table, c.relkind::text AS relkind,
       obj_description(c.oid, 'pg_class') AS description,
       CASE WHEN c.relkind = 'r' THEN pg_relation_size(c.oid) ELSE 0 END::text AS bytes
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname IN (SELECT jsonb_array_elements_text($1::text::jsonb))
       AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
     ORDER BY n.nspname, c.relname`,
    [wanted],
  );
  if (!tables.length) return [];
  const oids = JSON.stringify(tables.map((t) => t.oid));
  const columns = await sql.query<ColumnRow>(
    `SELECT a.attrelid::text AS rel, a.attname AS name, a.atttypid::text AS type,
       a.atttypmod AS typmod, a.attnotnull AS not_null,
       format_type(a.atttypid, a.atttypmod) AS declared,
       col_description(a.attrelid, a.attnum) AS description,
       (a.attidentity <> '' OR coalesce(pg_get_expr(d.adbin, d.adrelid), '') LIKE 'nextval(%')
         AS serial
     FROM pg_attribute a
     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attrelid IN (SELECT jsonb_array_elements_text($1::text::jsonb)::oid)
       AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY a.attrelid, a.attnum`,
    [oids],
  );
  const keys = await sql.query<{ rel: string; columns: string }>(
    `SELECT i.indrelid::text AS rel, json_agg(a.attname ORDER BY k.ord)::text AS columns
     FROM pg_index i
     CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
     WHERE i.indisprimary AND i.indrelid IN (SELECT jsonb_array_elements_text($1::text::jsonb)::oid)
     GROUP BY i.indrelid`,
    [oids],
  );
  const types = await resolveTypes(sql, columns.map((c) => c.type));
  const primaryKeys = new Map(keys.map((k) => [k.rel, JSON.parse(k.columns) as string[]]));
  const byTable = Map.groupBy(columns, (column) => column.rel);
  const qualified = schemas.length > 1;
  return tables.map((row) => {
    const rows = byTable.get(row.oid) ?? [];
    const plans = rows.map((c) => {
      const type = withTypmod(types.get(c.type)!, c.typmod);
      return planColumn(c.name, type, c.declared, c.not_null, c.description ?? undefined);
    });
    const primaryKey = primaryKeys.get(row.oid);
    return {
      name: qualified ? `${row.schema}.${row.table}` : row.table,
      schema: row.schema,
      table: row.table,
      relkind: row.relkind,
      columns: plans,
      primaryKey,
      description: row.description ?? undefined,
      cursorField: suggestCursor(plans, rows, primaryKey),
      bytes: Number(row.bytes),
    };
  });
}

/** A column's own typmod wins over its domain's (a domain's typmod applies when it has none). */
function withTypmod(type: PgType, typmod: number): PgType {
  return typmod >= 0 ? { ...type, typmod } : type;
}

const UPDATED_NAME =
  /^(updated|modified|changed|last_modified|last_updated|last_changed)(_at|_on|_time|_ts|_date)?$/i;
const TEMPORAL = new Set(["timestamptz", "timestamp", "date"]);

/** An updated_at-like timestamp, else a serial/identity single-column primary key. */
function suggestCursor(
  plans: ColumnPlan[],
  rows: ColumnRow[],
  primaryKey?: string[],
): string | undefined {
  const updated = plans.find((p) => TEMPORAL.has(p.kind) && UPDATED_NAME.test(p.name));
  if (updated) return updated.name;
  if (primaryKey?.length === 1) {
    const row = rows.find((r) => r.name === primaryKey[0]);
    const plan = plans.find((p) => p.name === primaryKey[0]);
    if (row?.serial && plan && ["int16", "int32", "int64"].includes(plan.kind)) return plan.name;
  }
  return undefined;
}

/**
 * Loads the pg_type rows of `oids` and everything they refer to (domain base types, array
 * elements), resolving domains to their base type.
 */
async function resolveTypes(sql: Session, oids: string[]): Promise<Map<string, PgType>> {
  const rows = new Map<string, TypeRow>();
  let pending = [...new Set(oids)];
  while (pending.length) {
    const found = await sql.query<TypeRow>(
      `SELECT t.oid::text AS oid, t.typname AS name, n.nspname AS schema, t.typtype::text AS typtype,
         t.typbasetype::text AS base, t.typtypmod AS basetypmod, t.typelem::text AS elem,
         t.typcategory::text AS category
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
       WHERE t.oid IN (SELECT jsonb_array_elements_text($1::text::jsonb)::oid)`,
      [JSON.stringify(pending)],
    );
    for (const row of found) rows.set(row.oid, row);
    pending = [
      ...new Set(found.flatMap((r) => [r.base, r.elem]).filter((o) => o !== "0" && !rows.has(o))),
    ];
  }
  const resolved = new Map<string, PgType>();
  const resolve = (oid: string, depth = 0): PgType => {
    const row = rows.get(oid);
    if (!row || depth > 32) return { oid: Number(oid), name: "unknown", kind: "p", typmod: -1 };
    if (row.typtype === "d") {
      const base = resolve(row.base, depth + 1);
      return row.basetypmod >= 0 ? { ...base, typmod: row.basetypmod } : base;
    }
    const name = row.schema === "pg_catalog" ? row.name : `${row.schema}.${row.name}`;
    const type: PgType = { oid: Number(oid), name, kind: row.typtype, typmod: -1 };
    if (row.category === "A" && row.elem !== "0") type.element = resolve(row.elem, depth + 1);
    return type;
  };
  for (const oid of oids) resolved.set(oid, resolve(oid));
  return resolved;
}

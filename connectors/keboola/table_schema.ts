/**
 * Keboola table resources -> dvt tables: Arrow types from the native-types definition (typed
 * tables), text for untyped ones; primary key and description from the table's metadata.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import type { TableInfo } from "../../mod.ts";
import { Cap } from "../../mod.ts";

/** One column of a typed table's definition. */
export interface DefinitionColumn {
  name: string;
  definition?: { type?: string; nullable?: boolean; length?: string | null };
  basetype?: string;
}

/** The parts of a Storage API table resource the connector uses. */
export interface KeboolaTable {
  id: string;
  name: string;
  primaryKey?: string[];
  columns?: string[];
  isTyped?: boolean;
  definition?: { primaryKeysNames?: string[]; columns?: DefinitionColumn[] };
  metadata?: { key: string; value: string }[];
  bucket?: { id: string };
}

/** Arrow type of one typed column, by Keboola's base type and the backend type. */
export function arrowTypeOf(arrow: typeof Arrow, column: DefinitionColumn): Arrow.DataType {
  const backend = (column.definition?.type ?? "").toUpperCase();
  switch ((column.basetype ?? "").toUpperCase()) {
    case "INTEGER":
      return new arrow.Int64();
    case "NUMERIC": {
      const [precision, scale] = String(column.definition?.length ?? "38,0").split(",")
        .map((part) => Number(part.trim()));
      return new arrow.Decimal(Number.isFinite(scale) ? scale : 0, precision || 38, 128);
    }
    case "FLOAT":
      return new arrow.Float64();
    case "BOOLEAN":
      return new arrow.Bool();
    case "DATE":
      return new arrow.DateDay();
    case "TIMESTAMP":
      // TIMESTAMP_TZ / TIMESTAMP_LTZ / TIMESTAMPTZ name an instant; the others wall-clock time.
      return /TZ|TIME ZONE/.test(backend.replace("NTZ", ""))
        ? new arrow.TimestampMicrosecond("UTC")
        : new arrow.TimestampMicrosecond();
    default:
      return new arrow.Utf8();
  }
}

function suggestCursor(fields: Arrow.Field[]): string | undefined {
  const temporal = fields.filter((f) => String(f.type).startsWith("Timestamp"));
  return (temporal.find((f) => /updated|modified|changed/i.test(f.name)) ?? temporal[0])?.name;
}

/** The Arrow schema of a table: typed from its definition, or every column as text. */
export function schemaOf(arrow: typeof Arrow, table: KeboolaTable): Arrow.Schema {
  const typed = table.isTyped && table.definition?.columns?.length;
  const fields = typed
    ? table.definition!.columns!.map((column) =>
      new arrow.Field(column.name, arrowTypeOf(arrow, column), column.definition?.nullable ?? true)
    )
    : (table.columns ?? []).map((name) => new arrow.Field(name, new arrow.Utf8(), true));
  return new arrow.Schema(fields);
}

/** The dvt table of a Keboola table; its name is the table id (`in.c-main.orders`). */
export function tableInfoOf(arrow: typeof Arrow, table: KeboolaTable): TableInfo {
  const schema = schemaOf(arrow, table);
  const description = table.metadata?.findLast((m) => m.key === "KBC.description")?.value;
  const primaryKey = table.definition?.primaryKeysNames ?? table.primaryKey;
  return {
    name: table.id,
    schema,
    capabilities: Cap.DISCOVER | Cap.READ | Cap.REMOTE,
    primaryKey: primaryKey?.length ? primaryKey : undefined,
    description: description ?? `Keboola table ${table.id}`,
    cursorField: suggestCursor(schema.fields),
  };
}

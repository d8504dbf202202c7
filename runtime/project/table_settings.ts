/**
 * Per-table settings of a dvt.yaml source: `tables:` as a map of table name to
 * `{ destination, primary_key, cursor, scd_type, disposition, deletes, deleted_flag }`, folded
 * together with the older `incremental:` and `disposition:` maps into one typed
 * {@linkcode TableSettings} per table, which is what the extract runtime receives.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { alternatives, describeFound, isMapping, rejectUnknownKeys } from "../util/field_check.ts";
import { isOneOf } from "../util/is_one_of.ts";
import type { YamlFile, YamlPath } from "../util/yaml_file.ts";

/**
 * How a run writes a table: `replace` it, `append` to it, `merge` by primary key (SCD type 1)
 * or keep every version of each row as `history` (SCD type 2).
 */
export const WRITE_DISPOSITIONS = ["replace", "append", "merge", "history"] as const;

/** One write disposition. */
export type WriteDisposition = typeof WRITE_DISPOSITIONS[number];

/** How deleted source rows are found: `detect` = keys missing from a full read are deleted. */
export const DELETE_MODES = ["detect"] as const;

/** One delete mode. */
export type DeleteMode = typeof DELETE_MODES[number];

/** What a source table is configured with; every field is optional (absent = default). */
export interface TableSettings {
  /** Name of the view and files, instead of the normalised source name. */
  destination?: string;
  /** Primary key columns, instead of the ones discover() declares. */
  primaryKey?: string[];
  /** Incremental cursor column. */
  cursor?: string;
  /** How the table is written (from `scd_type`, `disposition` or the `disposition:` map). */
  disposition?: WriteDisposition;
  /** How deleted rows are found, when they are handled at all. */
  deletes?: DeleteMode;
  /** Column whose true value marks a row as deleted (instead of the connector's declared one). */
  deletedFlag?: string;
}

/** A setting's name, as {@linkcode TableSettings} spells it. */
export type TableSettingKey = keyof TableSettings;

/** Per-table settings of one source, with where each was written. */
export interface SourceTableSettings {
  /** Tables the source selects; undefined = every table the connector discovers. */
  tables?: string[];
  /** Settings per source table name. */
  settings: Record<string, TableSettings>;
  /** Where each setting of each table was written, for errors that point there. */
  paths: Record<string, Partial<Record<TableSettingKey, YamlPath>>>;
}

/** Keys of one entry of the `tables:` map, as written in dvt.yaml. */
const TABLE_KEYS = [
  "destination",
  "primary_key",
  "cursor",
  "scd_type",
  "disposition",
  "deletes",
  "deleted_flag",
] as const;

/** Every spelling `scd_type` accepts and the disposition it means. */
const SCD_TYPES: Record<string, WriteDisposition> = {
  "1": "merge",
  scd_type_1: "merge",
  merge: "merge",
  "2": "history",
  scd_type_2: "history",
  history: "history",
  append_only: "append",
  append: "append",
};

/** The spellings listed in hints (case does not matter). */
const SCD_SPELLINGS = ["1", "SCD_TYPE_1", "merge", "2", "SCD_TYPE_2", "history", "append_only"];

/**
 * The disposition an `scd_type` value means, or undefined when it means none. Accepts `1`,
 * `SCD_TYPE_1`, `merge`, `2`, `SCD_TYPE_2`, `history`, `append_only` / `APPEND_ONLY`.
 *
 * @example
 * ```ts
 * import { dispositionOfScdType } from "./table_settings.ts";
 * if (dispositionOfScdType("SCD_TYPE_2") !== "history") throw new Error();
 * if (dispositionOfScdType(1) !== "merge") throw new Error();
 * ```
 */
export function dispositionOfScdType(value: unknown): WriteDisposition | undefined {
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  return Object.hasOwn(SCD_TYPES, String(value).toLowerCase())
    ? SCD_TYPES[String(value).toLowerCase()]
    : undefined;
}

/** Builds errors that point at a node of the file. */
class Reader {
  constructor(readonly file: YamlFile) {}

  fail(path: YamlPath, message: string, hint?: string): never {
    throw new ConfigError(message, { location: this.file.locate(path), hint });
  }

  column(path: YamlPath, value: unknown, what = "a column name"): string {
    if (typeof value === "string" && value.trim()) return value;
    return this.fail(path, `expected ${what}, found ${describeFound(value)}`);
  }

  columnList(path: YamlPath, value: unknown): string[] {
    // `primary_key: id` is the one-column list it obviously means.
    if (typeof value === "string") return [this.column(path, value)];
    if (!Array.isArray(value) || !value.length) {
      this.fail(
        path,
        `expected a list of column names, found ${describeFound(value)}`,
        "e.g. [id]",
      );
    }
    const columns = value.map((item, index) => this.column([...path, index], item));
    const duplicate = columns.find((column, index) => columns.indexOf(column) !== index);
    if (duplicate) this.fail(path, `column "${duplicate}" is listed twice`);
    return columns;
  }

  disposition(path: YamlPath, value: unknown): WriteDisposition {
    if (typeof value === "string" && isOneOf(WRITE_DISPOSITIONS, value)) return value;
    return this.fail(
      path,
      typeof value === "string"
        ? `unknown disposition "${value}"`
        : `expected a disposition, found ${describeFound(value)}`,
      alternatives(String(value), WRITE_DISPOSITIONS),
    );
  }
}

/** Parses one entry of the `tables:` map; `path` points at it. */
function parseTableEntry(
  reader: Reader,
  path: YamlPath,
  raw: unknown,
): { settings: TableSettings; paths: Partial<Record<TableSettingKey, YamlPath>> } {
  // `orders:` (null) and `orders: {}` both select the table with defaults.
  if (raw === null || raw === undefined) return { settings: {}, paths: {} };
  if (!isMapping(raw)) {
    reader.fail(
      path,
      `expected the table's settings { destination, primary_key, cursor, scd_type, ... } or {}, found ${
        describeFound(raw)
      }`,
    );
  }
  rejectUnknownKeys(
    raw,
    TABLE_KEYS,
    (key) => reader.file.locateKey([...path, key]),
    ConfigError,
  );
  const settings: TableSettings = {};
  const paths: Partial<Record<TableSettingKey, YamlPath>> = {};
  const at = (key: string) => [...path, key];
  if (raw.destination != null) {
    settings.destination = reader.column(at("destination"), raw.destination, "a table name");
    paths.destination = at("destination");
  }
  if (raw.primary_key != null) {
    settings.primaryKey = reader.columnList(at("primary_key"), raw.primary_key);
    paths.primaryKey = at("primary_key");
  }
  if (raw.cursor != null) {
    settings.cursor = reader.column(at("cursor"), raw.cursor);
    paths.cursor = at("cursor");
  }
  if (raw.scd_type != null && raw.disposition != null) {
    reader.fail(
      at("disposition"),
      "give either scd_type or disposition, not both",
      "scd_type 1 = merge, 2 = history, append_only = append",
    );
  }
  if (raw.scd_type != null) {
    const disposition = dispositionOfScdType(raw.scd_type);
    if (!disposition) {
      reader.fail(
        at("scd_type"),
        `unknown scd_type ${describeFound(raw.scd_type)}`,
        `valid: ${SCD_SPELLINGS.join(", ")}`,
      );
    }
    settings.disposition = disposition;
    paths.disposition = at("scd_type");
  }
  if (raw.disposition != null) {
    settings.disposition = reader.disposition(at("disposition"), raw.disposition);
    paths.disposition = at("disposition");
  }
  if (raw.deletes != null) {
    if (typeof raw.deletes !== "string" || !isOneOf(DELETE_MODES, raw.deletes)) {
      reader.fail(
        at("deletes"),
        `unknown deletes ${describeFound(raw.deletes)}`,
        "valid: detect (keys missing from a full read are deleted); leave it out to keep them",
      );
    }
    settings.deletes = raw.deletes;
    paths.deletes = at("deletes");
  }
  if (raw.deleted_flag != null) {
    settings.deletedFlag = reader.column(at("deleted_flag"), raw.deleted_flag);
    paths.deletedFlag = at("deleted_flag");
  }
  return { settings, paths };
}

/** Parses `incremental:` or `disposition:`: a mapping of table name -> one string each. */
function tableStringMap(reader: Reader, path: YamlPath, value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isMapping(value)) {
    reader.fail(path, `expected a mapping of table -> value, found ${describeFound(value)}`);
  }
  for (const [table, item] of Object.entries(value)) {
    if (typeof item !== "string") {
      reader.fail([...path, table], `expected a string, found ${describeFound(item)}`);
    }
  }
  return value as Record<string, string>;
}

/**
 * Sets `key` of `table` from one of the older maps, unless the `tables:` entry already set it
 * differently: a setting written in two places that disagree is a mistake, not a precedence.
 */
function foldLegacy(
  reader: Reader,
  result: SourceTableSettings,
  table: string,
  key: "cursor" | "disposition",
  value: string,
  path: YamlPath,
): void {
  const settings = result.settings[table] ??= {};
  const paths = result.paths[table] ??= {};
  const existing = settings[key];
  if (existing !== undefined && existing !== value) {
    const there = paths[key] ? reader.file.locate(paths[key]!) : undefined;
    reader.fail(
      path,
      `table "${table}" has ${key} "${value}" here and "${existing}"${
        there?.line ? ` at line ${there.line}` : ""
      }`,
      `set it once, under tables.${table}`,
    );
  }
  if (key === "disposition") settings.disposition = reader.disposition(path, value);
  else settings.cursor = reader.column(path, value);
  paths[key] ??= path;
}

/**
 * Parses a source's `tables`, `incremental` and `disposition` keys (`path` points at the
 * source) into per-table settings. `tables` is a list of names or a map of name -> settings.
 *
 * @example
 * ```ts
 * import { ConfigError } from "../errors.ts";
 * import { parseYamlText } from "../util/yaml_file.ts";
 * import { parseTableSettings } from "./table_settings.ts";
 * const file = parseYamlText("tables:\n  orders: { scd_type: 2, primary_key: [id] }\n", "dvt.yaml", ConfigError);
 * const { settings } = parseTableSettings(file, [], file.value as Record<string, unknown>);
 * if (settings.orders.disposition !== "history") throw new Error();
 * ```
 */
export function parseTableSettings(
  file: YamlFile,
  path: YamlPath,
  raw: Record<string, unknown>,
): SourceTableSettings {
  const reader = new Reader(file);
  const result: SourceTableSettings = { settings: {}, paths: {} };
  const tables = raw.tables;
  if (Array.isArray(tables)) {
    tables.forEach((item, index) => {
      if (typeof item !== "string" || !item) {
        reader.fail(
          [...path, "tables", index],
          `expected a table name, found ${describeFound(item)}`,
        );
      }
    });
    result.tables = [...new Set(tables as string[])];
  } else if (isMapping(tables)) {
    result.tables = Object.keys(tables);
    for (const [table, entry] of Object.entries(tables)) {
      const parsed = parseTableEntry(reader, [...path, "tables", table], entry);
      result.settings[table] = parsed.settings;
      result.paths[table] = parsed.paths;
    }
  } else if (tables !== undefined && tables !== null) {
    reader.fail(
      [...path, "tables"],
      `expected a list of table names or a mapping of table -> settings, found ${
        describeFound(tables)
      }`,
      "e.g. tables: [orders, customers] or tables: { orders: { primary_key: [id] } }",
    );
  }
  const incremental = tableStringMap(reader, [...path, "incremental"], raw.incremental);
  for (const [table, column] of Object.entries(incremental)) {
    foldLegacy(reader, result, table, "cursor", column, [...path, "incremental", table]);
  }
  const disposition = tableStringMap(reader, [...path, "disposition"], raw.disposition);
  for (const [table, value] of Object.entries(disposition)) {
    foldLegacy(reader, result, table, "disposition", value, [...path, "disposition", table]);
  }
  return result;
}

/**
 * Discovery: the tables and views of one database from information_schema, with their columns
 * mapped to Arrow, primary keys, comments, a row estimate and a suggested cursor column.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import { Cap, type TableInfo } from "../../mod.ts";
import {
  type ColumnInfo,
  type ColumnPlan,
  type MappingOptions,
  planColumn,
} from "./column_types.ts";
import type { MysqlClient } from "./mysql_client.ts";

type ArrowModule = typeof Arrow;

/** One discovered table with what reads need. */
export interface CatalogTable {
  info: TableInfo;
  plans: ColumnPlan[];
  /** TABLE_ROWS: the server's estimate (InnoDB samples), 0 for views. */
  estimatedRows: number;
  view: boolean;
}

interface TableRow {
  TABLE_NAME: string;
  TABLE_TYPE: string;
  TABLE_COMMENT: string | null;
  TABLE_ROWS: number | string | null;
}

interface ColumnRow {
  TABLE_NAME: string;
  COLUMN_NAME: string;
  DATA_TYPE: string;
  COLUMN_TYPE: string;
  NUMERIC_PRECISION: number | string | null;
  NUMERIC_SCALE: number | string | null;
  DATETIME_PRECISION: number | string | null;
  IS_NULLABLE: string;
  COLUMN_COMMENT: string | null;
  CHARACTER_SET_NAME: string | null;
  EXTRA: string | null;
  COLUMN_KEY: string | null;
}

const numberOrNull = (value: number | string | null) => value === null ? null : Number(value);

const CURSOR_NAME =
  /^(updated|modified|changed|last_?modified|last_?updated)(_?(at|on|time|date|ts))?$/i;

/** Picks the column best suited as an incremental cursor, if any. */
export function suggestCursor(rows: ColumnRow[], primaryKey: string[]): string | undefined {
  const temporal = rows.filter((r) =>
    ["timestamp", "datetime"].includes(r.DATA_TYPE.toLowerCase())
  );
  const onUpdate = temporal.find((r) => /on update/i.test(r.EXTRA ?? ""));
  if (onUpdate) return onUpdate.COLUMN_NAME;
  const named = temporal.find((r) => CURSOR_NAME.test(r.COLUMN_NAME));
  if (named) return named.COLUMN_NAME;
  const serial = rows.find((r) =>
    /auto_increment/i.test(r.EXTRA ?? "") && primaryKey.length === 1 &&
    primaryKey[0] === r.COLUMN_NAME
  );
  return serial?.COLUMN_NAME;
}

/** Reads the catalog of `database`. */
export async function discoverTables(
  arrow: ArrowModule,
  client: MysqlClient,
  database: string,
  mapping: MappingOptions,
): Promise<Map<string, CatalogTable>> {
  const tables = await client.query<TableRow>(
    `SELECT TABLE_NAME, TABLE_TYPE, TABLE_COMMENT, TABLE_ROWS FROM information_schema.TABLES
     WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME`,
    [database],
  );
  const columns = await client.query<ColumnRow>(
    `SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, NUMERIC_PRECISION, NUMERIC_SCALE,
            DATETIME_PRECISION, IS_NULLABLE, COLUMN_COMMENT, CHARACTER_SET_NAME, EXTRA, COLUMN_KEY
     FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?
     ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    [database],
  );
  const keys = await client.query<{ TABLE_NAME: string; COLUMN_NAME: string }>(
    `SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE
     WHERE TABLE_SCHEMA = ? AND CONSTRAINT_NAME = 'PRIMARY'
     ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    [database],
  );
  const byTable = Map.groupBy(columns, (row) => row.TABLE_NAME);
  const keysByTable = Map.groupBy(keys, (row) => row.TABLE_NAME);
  const found = new Map<string, CatalogTable>();
  for (const table of tables) {
    const rows = byTable.get(table.TABLE_NAME) ?? [];
    const plans = rows.map((row) => planColumn(arrow, columnInfo(row), mapping));
    const primaryKey = (keysByTable.get(table.TABLE_NAME) ?? []).map((k) => k.COLUMN_NAME);
    const view = /view/i.test(table.TABLE_TYPE);
    const fields = plans.map((plan) =>
      plan.info.comment
        ? new arrow.Field(
          plan.name,
          plan.field.type,
          true,
          new Map([["comment", plan.info.comment]]),
        )
        : plan.field
    );
    const info: TableInfo = {
      name: table.TABLE_NAME,
      schema: new arrow.Schema(fields),
      capabilities: Cap.DISCOVER | Cap.READ | Cap.REMOTE,
      primaryKey: primaryKey.length ? primaryKey : undefined,
      description: table.TABLE_COMMENT || (view ? "view" : undefined),
      cursorField: suggestCursor(rows, primaryKey),
    };
    found.set(table.TABLE_NAME, {
      info,
      plans,
      estimatedRows: Number(table.TABLE_ROWS ?? 0),
      view,
    });
  }
  return found;
}

function columnInfo(row: ColumnRow): ColumnInfo {
  const dataType = row.DATA_TYPE.toLowerCase();
  return {
    name: row.COLUMN_NAME,
    dataType,
    columnType: row.COLUMN_TYPE.toLowerCase(),
    precision: numberOrNull(row.NUMERIC_PRECISION),
    scale: numberOrNull(row.NUMERIC_SCALE),
    fractionDigits: numberOrNull(row.DATETIME_PRECISION),
    nullable: row.IS_NULLABLE === "YES",
    comment: row.COLUMN_COMMENT ?? "",
    binary: row.CHARACTER_SET_NAME === "binary" ||
      (row.CHARACTER_SET_NAME === null && /blob|binary/.test(dataType)),
  };
}

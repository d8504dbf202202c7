/**
 * Chooses the tables of a run and how each is obtained (read, stream or remote), validating
 * requested names before anything is written.
 *
 * @module
 */
import { alternatives, didYouMean } from "../util/field_check.ts";
import { InputError } from "../errors.ts";
import type { RecordBatch } from "apache-arrow";
import {
  type BatchSource,
  Cap,
  type Connector,
  hasCap,
  type ReadOptions,
  type TableInfo,
} from "../protocol.ts";
import type { RunOptions } from "./run_types.ts";
import { type TableSettings, WRITE_DISPOSITIONS } from "../project/table_settings.ts";

/** How a selected table is obtained. */
export type TableKind = SelectedTable["kind"];

interface SelectedBase {
  /** Source table name. */
  source: string;
  /** What discover() said about the table; absent for connectors without DISCOVER. */
  info?: TableInfo;
}

/** A table read in batches through the connector's `read()`. */
export interface ReadTable extends SelectedBase {
  kind: "read";
  read: (table: string, options: ReadOptions) => BatchSource;
  /** The connector's parallel read, when it has one (see `Connector.readParts`). */
  readParts?: (table: string, options: ReadOptions) => Promise<BatchSource[]> | BatchSource[];
}

/** A table consumed through the connector's `stream()` until it ends. */
export interface StreamTable extends SelectedBase {
  kind: "stream";
  stream: (table: string) => AsyncIterable<RecordBatch>;
}

/** A table queried remotely: listed in `_meta`, nothing written. */
export interface RemoteTable extends SelectedBase {
  kind: "remote";
}

/** A table neither read, streamed nor remote: reported as skipped. */
export interface UnobtainableTable extends SelectedBase {
  kind: "none";
}

/** One selected table, with the connector method that obtains it. */
export type SelectedTable = ReadTable | StreamTable | RemoteTable | UnobtainableTable;

/** Picks how to obtain a table from the connector's and the table's capabilities (READ first). */
export function selectedTable(
  connector: Connector,
  source: string,
  info?: TableInfo,
): SelectedTable {
  const caps = info ? info.capabilities & connector.capabilities : connector.capabilities;
  if (hasCap(caps, Cap.READ) && connector.read) {
    const readParts = connector.readParts?.bind(connector);
    return { kind: "read", source, info, read: connector.read.bind(connector), readParts };
  }
  if (hasCap(caps, Cap.STREAM) && connector.stream) {
    return { kind: "stream", source, info, stream: connector.stream.bind(connector) };
  }
  if (hasCap(caps, Cap.REMOTE)) return { kind: "remote", source, info };
  return { kind: "none", source, info };
}

/**
 * Resolves the tables to extract. `requested` undefined means every discovered table; names
 * not discovered are an {@linkcode InputError} listing the available ones.
 */
export function selectTables(
  connector: Connector,
  discovered: TableInfo[] | undefined,
  requested: string[] | undefined,
): SelectedTable[] {
  if (!discovered) {
    // A remote-only connector needs no tables: its _remote_attach row is the whole extract.
    const remoteOnly = !hasCap(connector.capabilities, Cap.READ) &&
      !hasCap(connector.capabilities, Cap.STREAM);
    if (requested?.length === 0 || (!requested && remoteOnly)) return [];
    if (!requested) {
      throw new InputError("this connector cannot list its tables (no discover capability)", {
        hint: "name the tables to extract with --tables (or tables: in dvt.yaml)",
      });
    }
    return [...new Set(requested)].map((source) => selectedTable(connector, source));
  }
  const byName = new Map(discovered.map((info) => [info.name, info]));
  if (!requested) {
    return discovered.map((info) => selectedTable(connector, info.name, info));
  }
  const unknown = requested.filter((name) => !byName.has(name));
  if (unknown.length) {
    const available = [...byName.keys()];
    const suggestions = unknown
      .map((name) => [name, didYouMean(name, available)] as const)
      .filter(([, guess]) => guess)
      .map(([name, guess]) => `"${name}" -> did you mean "${guess}"?`);
    throw new InputError(
      `unknown table${unknown.length > 1 ? "s" : ""} ${unknown.map((n) => `"${n}"`).join(", ")}` +
        (suggestions.length ? ` (${suggestions.join("; ")})` : ""),
      { hint: `available tables: ${available.join(", ") || "(none)"}` },
    );
  }
  return [...new Set(requested)].map((source) =>
    selectedTable(connector, source, byName.get(source))
  );
}

/**
 * The settings of one source table: its `settings` entry over the older `incremental` and
 * `disposition` maps.
 */
export function settingsOf(
  options: Pick<RunOptions, "incremental" | "disposition" | "settings">,
  source: string,
): TableSettings {
  const settings: TableSettings = { ...options.settings?.[source] };
  settings.cursor ??= options.incremental?.[source];
  settings.disposition ??= options.disposition?.[source];
  return settings;
}

/**
 * Checks per-table options. Settings for tables not selected this run are ignored (a project
 * file configures every table; `--tables` picks some), unknown dispositions are input errors.
 */
export function checkRunOptions(
  options: Pick<RunOptions, "incremental" | "disposition" | "settings" | "settingAt">,
): void {
  const configured = [
    ...Object.entries(options.disposition ?? {}),
    ...Object.entries(options.settings ?? {}).flatMap(([table, settings]) =>
      settings.disposition ? [[table, settings.disposition] as const] : []
    ),
  ];
  for (const [table, settings] of Object.entries(options.settings ?? {})) {
    const disposition = settingsOf(options, table).disposition;
    if (!settings.deletes || disposition === "merge" || disposition === "history") continue;
    // Only a table kept by key can lose a key; elsewhere the setting would do nothing.
    throw new InputError(
      `table "${table}": deletes: ${settings.deletes} needs scd_type 1 (merge) or 2 (history)`,
      {
        location: options.settingAt?.(table, "deletes"),
        hint: "set scd_type: 1 or scd_type: 2 with a primary_key, or remove deletes",
      },
    );
  }
  for (const [table, disposition] of configured) {
    if (!(WRITE_DISPOSITIONS as readonly string[]).includes(disposition)) {
      throw new InputError(`unknown disposition "${disposition}" for table "${table}"`, {
        hint: `use one of: ${WRITE_DISPOSITIONS.join(", ")}`,
      });
    }
  }
}

/** The settings that name columns, with how their errors describe them. */
const COLUMN_SETTINGS = [
  ["cursor", "to use as its incremental cursor"],
  ["primaryKey", "for its primary key"],
  ["deletedFlag", "to use as its deleted flag"],
] as const;

/**
 * Checks, before anything is read, that the columns each selected table's settings name (cursor,
 * primary key, deleted flag) exist in the schema discover() declared: a misspelled column is
 * bad input, named where it is configured, with the closest column name.
 */
export function checkConfiguredColumns(
  selected: readonly SelectedTable[],
  options: Pick<RunOptions, "incremental" | "disposition" | "settings" | "settingAt">,
): void {
  for (const table of selected) {
    if (!table.info) continue;
    const settings = settingsOf(options, table.source);
    const names = table.info.schema.fields.map((field) => field.name);
    for (const [key, purpose] of COLUMN_SETTINGS) {
      const columns = [settings[key] ?? []].flat();
      const missing = columns.find((column) => !names.includes(column));
      if (missing === undefined) continue;
      throw new InputError(`table "${table.source}" has no column "${missing}" ${purpose}`, {
        location: options.settingAt?.(table.source, key),
        hint: alternatives(missing, names),
      });
    }
  }
}

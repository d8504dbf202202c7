/** `dvt connector discover <connector>`: tables with Arrow schemas, keys and capabilities. */
import { instantiateConnector } from "../../connector/loader.ts";
import { UsageError } from "../../errors.ts";
import { createLogger, detectOutputMode, printJson, printResult } from "../../util/output.ts";
import { Cap, capsToNames, hasCap, type TableInfo } from "../../protocol.ts";
import { type ConnectorTargetOptions, resolveConnectorTarget } from "./target.ts";
import type { GlobalOptions } from "../options.ts";

/** A discovered table as plain data (what `--json` prints). */
export interface DiscoveredTable {
  name: string;
  description?: string;
  capabilities: string[];
  primaryKey: string[];
  cursorField?: string;
  deletedFlag?: string;
  fields: { name: string; type: string; nullable: boolean }[];
}

/** Turns TableInfo into plain data. */
export function describeTable(table: TableInfo): DiscoveredTable {
  return {
    name: table.name,
    description: table.description,
    capabilities: capsToNames(table.capabilities),
    primaryKey: table.primaryKey ?? [],
    cursorField: table.cursorField,
    deletedFlag: table.deletedFlag,
    fields: table.schema.fields.map((field) => ({
      name: field.name,
      type: String(field.type),
      nullable: field.nullable,
    })),
  };
}

function renderTable(table: DiscoveredTable): string[] {
  const lines = [`${table.name}  [${table.capabilities.join(", ")}]`];
  if (table.description) lines.push(`  ${table.description}`);
  if (table.primaryKey.length) lines.push(`  primary key: ${table.primaryKey.join(", ")}`);
  if (table.cursorField) lines.push(`  cursor: ${table.cursorField}`);
  if (table.deletedFlag) lines.push(`  deleted flag: ${table.deletedFlag}`);
  const width = Math.max(...table.fields.map((field) => field.name.length), 4);
  for (const field of table.fields) {
    lines.push(
      `    ${field.name.padEnd(width)}  ${field.type}${field.nullable ? "" : " NOT NULL"}`,
    );
  }
  return lines;
}

/** Runs discover() and prints the tables; returns the exit code. */
export async function runConnectorDiscover(
  ref: string,
  options: ConnectorTargetOptions,
  globals: GlobalOptions,
): Promise<number> {
  const target = await resolveConnectorTarget(ref, options);
  const { manifest } = target.loaded;
  if (!hasCap(manifest.caps, Cap.DISCOVER)) {
    throw new UsageError(`connector ${manifest.name} does not declare discover`, {
      hint: `its capabilities are ${
        manifest.capabilities.join(", ")
      }; name tables in dvt.yaml instead`,
    });
  }
  const logger = createLogger(detectOutputMode(options.json), globals.logLevel);
  const connector = await instantiateConnector(target.loaded, target.config, { logger });
  try {
    const tables = (await connector.discover!()).map(describeTable);
    if (options.json) {
      printJson({ connector: manifest.name, tables });
    } else {
      tables.forEach((table, index) => {
        if (index) printResult("");
        renderTable(table).forEach((line) => printResult(line));
      });
    }
  } finally {
    await connector.close?.();
  }
  return 0;
}

/**
 * The registry of connectors compiled into dvt. This is the only place runtime/ references
 * specific connectors; the import specifiers are static so `deno compile` embeds them.
 *
 * @module
 */
import type { ConnectorFactory } from "../protocol.ts";

/** One built-in connector: where its manifest is and how to load its module. */
export interface BuiltinConnector {
  /** URL of its connector.yaml (a `file:` URL, embedded in the compiled binary). */
  manifestUrl: URL;
  /** Imports the connector module lazily, so unused connectors cost nothing at start-up. */
  load: () => Promise<{ default: ConnectorFactory }>;
}

/** Built-in connectors by name. */
export const BUILTIN_CONNECTORS: Record<string, BuiltinConnector> = {
  files: {
    manifestUrl: new URL("../../connectors/files/connector.yaml", import.meta.url),
    load: () => import("../../connectors/files/connector.ts"),
  },
  bigquery: {
    manifestUrl: new URL("../../connectors/bigquery/connector.yaml", import.meta.url),
    load: () => import("../../connectors/bigquery/connector.ts"),
  },
  databricks: {
    manifestUrl: new URL("../../connectors/databricks/connector.yaml", import.meta.url),
    load: () => import("../../connectors/databricks/connector.ts"),
  },
  jira: {
    manifestUrl: new URL("../../connectors/jira/connector.yaml", import.meta.url),
    load: () => import("../../connectors/jira/connector.ts"),
  },
  keboola: {
    manifestUrl: new URL("../../connectors/keboola/connector.yaml", import.meta.url),
    load: () => import("../../connectors/keboola/connector.ts"),
  },
  mysql: {
    manifestUrl: new URL("../../connectors/mysql/connector.yaml", import.meta.url),
    load: () => import("../../connectors/mysql/connector.ts"),
  },
  postgres: {
    manifestUrl: new URL("../../connectors/postgres/connector.yaml", import.meta.url),
    load: () => import("../../connectors/postgres/connector.ts"),
  },
  sqlite: {
    manifestUrl: new URL("../../connectors/sqlite/connector.yaml", import.meta.url),
    load: () => import("../../connectors/sqlite/connector.ts"),
  },
};

/** Names of the built-in connectors, sorted. */
export function builtinNames(): string[] {
  return Object.keys(BUILTIN_CONNECTORS).sort();
}

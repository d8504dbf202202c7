/**
 * The built-in `jira` connector: Jira Cloud issues, comments, changelog, attachments, issue
 * links and remote links through REST API v3 (enhanced JQL search with `nextPageToken`), with
 * incremental reads by `updated`, and webhook deliveries (`dvt serve`) turned into rows of the
 * same tables through `receive()`. `stream()` polls the search for changes, for runtimes that
 * pull. Only `ctx.fetch` touches the network, so the same file runs sandboxed.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import type {
  ConnectorFactory,
  CursorValue,
  EventRows,
  ReadOptions,
  TableInfo,
  WebhookEvent,
} from "../../mod.ts";
import { Cap, InputError, parseTimestampMicros } from "../../mod.ts";
import { rowsBatch } from "./issue_rows.ts";
import { basicAuth, JiraApi } from "./jira_api.ts";
import { checkScope, type JqlScope } from "./jql.ts";
import { readTableRows } from "./table_reader.ts";
import { JIRA_TABLES, type JiraTable, jiraTable, tableSchema } from "./table_schemas.ts";
import { receiveJiraBatch } from "./webhook_batch.ts";

/** The jira connector's config (see connector.yaml). */
export interface JiraConfig {
  url?: string;
  jql?: string;
  projects?: string[];
  page_size?: number;
  poll_interval_seconds?: number;
  [key: string]: unknown;
}

const jira: ConnectorFactory<JiraConfig> = (ctx, config) => {
  const arrow = ctx.arrow;
  if (!config.url) {
    throw new InputError("the jira connector needs url", {
      hint: "set url to the Jira site, e.g. --set url=https://acme.atlassian.net",
    });
  }
  const scope: JqlScope = { projects: config.projects, jql: config.jql };
  checkScope(scope);
  const api = new JiraApi(ctx, config.url, basicAuth(ctx));
  const pageSize = config.page_size ?? 100;
  const pollMs = (config.poll_interval_seconds ?? 60) * 1000;
  let timeZone: Promise<string> | undefined;
  const wakeups = new Set<() => void>();

  /** The API user's profile time zone, in which JQL reads dates (GET /myself, once). */
  const userTimeZone = () =>
    timeZone ??= api.get<{ timeZone?: string }>("/rest/api/3/myself")
      .then((me) => me.timeZone || "UTC")
      .catch((error) => {
        // Not cached: a later table may succeed where a transient failure hit this one.
        timeZone = undefined;
        throw error;
      });

  function known(name: string): JiraTable {
    const table = jiraTable(name);
    if (!table) {
      throw new InputError(`no Jira table "${name}"`, {
        hint: `tables: ${JIRA_TABLES.map((t) => t.name).join(", ")}`,
      });
    }
    return table;
  }

  /** The table narrowed to `columns`, in their order (projection pushdown). */
  function projected(table: JiraTable, columns: string[] | undefined): JiraTable {
    if (!columns) return table;
    const byName = new Map(table.columns.map((column) => [column[0], column]));
    return {
      ...table,
      columns: columns.map((name) => {
        const column = byName.get(name);
        if (!column) throw new InputError(`Jira table ${table.name} has no column "${name}"`);
        return column;
      }),
    };
  }

  /** The table's rows page by page, past `incrementalValue` of `incrementalKey` when given. */
  async function* tableRows(
    table: JiraTable,
    incrementalKey: string | undefined,
    incrementalValue: CursorValue | undefined,
  ) {
    yield* readTableRows({
      api,
      table,
      scope,
      timeZone: await userTimeZone(),
      pageSize,
      incrementalKey,
      incrementalValue,
      warn: (message) => ctx.log.warn(message),
    });
  }

  async function* read(name: string, options: ReadOptions): AsyncGenerator<Arrow.RecordBatch> {
    const table = known(name);
    const output = projected(table, options.columns);
    let rowOffset = 0;
    for await (const rows of tableRows(table, options.incrementalKey, options.incrementalValue)) {
      yield rowsBatch(arrow, output, rows, rowOffset);
      rowOffset += rows.length;
    }
  }

  /** Waits `ms`, or less when the connector is closed. */
  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        wakeups.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      wakeups.add(wake);
    });
  }

  /** Polls the search: every row of the table, then rows changed since, until closed. */
  async function* stream(name: string): AsyncGenerator<Arrow.RecordBatch> {
    const table = known(name);
    let cursor: string | undefined;
    let closed = false;
    const stop = () => (closed = true);
    wakeups.add(stop);
    try {
      while (!closed) {
        for await (const rows of tableRows(table, table.cursorField, cursor)) {
          for (const row of rows) {
            const value = row[table.cursorField];
            if (
              typeof value === "string" &&
              (cursor === undefined ||
                parseTimestampMicros(value)! > parseTimestampMicros(cursor)!)
            ) cursor = value;
          }
          yield rowsBatch(arrow, table, rows);
        }
        if (!closed) await pause(pollMs);
      }
    } finally {
      wakeups.delete(stop);
    }
  }

  /** One delivery: its rows, or the InputError saying why it cannot be taken. */
  function receive(event: WebhookEvent): EventRows[] {
    const { rows, refused } = receiveJiraBatch(arrow, [event]);
    if (refused.length) throw refused[0].error;
    return rows;
  }

  const discover = (): TableInfo[] =>
    JIRA_TABLES.map((table) => ({
      name: table.name,
      schema: tableSchema(arrow, table),
      capabilities: Cap.DISCOVER | Cap.READ | Cap.STREAM,
      primaryKey: table.primaryKey,
      description: table.description,
      cursorField: table.cursorField,
    }));

  return {
    capabilities: Cap.DISCOVER | Cap.READ | Cap.STREAM,
    discover,
    read,
    stream,
    receive,
    receiveBatch: (events) => receiveJiraBatch(arrow, events),
    check: async () => {
      await userTimeZone();
    },
    close: () => {
      for (const wake of [...wakeups]) wake();
    },
  };
};

export default jira;

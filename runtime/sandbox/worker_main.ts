/**
 * The sandbox worker's entry script. It runs with only the permissions the connector's manifest
 * grants (set by the host on `new Worker`), locks its global scope down (lockdown.ts), imports
 * the connector (re-printed by the host without imports, confine_module.ts) from a `data:` URL, and
 * answers the host's messages (messages.ts). Batches leave as transferred IPC buffers, one per
 * `pull`, so a fast connector cannot flood the host.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import * as arrow from "apache-arrow";
import type {
  Connector,
  ConnectorContext,
  EventRows,
  LogFields,
  ReadOptions,
  WebhookEvent,
} from "../protocol.ts";
import type { LogLevel } from "../util/output.ts";
import { createRetryingFetch } from "../util/retrying_fetch.ts";
import { createDownloader } from "../connector/download.ts";
import { encodeBatch, schemaToIpc } from "./arrow_ipc.ts";
import { captureHostChannel, lockDown } from "./lockdown.ts";
import type {
  HostMessage,
  StreamMethod,
  WireEventRows,
  WireTableInfo,
  WorkerMessage,
} from "./messages.ts";

let connector: Connector | undefined;
const iterators = new Map<number, AsyncIterator<arrow.RecordBatch>>();
/** The schema of each open read's last batch: an unchanged schema is not sent again. */
const sentSchemas = new Map<number, arrow.Schema>();
const channel = captureHostChannel();

function send(message: WorkerMessage, transfer: Transferable[] = []): void {
  channel.post(message, transfer);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function createContext(name: string): ConnectorContext {
  const log = (level: LogLevel) => (message: string, fields?: LogFields) =>
    send({ kind: "log", level, message: String(message), fields: fields && { ...fields } });
  const fetch = createRetryingFetch();
  return {
    arrow,
    fetch,
    // The sandbox's one thread: a worker of its own would need the same grants checked again.
    download: createDownloader(fetch),
    expectDownloads() {},
    log: { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") },
    env(variable: string): string | undefined {
      try {
        return Deno.env.get(variable);
      } catch {
        throw new Error(
          `connector ${name} read env var ${variable}, which its manifest does not grant; add it to permissions.env in connector.yaml`,
        );
      }
    },
  };
}

let initialised = false;

async function initialise(message: Extract<HostMessage, { kind: "init" }>): Promise<void> {
  // Once only: connector code could call the message handler itself with a module of its own,
  // one the host never confined.
  if (initialised) throw new Error("the connector is already loaded");
  initialised = true;
  const encoded = btoa(
    Array.from(new TextEncoder().encode(message.code), (byte) => String.fromCharCode(byte)).join(
      "",
    ),
  );
  // The host sends JavaScript: confine_module.ts re-printed (and type-stripped) the module.
  const module = await import(`data:application/javascript;base64,${encoded}`);
  if (typeof module.default !== "function") {
    throw new Error(
      `${message.moduleUrl} has no default export factory (ctx, config) => Connector`,
    );
  }
  connector = await module.default(createContext(message.name), message.config);
  if (!connector || typeof connector !== "object") {
    throw new Error("the factory did not return a connector object");
  }
  const methods = ["discover", "read", "stream", "receive", "remote", "check", "close"]
    .filter((method) =>
      typeof (connector as unknown as Record<string, unknown>)[method] === "function"
    );
  send({ kind: "ready", capabilities: connector.capabilities, methods });
}

async function call(id: number, method: string): Promise<void> {
  const target = connector as unknown as Record<string, () => unknown>;
  if (typeof target[method] !== "function") throw new Error(`connector has no ${method}()`);
  const value = await target[method]();
  if (method !== "discover") return send({ kind: "result", id, value: value ?? null });
  const tables: WireTableInfo[] = (value as Parameters<typeof describeTable>[0][]).map(
    describeTable,
  );
  send(
    { kind: "result", id, value: tables },
    tables.map((table) => table.schemaIpc.buffer as ArrayBuffer),
  );
}

function describeTable(table: {
  name: string;
  schema: arrow.Schema;
  capabilities: number;
  primaryKey?: string[];
  description?: string;
  cursorField?: string;
  deletedFlag?: string;
}): WireTableInfo {
  if (!(table.schema instanceof arrow.Schema)) {
    throw new Error(`table ${table.name}: schema is not an Arrow Schema (build it with ctx.arrow)`);
  }
  return { ...table, schema: undefined, schemaIpc: schemaToIpc(table.schema) } as WireTableInfo;
}

/** Hands one webhook event to the connector; its batches go back as transferred wire batches. */
async function receive(id: number, event: WebhookEvent): Promise<void> {
  if (typeof connector?.receive !== "function") throw new Error("connector has no receive()");
  const produced: unknown = await connector.receive(event);
  if (!Array.isArray(produced)) {
    throw new Error("receive() did not return a list of { table, batch }");
  }
  const rows: WireEventRows[] = [];
  const transfer: Transferable[] = [];
  for (const item of produced as EventRows[]) {
    if (typeof item?.table !== "string" || !(item.batch instanceof arrow.RecordBatch)) {
      throw new Error("receive() returned an item that is not { table, batch: RecordBatch }");
    }
    const [wire, buffers] = encodeBatch(item.batch);
    rows.push({ table: item.table, ...wire });
    transfer.push(...buffers);
  }
  send({ kind: "result", id, value: rows }, transfer);
}

function open(id: number, method: StreamMethod, table: string, options?: ReadOptions): void {
  const target = connector as unknown as Record<string, (...args: unknown[]) => unknown>;
  if (typeof target[method] !== "function") throw new Error(`connector has no ${method}()`);
  const source = target[method](table, options) as
    | AsyncIterable<arrow.RecordBatch>
    | Iterable<arrow.RecordBatch>;
  const iterator = Symbol.asyncIterator in source
    ? source[Symbol.asyncIterator]()
    : (async function* () {
      yield* source as Iterable<arrow.RecordBatch>;
    })();
  iterators.set(id, iterator);
}

async function pull(id: number): Promise<void> {
  const iterator = iterators.get(id);
  if (!iterator) throw new Error(`no open read with id ${id}`);
  const next = await iterator.next();
  if (next.done) {
    iterators.delete(id);
    sentSchemas.delete(id);
    return send({ kind: "end", id });
  }
  if (!(next.value instanceof arrow.RecordBatch)) {
    throw new Error("yielded a value that is not an Arrow RecordBatch (build it with ctx.arrow)");
  }
  const [wire, transfer] = encodeBatch(next.value, sentSchemas.get(id));
  sentSchemas.set(id, next.value.schema);
  send({ kind: "batch", id, ...wire }, transfer);
}

async function handle(message: HostMessage): Promise<void> {
  switch (message.kind) {
    case "init":
      return await initialise(message);
    case "call":
      return await call(message.id, message.method);
    case "open":
      open(message.id, message.method, message.table, message.options);
      return await pull(message.id);
    case "receive":
      return await receive(message.id, message.event);
    case "pull":
      return await pull(message.id);
    case "cancel": {
      const iterator = iterators.get(message.id);
      iterators.delete(message.id);
      sentSchemas.delete(message.id);
      await iterator?.return?.();
    }
  }
}

function onMessage(event: MessageEvent<HostMessage>): void {
  const message = event.data;
  lockedDown.then(() => handle(message)).catch((error) => {
    const id = "id" in message ? message.id : undefined;
    if (id !== undefined) iterators.delete(id);
    if (id !== undefined) sentSchemas.delete(id);
    // Sandboxed code cannot import dvt's InputError; an error named so rejects the input.
    const input = error instanceof Error && error.name === "InputError";
    // A hint (dvt's errors carry one: how to fix it) crosses too; the host cleans it like the text.
    const hint = (error as { hint?: unknown } | undefined)?.hint;
    send({
      kind: "error",
      id,
      message: describe(error),
      ...input ? { input } : {},
      ...typeof hint === "string" ? { hint } : {},
    });
  });
}

// Console output becomes log lines: dvt's stdout carries only dvt's results.
const lockedDown = lockDown((level, message) => send({ kind: "log", level, message }), onMessage);

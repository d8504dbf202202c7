/**
 * The message protocol between dvt and a sandboxed connector worker. Everything the worker
 * sends is untrusted: {@linkcode parseWorkerMessage} checks each message's shape before the host
 * acts on it, so a connector that breaks the protocol is stopped with a clear error.
 *
 * @module
 */
import type { ConnectorConfig, LogFields, ReadOptions, WebhookEvent } from "../protocol.ts";
import type { WireBatch } from "./arrow_ipc.ts";
import { isOneOf } from "../util/is_one_of.ts";
import { LOG_LEVELS, type LogLevel } from "../util/output.ts";

/** Methods answered with one value. */
export type CallMethod = "discover" | "remote" | "check" | "close";

/** Methods answered with a stream of batches. */
export type StreamMethod = "read" | "stream";

/** Host -> worker. */
export type HostMessage =
  | { kind: "init"; name: string; code: string; moduleUrl: string; config: ConnectorConfig }
  | { kind: "call"; id: number; method: CallMethod }
  | { kind: "open"; id: number; method: StreamMethod; table: string; options?: ReadOptions }
  | { kind: "receive"; id: number; event: WebhookEvent }
  | { kind: "pull"; id: number }
  | { kind: "cancel"; id: number };

/** Rows `receive()` produced for one table, the batch as a wire batch. */
export type WireEventRows = { table: string } & WireBatch;

/** A table as described by the worker: the schema travels as IPC bytes. */
export interface WireTableInfo {
  name: string;
  schemaIpc: Uint8Array;
  capabilities: number;
  primaryKey?: string[];
  description?: string;
  cursorField?: string;
  deletedFlag?: string;
}

/** Worker -> host. */
export type WorkerMessage =
  | { kind: "ready"; capabilities: number; methods: string[] }
  | { kind: "result"; id: number; value: unknown }
  | ({ kind: "batch"; id: number } & WireBatch)
  | { kind: "end"; id: number }
  /** `input`: the connector rejected its input (an error named InputError), not a failure. */
  | { kind: "error"; id?: number; message: string; input?: boolean; hint?: string }
  | {
    kind: "log";
    level: LogLevel;
    message: string;
    fields?: LogFields;
  };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const isId = (value: unknown) => Number.isSafeInteger(value) && (value as number) > 0;

/**
 * True for bytes the worker handed over: a Uint8Array whose buffer is not shared. A view of a
 * SharedArrayBuffer would let the connector change a batch while dvt writes it.
 */
export function isOwnedBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && !(value.buffer instanceof SharedArrayBuffer);
}

/** Every buffer a batch message carries, or undefined when its shape is wrong. */
function batchViews(data: Record<string, unknown>): ArrayBufferView[] | undefined {
  if (data.ipc instanceof Uint8Array) return [data.ipc];
  const flat = data.flat;
  if (!isRecord(flat)) return undefined;
  if (flat.schemaIpc !== undefined && !(flat.schemaIpc instanceof Uint8Array)) return undefined;
  if (!Number.isSafeInteger(flat.length) || !Array.isArray(flat.columns)) return undefined;
  const views: ArrayBufferView[] = flat.schemaIpc ? [flat.schemaIpc] : [];
  for (const column of flat.columns) {
    if (!isRecord(column)) return undefined;
    for (const key of ["offset", "length", "nullCount"]) {
      if (!Number.isSafeInteger(column[key]) || (column[key] as number) < 0) return undefined;
    }
    for (const key of ["data", "nullBitmap", "valueOffsets"]) {
      const view = column[key];
      if (view === undefined) continue;
      if (!ArrayBuffer.isView(view)) return undefined;
      views.push(view);
    }
  }
  return views;
}

/**
 * Validates a message from the worker; returns a description of the violation, or the message.
 *
 * @example
 * ```ts
 * import { parseWorkerMessage } from "./messages.ts";
 * const parsed = parseWorkerMessage({ kind: "end", id: 1 });
 * if (typeof parsed === "string") throw new Error(parsed);
 * ```
 */
export function parseWorkerMessage(data: unknown): WorkerMessage | string {
  if (!isRecord(data)) return `expected an object message, got ${typeof data}`;
  switch (data.kind) {
    case "ready":
      return Number.isInteger(data.capabilities) && Array.isArray(data.methods)
        ? data as WorkerMessage
        : "ready message without integer capabilities and a methods list";
    case "result":
      return isId(data.id) ? data as WorkerMessage : "result message without a valid id";
    case "batch": {
      const views = batchViews(data);
      if (views === undefined || !isId(data.id)) {
        return "batch message without a valid id and IPC bytes or column buffers";
      }
      if (views.some((view) => view.buffer instanceof SharedArrayBuffer)) {
        return "a batch in shared memory (SharedArrayBuffer), which it could change while dvt writes it";
      }
      return data as WorkerMessage;
    }
    case "end":
      return isId(data.id) ? data as WorkerMessage : "end message without a valid id";
    case "error":
      return typeof data.message === "string" && (data.id === undefined || isId(data.id)) &&
          (data.hint === undefined || typeof data.hint === "string")
        ? data as WorkerMessage
        : "error message without a text";
    case "log":
      return isOneOf(LOG_LEVELS, data.level) && typeof data.message === "string"
        ? data as WorkerMessage
        : "log message without a level and text";
    default:
      return `unknown message kind ${JSON.stringify(data.kind)}`;
  }
}

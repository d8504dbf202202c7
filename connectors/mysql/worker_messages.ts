/**
 * What the main thread and a reader thread (reader_thread.ts) send each other about each read the
 * thread runs: the SELECT to run, record batches as their column buffers (moved, not copied),
 * acknowledgements that pace the reader, the end, and failures as the errors dvt reports.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import { ConnectorError, InputError } from "../../mod.ts";
import type { ColumnInfo } from "./column_types.ts";
import type { MysqlSettings } from "./settings.ts";

type ArrowModule = typeof Arrow;

/** Main -> reader: the SELECT to stream and the columns it returns, in order. */
export interface StartRead {
  type: "start";
  /** Tells this read's messages from those of other reads in the same thread. */
  id: number;
  settings: MysqlSettings;
  sql: string;
  columns: ColumnInfo[];
  batchSize: number;
  table: string;
}

/** Main -> reader: one batch of read `id` was taken; the reader may send one more. */
export interface TakenBatch {
  type: "taken";
  id: number;
}

/** Main -> reader: read `id` is abandoned; close its connection. */
export interface StopRead {
  type: "stop";
  id: number;
}

/** Main -> reader. */
export type MainMessage = StartRead | TakenBatch | StopRead;

/** One column's Arrow data, as plain buffers (see {@linkcode toWire}). */
export interface WireData {
  offset: number;
  length: number;
  nullCount: number;
  buffers: (ArrayBufferView | undefined)[];
  children: WireData[];
}

/** An error as dvt reports it. */
export interface WireError {
  kind: "input" | "connector";
  message: string;
  hint?: string;
}

/** Reader -> main, about read `id`. */
export type ReaderMessage =
  | { type: "batch"; id: number; length: number; columns: WireData[] }
  | { type: "end"; id: number }
  | { type: "error"; id: number; error: WireError };

/** How many batches a reader may have sent and not yet seen taken. */
export const BATCHES_IN_FLIGHT = 2;

/**
 * `data` as plain buffers, adding the memory they own to `transfer` (moved to the other thread
 * without a copy) unless `copy` is set: buffers an Arrow builder may reuse must be copied.
 */
export function toWire(data: Arrow.Data, transfer: Set<ArrayBuffer>, copy: boolean): WireData {
  const buffers = (data.buffers as unknown as (ArrayBufferView | undefined)[]).map((buffer) => {
    if (buffer && !copy) transfer.add(buffer.buffer as ArrayBuffer);
    return buffer;
  });
  return {
    offset: data.offset,
    length: data.length,
    nullCount: data.nullCount,
    buffers,
    children: data.children.map((child) => toWire(child, transfer, copy)),
  };
}

/** The Arrow data of `type` that {@linkcode toWire} described. */
export function fromWire(arrow: ArrowModule, type: Arrow.DataType, wire: WireData): Arrow.Data {
  const children = wire.children.map((child, i) =>
    fromWire(arrow, (type.children as Arrow.Field[])[i].type, child)
  );
  return new arrow.Data(
    type,
    wire.offset,
    wire.length,
    wire.nullCount,
    wire.buffers as never,
    children,
  );
}

/** `error` as a message: dvt's errors keep their kind and hint, anything else is a failure. */
export function errorToWire(error: unknown): WireError {
  if (error instanceof InputError) {
    return { kind: "input", message: error.message, hint: error.hint };
  }
  if (error instanceof ConnectorError) {
    return { kind: "connector", message: error.message, hint: error.hint };
  }
  return { kind: "connector", message: error instanceof Error ? error.message : String(error) };
}

/** The error {@linkcode errorToWire} described. */
export function errorFromWire(error: WireError): InputError | ConnectorError {
  const options = { hint: error.hint };
  return error.kind === "input"
    ? new InputError(error.message, options)
    : new ConnectorError(error.message, options);
}

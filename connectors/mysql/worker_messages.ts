/**
 * What the main thread and a reader thread (reader_thread.ts) send each other about each read the
 * thread runs: the SELECT to run, record batches as their column buffers (moved, not copied),
 * acknowledgements that pace the reader, the end, and failures as the errors dvt reports.
 *
 * @module
 */
import { ConnectorError, InputError, type WireData } from "../../mod.ts";
import type { ColumnInfo } from "./column_types.ts";
import type { MysqlSettings } from "./settings.ts";

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

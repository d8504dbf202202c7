/**
 * What the main thread and the reader thread (reader_thread.ts) send each other about each COPY
 * the thread runs: the read to run, record batches as their column buffers (moved, not copied),
 * acknowledgements that pace the reader, the end, and failures as the errors dvt reports.
 *
 * @module
 */
import { ConnectorError, InputError, type WireData } from "../../mod.ts";
import type { CopyRead } from "./copy_read.ts";
import type { ConnectionSettings } from "./settings.ts";

/** Main -> reader: run `read` on a connection of its own. */
export interface StartRead {
  type: "start";
  /** Tells this read's messages from those of other reads in the same thread. */
  id: number;
  settings: ConnectionSettings;
  read: CopyRead;
}

/** Main -> reader: one batch of read `id` was taken (the reader may send one more), or stop. */
export type MainMessage = StartRead | { type: "taken" | "stop"; id: number };

/** An error as dvt reports it. */
export interface WireError {
  kind: "input" | "connector";
  message: string;
  hint?: string;
  /** The driver's own (redacted) words, which the CLI prints under the message. */
  cause?: string;
}

/** Reader -> main, about read `id`. */
export type ReaderMessage =
  | { type: "batch"; id: number; length: number; columns: WireData[] }
  | { type: "end"; id: number }
  | { type: "error"; id: number; error: WireError };

/** How many batches a read may have sent and not yet seen taken. */
export const BATCHES_IN_FLIGHT = 2;

/** `error` (already explained by explainReadError) as a message, keeping its kind and hint. */
export function errorToWire(error: InputError | ConnectorError): WireError {
  const kind = error instanceof InputError ? "input" : "connector";
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return { kind, message: error.message, hint: error.hint, cause };
}

/** The error {@linkcode errorToWire} described. */
export function errorFromWire(error: WireError): InputError | ConnectorError {
  const options = { hint: error.hint, cause: error.cause ? new Error(error.cause) : undefined };
  return error.kind === "input"
    ? new InputError(error.message, options)
    : new ConnectorError(error.message, options);
}

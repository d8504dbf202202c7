/**
 * The error hierarchy. Commands throw these; only cli.ts catches, prints and picks the exit code.
 * Messages say what failed, what was found versus expected, and `hint` says how to fix it.
 *
 * @module
 */

/** Where in an input file a problem is. Lines and columns are 1-based. */
export interface SourceLocation {
  file?: string;
  line?: number;
  column?: number;
  /** Dotted path of the offending field, e.g. `sources.shop.connector`. */
  field?: string;
}

/** Options shared by every dvt error. */
export interface DvtErrorOptions {
  /** How to fix it, one sentence. */
  hint?: string;
  /** Where in an input file the problem is. */
  location?: SourceLocation;
  /** The underlying error. */
  cause?: unknown;
}

/** Formats a location as `file:line:column: field: ` (each part only when known). */
export function formatLocation(location?: SourceLocation): string {
  if (!location) return "";
  let place = location.file ?? "";
  if (location.file && location.line) {
    place += `:${location.line}`;
    if (location.column) place += `:${location.column}`;
  }
  const parts = [place, location.field].filter((part) => part);
  return parts.length ? `${parts.join(": ")}: ` : "";
}

/** Base class of every error dvt reports to users. */
export class DvtError extends Error {
  /** Process exit code: 1 the work failed, 2 bad usage or input. */
  readonly exitCode: 1 | 2 = 1;
  readonly hint?: string;
  readonly location?: SourceLocation;

  constructor(message: string, options: DvtErrorOptions = {}) {
    super(`${formatLocation(options.location)}${message}`, { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
    this.location = options.location;
  }
}

/** Bad command-line usage: unknown flag values, conflicting options. Exit 2. */
export class UsageError extends DvtError {
  override readonly exitCode = 2;
}

/** Bad input data or files: missing file, malformed CSV row, invalid dvt.yaml. Exit 2. */
export class InputError extends DvtError {
  override readonly exitCode = 2;
}

/** Invalid project configuration (dvt.yaml, profiles.yml, buckets.yml). Exit 2. */
export class ConfigError extends InputError {}

/** Invalid connector.yaml or connector config. Exit 2. */
export class ManifestError extends InputError {}

/** A connector misbehaved or its source failed. Exit 1. */
export class ConnectorError extends DvtError {}

/** Options of {@linkcode ExtractError}. */
export interface ExtractErrorOptions extends DvtErrorOptions {
  /** The source table that failed; absent when the failure is not one table's (catalog, lock). */
  table?: string;
}

/** The extract pipeline failed (a table, the catalog, publishing). Exit 1. */
export class ExtractError extends DvtError {
  readonly table?: string;

  constructor(message: string, options: ExtractErrorOptions = {}) {
    super(message, options);
    this.table = options.table;
  }
}

/** Options of {@linkcode ResolveError}. */
export interface ResolveErrorOptions extends DvtErrorOptions {
  /** The artifact being resolved, `groupId:artifactId[:version]`, when one is to blame. */
  coordinates?: string;
}

/** Maven resolution failed: missing POM, cycle, unresolvable version. Exit 1. */
export class ResolveError extends DvtError {
  readonly coordinates?: string;

  constructor(message: string, options: ResolveErrorOptions = {}) {
    super(message, options);
    this.coordinates = options.coordinates;
  }
}

/** An artifact or lockfile checksum did not match. Exit 1. */
export class IntegrityError extends DvtError {}

/** Options of {@linkcode SandboxError}. */
export interface SandboxErrorOptions extends DvtErrorOptions {
  /** The sandboxed connector's name. */
  connector: string;
  /** The call that failed, e.g. `discover` or `read(orders)`; absent when none was running. */
  call?: string;
}

/** A sandboxed connector broke its contract or its limits. Exit 1. */
export class SandboxError extends DvtError {
  readonly connector: string;
  readonly call?: string;

  constructor(message: string, options: SandboxErrorOptions) {
    super(message, options);
    this.connector = options.connector;
    this.call = options.call;
  }
}

/** The one-line message of anything thrown: an Error's message, anything else as text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Renders an error and its cause chain as the lines the CLI prints. */
export function describeError(error: unknown, debug = false): string[] {
  const lines: string[] = [];
  let current: unknown = error;
  let prefix = "error: ";
  let previous = "";
  while (current !== undefined && current !== null) {
    const message = errorMessage(current);
    // A cause whose message the error already quotes would only repeat it.
    const repeats = previous !== "" && previous.includes(message);
    if (!repeats) lines.push(`${prefix}${message}`);
    previous = message;
    if (current instanceof DvtError && current.hint) lines.push(`  hint: ${current.hint}`);
    if (debug && current instanceof Error && current.stack && !repeats) lines.push(current.stack);
    current = current instanceof Error ? current.cause : undefined;
    prefix = "  caused by: ";
  }
  return lines;
}

/** An error as `--json` prints it: `{ message, hint, location, exitCode }`. */
export interface ErrorJson {
  message: string;
  hint?: string;
  location?: SourceLocation;
  exitCode: number;
  /** Messages of the causes that say more than the message itself. */
  causes?: string[];
}

/**
 * Turns any thrown value into {@linkcode ErrorJson}; the exit code is 1 for errors that are not
 * dvt's own (an unexpected failure).
 *
 * @example
 * ```ts
 * import { errorJson, UsageError } from "./errors.ts";
 * const json = errorJson(new UsageError("bad flag", { hint: "drop it" }));
 * if (json.exitCode !== 2 || json.hint !== "drop it") throw new Error();
 * ```
 */
export function errorJson(error: unknown): ErrorJson {
  const message = errorMessage(error);
  const dvt = error instanceof DvtError ? error : undefined;
  const causes = causeMessages(error).slice(1).filter((cause) => !message.includes(cause));
  return {
    message,
    ...(dvt?.hint ? { hint: dvt.hint } : {}),
    ...(dvt?.location ? { location: dvt.location } : {}),
    exitCode: dvt ? dvt.exitCode : 1,
    ...(causes.length ? { causes } : {}),
  };
}

/**
 * The messages of an error and of each cause under it, outermost first. A chain that loops back
 * on itself is cut where it repeats. Threads send this across instead of the error itself (see
 * {@linkcode errorFromMessages}).
 */
export function causeMessages(error: unknown): string[] {
  const messages: string[] = [];
  const seen = new Set<unknown>();
  for (let current = error; current !== undefined && current !== null && !seen.has(current);) {
    seen.add(current);
    messages.push(errorMessage(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return messages;
}

/**
 * An error chain with these messages (outermost first, as {@linkcode causeMessages} gives them):
 * a failure on a worker thread rebuilt on the thread that asked. `name` and `stack` go on the
 * outermost error; an empty list gives `fallback`.
 *
 * @example
 * ```ts
 * import { causeMessages, errorFromMessages } from "./errors.ts";
 * const sent = causeMessages(new Error("read failed", { cause: new Error("disk full") }));
 * const error = errorFromMessages(sent, { fallback: "the worker failed" });
 * if (!(error.cause instanceof Error) || error.cause.message !== "disk full") throw new Error();
 * ```
 */
export function errorFromMessages(
  messages: string[],
  options: { fallback: string; name?: string; stack?: string },
): Error {
  let error: Error | undefined;
  for (const message of [...messages].reverse()) error = new Error(message, { cause: error });
  const outer = error ?? new Error(options.fallback);
  if (options.name) outer.name = options.name;
  if (options.stack) outer.stack = options.stack;
  return outer;
}

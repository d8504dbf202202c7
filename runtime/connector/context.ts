/**
 * Builds the {@linkcode ConnectorContext} handed to connector factories: the runtime's Arrow
 * module, the retrying fetch, a logger tagged with the connector's name, and env access limited
 * to the names the manifest grants (when a grant list is given).
 *
 * @module
 */
import * as arrow from "apache-arrow";
import type {
  ConnectorContext,
  Downloader,
  LogFields,
  Logger,
  RetryingFetch,
} from "../protocol.ts";
import { createRetryingFetch } from "../util/retrying_fetch.ts";
import { cleanUntrustedText } from "../util/untrusted_text.ts";
import { explainDenials } from "../sandbox/denials.ts";
import { createDownloader } from "./download.ts";
import type { RetryNotice } from "./download_thread.ts";

/** What the context needs to know about the connector it serves. */
export interface ContextOptions {
  /** Connector name, added to every log line. */
  connector: string;
  /** Where log lines go. */
  logger: Logger;
  /** Environment variable names the connector may read; undefined grants all (built-ins). */
  allowedEnv?: readonly string[];
  /** Environment lookup; defaults to the process environment. */
  readEnv?: (name: string) => string | undefined;
  /** Env var names whose values are redacted from the connector's log lines. */
  secretEnv?: readonly string[];
  /**
   * Makes `ctx.download`, given what to do before a retry waits (e.g. a
   * DownloadThread (download_thread.ts)); by default the retrying fetch and the body read on the
   * connector's thread.
   */
  download?: (onRetry: (notice: RetryNotice) => void) => DownloadService;
}

/** Fields dvt sets on every log event; a connector's own fields never replace them. */
const RESERVED_FIELDS = new Set(["connector", "event", "time", "level", "message"]);

function cleanValue(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === "string") return cleanUntrustedText(value, secrets);
  if (value === null || typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value === "bigint") return value.toString();
  return cleanUntrustedText(safeJson(value), secrets);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, item) => typeof item === "bigint" ? String(item) : item) ??
      String(value);
  } catch {
    return String(value);
  }
}

/**
 * A logger for one connector: every line is tagged with its name, Deno's permission advice is
 * put in dvt's words (denials.ts), control characters in the
 * message and fields are escaped (no forged lines, no terminal escapes), reserved fields are
 * kept as dvt set them (a connector's `connector`/`event`/`time` field becomes `field.<name>`)
 * and the values of `secrets` are redacted.
 */
export function connectorLogger(
  logger: Logger,
  connector: string,
  secrets: readonly string[] = [],
): Logger {
  const clean = (message: unknown, fields?: LogFields): [string, LogFields] => {
    const tagged: LogFields = {};
    for (const [key, value] of Object.entries(fields ?? {})) {
      const name = cleanUntrustedText(key, secrets);
      tagged[RESERVED_FIELDS.has(name) ? `field.${name}` : name] = cleanValue(value, secrets);
    }
    tagged.connector = connector;
    return [cleanUntrustedText(explainDenials(connector, String(message)), secrets), tagged];
  };
  return {
    debug: (message, fields) => logger.debug(...clean(message, fields)),
    info: (message, fields) => logger.info(...clean(message, fields)),
    warn: (message, fields) => logger.warn(...clean(message, fields)),
    error: (message, fields) => logger.error(...clean(message, fields)),
  };
}

/** `ctx.download` and `ctx.expectDownloads`, by some service or else on this thread. */
export interface DownloadService {
  download: Downloader;
  start(): void;
}

function downloadMethods(
  service: DownloadService | undefined,
  fetch: RetryingFetch,
): Pick<ConnectorContext, "download" | "expectDownloads"> {
  if (!service) return { download: createDownloader(fetch), expectDownloads() {} };
  return { download: service.download, expectDownloads: service.start };
}

/** The debug line a retried request writes (its origin only: a URL may carry a credential). */
export function logRetry(log: Logger, { origin, status, delayMs }: RetryNotice): void {
  log.debug("retrying request", { url: origin, status, delayMs });
}

/**
 * Creates a connector context.
 *
 * @example
 * ```ts
 * import { createConnectorContext } from "./context.ts";
 * import { createLogger } from "../util/output.ts";
 * const ctx = createConnectorContext({ connector: "files", logger: createLogger("plain") });
 * ctx.arrow.tableFromArrays({ id: Int32Array.from([1]) });
 * ```
 */
export function createConnectorContext(options: ContextOptions): ConnectorContext {
  const readEnv = options.readEnv ?? ((name: string) => Deno.env.get(name));
  const secrets = (options.secretEnv ?? []).map(readEnv).filter((value): value is string =>
    !!value
  );
  const log = connectorLogger(options.logger, options.connector, secrets);
  const allowed = options.allowedEnv ? new Set(options.allowedEnv) : undefined;
  const fetch = createRetryingFetch({
    onRetry: ({ url, status, delayMs }) =>
      logRetry(log, { origin: new URL(url).origin, status, delayMs }),
  });
  return {
    arrow,
    log,
    fetch,
    ...downloadMethods(options.download?.((notice) => logRetry(log, notice)), fetch),
    env(name: string): string | undefined {
      if (allowed && !allowed.has(name)) {
        throw new Error(
          `connector ${options.connector} read env var ${name}, which its manifest does not grant; add it to permissions.env in connector.yaml`,
        );
      }
      return readEnv(name);
    },
  };
}

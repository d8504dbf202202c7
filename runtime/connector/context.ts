/**
 * Builds the {@linkcode ConnectorContext} handed to connector factories: the runtime's Arrow
 * module, the retrying fetch, a logger tagged with the connector's name, and env access limited
 * to the names the manifest grants (when a grant list is given).
 *
 * @module
 */
import * as arrow from "apache-arrow";
import type { ConnectorContext, LogFields, Logger } from "../protocol.ts";
import { createRetryingFetch } from "../util/retrying_fetch.ts";

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
}

function tagged(logger: Logger, connector: string): Logger {
  const withName = (fields?: LogFields) => ({ connector, ...fields });
  return {
    debug: (message, fields) => logger.debug(message, withName(fields)),
    info: (message, fields) => logger.info(message, withName(fields)),
    warn: (message, fields) => logger.warn(message, withName(fields)),
    error: (message, fields) => logger.error(message, withName(fields)),
  };
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
  const log = tagged(options.logger, options.connector);
  const readEnv = options.readEnv ?? ((name: string) => Deno.env.get(name));
  const allowed = options.allowedEnv ? new Set(options.allowedEnv) : undefined;
  return {
    arrow,
    log,
    fetch: createRetryingFetch({
      onRetry: ({ url, status, delayMs }) =>
        log.debug("retrying request", { url: new URL(url).origin, status, delayMs }),
    }),
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

/**
 * The HTTP side of `dvt serve`: `POST /<source>` per served source, `GET /health`, 405 for
 * other methods on a source's path, 404 elsewhere. A timer folds each source's logged
 * deliveries into its extract when enough have arrived or the oldest has waited long enough;
 * `stop()` stops accepting, lets requests in progress finish, then folds what is left.
 *
 * @module
 */
import { errorMessage } from "../errors.ts";
import type { FlushReport, ServedSource } from "./served_source.ts";
import { type ResilientListener, serveResiliently } from "./resilient_listener.ts";

/** Micro-batching and shutdown settings. */
export interface WebhookServerOptions {
  hostname: string;
  port: number;
  /** Fold once this many deliveries are pending. */
  flushEvents: number;
  /** Fold once the oldest pending delivery has waited this long. */
  flushIntervalMs: number;
  /** How long the final fold waits for a `dvt extract` holding an output directory. */
  shutdownWaitMs: number;
  /** Called after each fold, and with the error of a fold that failed. */
  onFlush?: (source: ServedSource, report: FlushReport) => void;
  onFlushError?: (source: ServedSource, error: unknown) => void;
  /** Told when the listener ended on its own (e.g. out of file descriptors); it is restarted. */
  onListenerLost?: (error: unknown) => void;
}

/** A running server. */
export interface WebhookServer {
  /** `http://host:port` as bound (port 0 picks a free one). */
  url: string;
  /** Resolves when the server has stopped and every source was folded (or left logged). */
  finished: Promise<void>;
  stop(): Promise<void>;
}

const TICK_MS = 50;

/** Starts serving; see the module documentation. */
export function startWebhookServer(
  sources: readonly ServedSource[],
  options: WebhookServerOptions,
): Promise<WebhookServer> {
  const byPath = new Map(sources.map((source) => [`/${source.spec.name}`, source]));
  const handler = async (request: Request): Promise<Response> => {
    const path = new URL(request.url).pathname;
    if (path === "/health") {
      if (request.method !== "GET" && request.method !== "HEAD") return notAllowed("GET");
      return Response.json(health(sources));
    }
    const source = byPath.get(path);
    if (!source) return Response.json({ error: `no source at ${path}` }, { status: 404 });
    if (request.method !== "POST") return notAllowed("POST");
    try {
      return await source.handle(request);
    } catch (error) {
      return Response.json({ error: errorMessage(error) }, { status: 500 });
    }
  };
  const flushDue = () => {
    for (const source of sources) {
      if (!source.due(options.flushEvents, options.flushIntervalMs)) continue;
      source.flush().then(
        (report) => report && options.onFlush?.(source, report),
        (error) => options.onFlushError?.(source, error),
      );
    }
  };
  return new Promise((resolve, reject) => {
    let server: ResilientListener;
    try {
      server = serveResiliently({
        hostname: options.hostname,
        port: options.port,
        handler,
        onError: (error) => Response.json({ error: errorMessage(error) }, { status: 500 }),
        onListenerLost: options.onListenerLost,
      });
    } catch (error) {
      return reject(error);
    }
    const timer = setInterval(flushDue, TICK_MS);
    let stopping: Promise<void> | undefined;
    let stopped: () => void;
    const finished = new Promise<void>((done) => (stopped = done));
    const stop = () => {
      stopping ??= (async () => {
        await server.shutdown();
        clearInterval(timer);
        for (const source of sources) {
          try {
            const report = await source.flush(options.shutdownWaitMs);
            if (report) options.onFlush?.(source, report);
            // A fold that was already running took only what was logged when it began.
            const again = await source.flush(options.shutdownWaitMs);
            if (again) options.onFlush?.(source, again);
          } catch (error) {
            options.onFlushError?.(source, error);
          }
          await source.close();
        }
        stopped();
      })();
      return stopping;
    };
    const { hostname, port } = server.addr;
    const host = hostname.includes(":") ? `[${hostname}]` : hostname;
    resolve({
      url: `http://${host}:${port}`,
      stop,
      finished,
    });
  });
}

/** `GET /health`: per source, what it received, wrote and has pending, and its last error. */
export function health(sources: readonly ServedSource[]): Record<string, unknown> {
  const bySource: Record<string, unknown> = {};
  for (const source of sources) bySource[source.spec.name] = { ...source.stats };
  // Degraded while a source's last error is newer than its last fold.
  const failing = sources.some((s) =>
    s.stats.lastErrorAt && (!s.stats.lastFlushAt || s.stats.lastErrorAt > s.stats.lastFlushAt)
  );
  return { status: failing ? "degraded" : "ok", sources: bySource };
}

function notAllowed(allow: string): Response {
  return Response.json({ error: `method not allowed; use ${allow}` }, {
    status: 405,
    headers: { allow },
  });
}

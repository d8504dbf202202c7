/**
 * Deno.serve that keeps listening: when its accept loop ends on its own — e.g. "Too many open
 * files" while a flood of connections holds every descriptor, which ends Deno.serve for good —
 * it is started again on the same address, retrying with backoff until descriptors are free.
 * Deliveries already acknowledged are safe in the write-ahead log either way; this keeps the
 * server answering once the flood has passed instead of refusing every later sender.
 *
 * @module
 */

/** What {@linkcode serveResiliently} needs. */
export interface ResilientListenerOptions {
  hostname: string;
  port: number;
  handler: (request: Request) => Response | Promise<Response>;
  onError: (error: unknown) => Response | Promise<Response>;
  /** Told each time the listener ended unexpectedly (it is being restarted). */
  onListenerLost?: (error: unknown) => void;
}

/** A listener that restarts itself; `shutdown()` stops it for good. */
export interface ResilientListener {
  addr: Deno.NetAddr;
  shutdown(): Promise<void>;
}

const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 1000;

/** Starts listening (throws if the first bind fails); see the module documentation. */
export function serveResiliently(options: ResilientListenerOptions): ResilientListener {
  const listen = (port: number) =>
    Deno.serve({
      hostname: options.hostname,
      port,
      onListen() {},
      onError: options.onError,
    }, options.handler);
  let server: Deno.HttpServer<Deno.NetAddr> | undefined = listen(options.port);
  const addr = server.addr;
  let closing = false;
  let retryMs = FIRST_RETRY_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const restart = () => {
    timer = undefined;
    if (closing) return;
    try {
      server = listen(addr.port);
      retryMs = FIRST_RETRY_MS;
      watch(server);
    } catch {
      // Still out of descriptors (or the port is briefly taken): try again a little later.
      timer = setTimeout(restart, retryMs);
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    }
  };
  const lost = (ended: Deno.HttpServer<Deno.NetAddr>, error: unknown) => {
    if (closing || ended !== server) return;
    server = undefined;
    options.onListenerLost?.(error);
    timer = setTimeout(restart, retryMs);
  };
  const watch = (current: Deno.HttpServer<Deno.NetAddr>) => {
    current.finished.then(
      () => lost(current, new Error("the listener stopped")),
      (error) => lost(current, error),
    );
  };
  watch(server);

  return {
    addr,
    async shutdown() {
      closing = true;
      if (timer !== undefined) clearTimeout(timer);
      await server?.shutdown();
    },
  };
}

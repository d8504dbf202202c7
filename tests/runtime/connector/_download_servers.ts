/**
 * HTTP servers on 127.0.0.1 for the `ctx.download` tests: a routed Deno.serve server that
 * records what each request carried, a raw server for bodies that break their Content-Length,
 * one that accepts and never answers, and a closed port.
 *
 * @module
 */
export { closedPort, rawServer } from "../../_helpers.ts";

/** What one request to {@linkcode startFileServer} carried. */
export interface SeenRequest {
  path: string;
  search: string;
  headers: Headers;
}

/** A routed server: each handler answers the paths it owns; the rest are 404. */
export interface FileServer extends AsyncDisposable {
  origin: string;
  seen: SeenRequest[];
}

/** Serves `routes` (pathname -> handler) and records every request. */
export function startFileServer(
  routes: Record<string, (request: Request) => Response | Promise<Response>>,
): FileServer {
  const seen: SeenRequest[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const url = new URL(request.url);
    seen.push({ path: url.pathname, search: url.search, headers: request.headers });
    const route = routes[url.pathname];
    return route ? route(request) : new Response("no such route", { status: 404 });
  });
  const origin = `http://127.0.0.1:${server.addr.port}`;
  return {
    origin,
    seen,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

/** A server that accepts connections and never answers (a download that stays pending). */
export function silentServer(): { url: string; accepted: number } & AsyncDisposable {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const state = {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/never`,
    accepted: 0,
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch { /* closed by the peer already */ }
      }
      await accepting.catch(() => {});
    },
  };
  const accepting = (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      state.accepted++;
    }
  })();
  return state;
}

/** Rejects when `promise` is not settled within `ms` (a hang fails the test instead). */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until `condition` holds (polled), or fails after `ms`. */
export async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** How a `deno eval` child ended: by itself (code) or killed after the timeout (signal). */
export interface ScriptEnd {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `code` in a child process and kills it after `ms`. Deno's test runner does not wait for
 * a worker left running, a process does: a child that ends by itself has none left.
 */
export async function runScript(code: string, ms = 8_000): Promise<ScriptEnd> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", code],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), ms);
  try {
    const { code, signal, stdout, stderr } = await child.output();
    const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes).trim();
    return { code, signal, stdout: text(stdout), stderr: text(stderr) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Shared test helpers: temp dirs, running the real CLI as a child process, querying DuckDB
 * files, local HTTP servers on 127.0.0.1.
 *
 * @module
 */
import { fileURLToPath as fromFileUrl } from "node:url";
import type { LogFields, Logger } from "../runtime/protocol.ts";

/** Absolute path of the repository root. */
export const REPO_ROOT: string = fromFileUrl(new URL("../", import.meta.url));

/** Absolute path of cli.ts. */
export const CLI_PATH: string = fromFileUrl(new URL("../cli.ts", import.meta.url));

/** A temporary directory removed when disposed (`await using dir = await tempDir()`). */
export interface TempDir extends AsyncDisposable {
  path: string;
}

/** Creates a temporary directory, removed on dispose. */
export async function tempDir(prefix = "dvt-test-"): Promise<TempDir> {
  const path = await Deno.makeTempDir({ prefix });
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true }).catch(() => {});
    },
  };
}

/** What a CLI run produced. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options for {@linkcode runCli}. */
export interface RunCliOptions {
  cwd?: string;
  env?: Record<string, string>;
  stdin?: string;
}

/** Runs `dvt` (cli.ts under deno) as a child process, as a user would. */
export async function runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  const command = new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--allow-all", "--unstable-worker-options", CLI_PATH, ...args],
    cwd: options.cwd,
    env: { NO_COLOR: "1", ...options.env },
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const child = command.spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const output = await child.output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/**
 * Runs SQL against a DuckDB database file (or in memory) and returns the rows as JS objects.
 * Opens read-only when a path is given, so tests never modify what they check.
 */
export async function queryDuckDB(
  path: string | undefined,
  sql: string,
): Promise<Record<string, unknown>[]> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(
    path ?? ":memory:",
    path ? { access_mode: "READ_ONLY" } : {},
  );
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** A running local HTTP server on 127.0.0.1 with an ephemeral port. */
export interface LocalServer extends AsyncDisposable {
  url: string;
  port: number;
}

/** Serves a handler on 127.0.0.1 on a free port; shut down on dispose. */
export function serveLocal(
  handler: (request: Request) => Response | Promise<Response>,
): LocalServer {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
  const port = server.addr.port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

/** A raw HTTP/1.1 server that answers every request with `head` + `body`, then closes. */
export function rawServer(head: string, body: Uint8Array): { url: string } & AsyncDisposable {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const served = (async () => {
    for await (const conn of listener) {
      await conn.read(new Uint8Array(4096)); // the request: one small read is enough here
      await conn.write(new TextEncoder().encode(head));
      await conn.write(body).catch(() => 0);
      conn.close();
    }
  })();
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/chunk`,
    async [Symbol.asyncDispose]() {
      listener.close();
      await served.catch(() => {});
    },
  };
}

/** A port on 127.0.0.1 nothing listens on: connecting to it is refused. */
export function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** A logger that records each line as [level, message, fields]. */
export function recordingLogger(lines: [string, string, LogFields?][]): Logger {
  const record = (level: string) => (message: string, fields?: LogFields) =>
    void lines.push([level, message, fields]);
  return {
    debug: record("debug"),
    info: record("info"),
    warn: record("warn"),
    error: record("error"),
  };
}

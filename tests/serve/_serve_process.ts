/**
 * Test helpers for `dvt serve`: the real CLI as a child process of the real deno binary (so
 * `kill -9` hits the server itself), a project with the tickets fixture connector, and signed
 * deliveries.
 *
 * @module
 */
import { join } from "node:path";
import { CLI_PATH, REPO_ROOT } from "../_helpers.ts";
import { signBody } from "../../runtime/serve/signature.ts";

/** The shared secret tests sign with. */
export const SECRET = "test-webhook-secret";

/** The fixture connector's directory. */
export const TICKETS_CONNECTOR: string = join(REPO_ROOT, "tests/fixtures/serve/tickets");

/** Writes dvt.yaml with one source `tickets` of the fixture connector. */
export async function writeTicketsProject(dir: string, config = "{}"): Promise<void> {
  await Deno.writeTextFile(
    join(dir, "dvt.yaml"),
    `sources:\n  tickets:\n    connector: ${TICKETS_CONNECTOR}\n    config: ${config}\n`,
  );
}

/** A running `dvt serve`. */
export interface ServeProcess extends AsyncDisposable {
  url: string;
  pid: number;
  /** stderr so far. */
  stderr(): string;
  /** Sends a signal and waits for the exit; returns code and output. */
  stop(signal?: Deno.Signal): Promise<{ code: number; stdout: string; stderr: string }>;
}

/** Starts `dvt serve` in `cwd` and waits until it listens. */
export async function startServe(
  cwd: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<ServeProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      "--allow-all",
      "--unstable-worker-options",
      CLI_PATH,
      "serve",
      "--port",
      "0",
      ...args,
    ],
    cwd,
    env: { NO_COLOR: "1", TICKETS_WEBHOOK_SECRET: SECRET, ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let stderr = "";
  let stdout = "";
  const decoder = new TextDecoder();
  const drained = Promise.all([
    (async () => {
      for await (const chunk of child.stderr) stderr += decoder.decode(chunk, { stream: true });
    })(),
    (async () => {
      for await (const chunk of child.stdout) stdout += decoder.decode(chunk, { stream: true });
    })(),
  ]);
  const deadline = Date.now() + 60_000;
  let url: string | undefined;
  while (!url) {
    url = /listening on (http:\/\/[0-9.:]+)/.exec(stderr)?.[1] ??
      /"url":"(http:\/\/[0-9.:]+)"/.exec(stderr)?.[1];
    if (url) break;
    const status = await Promise.race([
      child.status,
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 50)),
    ]);
    if (status || Date.now() > deadline) {
      await drained;
      throw new Error(`dvt serve did not start (exit ${status?.code}): ${stderr}`);
    }
  }
  let exited: Promise<{ code: number; stdout: string; stderr: string }> | undefined;
  const stop = (signal: Deno.Signal = "SIGTERM") => {
    exited ??= (async () => {
      try {
        child.kill(signal);
      } catch { /* already gone */ }
      const status = await child.status;
      await drained;
      return { code: status.code, stdout, stderr };
    })();
    return exited;
  };
  return {
    url,
    pid: child.pid,
    stderr: () => stderr,
    stop,
    async [Symbol.asyncDispose]() {
      await stop("SIGKILL");
    },
  };
}

/** A ticket delivery body. */
export function ticketEvent(id: number, eventId: string, status = "open"): string {
  return JSON.stringify({
    webhookEvent: "ticket_updated",
    event_id: eventId,
    ticket: { id, title: `ticket ${id}`, status },
  });
}

/** Posts a signed delivery (or a forged/unsigned one) and returns the status. */
export async function postDelivery(
  url: string,
  body: string,
  options: { deliveryId?: string; secret?: string | null; path?: string } = {},
): Promise<number> {
  const bytes = new TextEncoder().encode(body);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.secret !== null) {
    headers["x-hub-signature"] = signBody(options.secret ?? SECRET, bytes);
  }
  if (options.deliveryId) headers["x-delivery-id"] = options.deliveryId;
  const response = await fetch(`${url}${options.path ?? "/tickets"}`, {
    method: "POST",
    headers,
    body: bytes,
  });
  await response.body?.cancel();
  return response.status;
}

/**
 * Keboola Storage API calls: one request helper that sends the token header, turns HTTP
 * failures into typed errors (the call, the status and Keboola's own error message as the
 * cause) and never puts the token anywhere but the header.
 *
 * @module
 */
import type { ConnectorContext } from "../../mod.ts";
import { ConnectorError, InputError } from "../../mod.ts";

/** The environment variable holding the Storage API token. */
export const TOKEN_ENV = "KEBOOLA_STORAGE_TOKEN";

/** Keboola's error body: `{ "error": "...", "code": "...", "status": "error" }`. */
async function serviceMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  try {
    const body = JSON.parse(text);
    const message = body?.error ?? body?.message;
    if (typeof message === "string") return body.code ? `${message} (${body.code})` : message;
  } catch {
    // Not JSON: show the start of the body.
  }
  return text.slice(0, 300) || response.statusText;
}

/** A failed HTTP call, with Keboola's message as the cause. */
export async function httpError(call: string, response: Response): Promise<Error> {
  const cause = new Error(await serviceMessage(response));
  if (response.status === 401 || response.status === 403) {
    return new InputError(
      `Keboola Storage API ${call} was refused (${response.status}): the token in ${TOKEN_ENV} is invalid, expired or lacks access`,
      { cause, hint: `set ${TOKEN_ENV} to a valid Storage API token of this stack's project` },
    );
  }
  return new ConnectorError(`Keboola Storage API ${call} failed with HTTP ${response.status}`, {
    cause,
  });
}

/** A Storage API client bound to one stack URL and token. */
export class StorageApi {
  #ctx: ConnectorContext;
  #base: string;
  #token: string;

  constructor(ctx: ConnectorContext, url: string, token: string) {
    this.#ctx = ctx;
    this.#base = url.replace(/\/+$/, "");
    this.#token = token;
  }

  /** The stack URL without a trailing slash. */
  get url(): string {
    return this.#base;
  }

  /** Sends one request to `path` (under the stack URL) and returns the response if 2xx. */
  async request(method: "GET" | "POST", path: string, body?: unknown): Promise<Response> {
    const call = `${method} ${path.split("?")[0]}`;
    let response: Response;
    try {
      response = await this.#ctx.fetch(`${this.#base}${path}`, {
        method,
        headers: {
          "X-StorageApi-Token": this.#token,
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new ConnectorError(`Keboola Storage API ${call} failed: cannot reach ${this.#base}`, {
        cause: error,
        hint: "check the url in the connector config and the network",
      });
    }
    if (!response.ok) throw await httpError(call, response);
    return response;
  }

  /** GETs or POSTs and parses the JSON answer. */
  async json<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const response = await this.request(method, path, body);
    return await response.json() as T;
  }
}

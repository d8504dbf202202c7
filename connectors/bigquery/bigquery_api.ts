/**
 * BigQuery REST v2 calls: a fresh bearer token per request (from google_auth.ts), HTTP failures
 * as typed errors naming the call and status with Google's `error.message` as the cause.
 *
 * @module
 */
import type { ConnectorContext } from "../../mod.ts";
import { ConnectorError, InputError } from "../../mod.ts";
import { KEY_ENV, TOKEN_ENV } from "./google_auth.ts";

/** Google's error body: `{"error": {"code", "message", "errors": [...], "status"}}`. */
async function serviceMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  try {
    const error = JSON.parse(text)?.error;
    if (typeof error?.message === "string") {
      return error.status ? `${error.status}: ${error.message}` : error.message;
    }
  } catch {
    // Not JSON.
  }
  return text.slice(0, 300) || response.statusText;
}

/** A BigQuery API client for one API root. */
export class BigQueryApi {
  #ctx: ConnectorContext;
  #root: string;
  #token: () => Promise<string>;

  constructor(ctx: ConnectorContext, apiUrl: string, token: () => Promise<string>) {
    this.#ctx = ctx;
    this.#root = `${apiUrl.replace(/\/+$/, "")}/bigquery/v2`;
    this.#token = token;
  }

  /** Calls `path` (under /bigquery/v2) and parses the JSON of a 2xx answer. */
  async json<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const call = `${method} ${path.split("?")[0]}`;
    const token = await this.#token();
    let response: Response;
    try {
      response = await this.#ctx.fetch(`${this.#root}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new ConnectorError(`BigQuery ${call} failed: cannot reach ${this.#root}`, {
        cause: error,
        hint: "check api_url and the network",
      });
    }
    if (response.ok) return await response.json() as T;
    const cause = new Error(await serviceMessage(response));
    if (response.status === 401 || response.status === 403) {
      throw new InputError(
        `BigQuery ${call} was refused (${response.status}): the credentials from ${KEY_ENV} or ${TOKEN_ENV} are invalid, expired or lack BigQuery access`,
        {
          cause,
          hint: `grant the account BigQuery Data Viewer and Job User, or renew ${TOKEN_ENV}`,
        },
      );
    }
    throw new ConnectorError(`BigQuery ${call} failed with HTTP ${response.status}`, { cause });
  }
}

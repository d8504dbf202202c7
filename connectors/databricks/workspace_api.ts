/**
 * Databricks REST calls: the bearer token goes only in the Authorization header of workspace
 * calls; HTTP failures become typed errors naming the call and status, with Databricks' own
 * `{"error_code", "message"}` as the cause.
 *
 * @module
 */
import type { ConnectorContext } from "../../mod.ts";
import { ConnectorError, InputError } from "../../mod.ts";

/** The environment variable holding the personal access token. */
export const TOKEN_ENV = "DATABRICKS_TOKEN";

/** Databricks' error body, or the start of whatever else came back. */
export async function serviceMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  try {
    const body = JSON.parse(text);
    if (typeof body?.message === "string") {
      return body.error_code ? `${body.error_code}: ${body.message}` : body.message;
    }
  } catch {
    // Not JSON.
  }
  return text.slice(0, 300) || response.statusText;
}

/** A failed workspace call as a typed error. */
export async function httpError(call: string, response: Response): Promise<Error> {
  const cause = new Error(await serviceMessage(response));
  if (response.status === 401 || response.status === 403) {
    return new InputError(
      `Databricks ${call} was refused (${response.status}): the token in ${TOKEN_ENV} is invalid, expired or lacks permission`,
      { cause, hint: `set ${TOKEN_ENV} to a personal access token of this workspace` },
    );
  }
  return new ConnectorError(`Databricks ${call} failed with HTTP ${response.status}`, { cause });
}

/** A workspace REST client. */
export class WorkspaceApi {
  #ctx: ConnectorContext;
  #base: string;
  #token: string;

  constructor(ctx: ConnectorContext, url: string, token: string) {
    this.#ctx = ctx;
    this.#base = url.replace(/\/+$/, "");
    this.#token = token;
  }

  /** Sends a request to `path` under the workspace URL; returns the response (any status). */
  async send(method: "GET" | "POST", path: string, body?: unknown): Promise<Response> {
    try {
      return await this.#ctx.fetch(`${this.#base}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${this.#token}`,
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new ConnectorError(
        `Databricks ${method} ${path.split("?")[0]} failed: cannot reach ${this.#base}`,
        { cause: error, hint: "check workspace_url and the network" },
      );
    }
  }

  /** Sends a request and parses the JSON of a 2xx answer; other statuses throw. */
  async json<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, body);
    if (!response.ok) throw await httpError(`${method} ${path.split("?")[0]}`, response);
    return await response.json() as T;
  }
}

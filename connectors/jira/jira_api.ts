/**
 * Jira Cloud REST API v3 calls: basic auth (`JIRA_EMAIL:JIRA_API_TOKEN`) only in the
 * Authorization header; HTTP failures become typed errors naming the call and status, with
 * Jira's own `{"errorMessages": [], "errors": {}}` as the cause. 429 and 5xx retries (Retry-After
 * honoured) are the runtime's retrying `ctx.fetch`.
 *
 * @module
 */
import type { ConnectorContext } from "../../mod.ts";
import { ConnectorError, InputError } from "../../mod.ts";

/** The environment variable holding the Atlassian account email. */
export const EMAIL_ENV = "JIRA_EMAIL";
/** The environment variable holding the Atlassian API token. */
export const TOKEN_ENV = "JIRA_API_TOKEN";

/** Jira's error body as one sentence, or the start of whatever else came back. */
export async function jiraMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  try {
    const body = JSON.parse(text);
    const messages = [
      ...(Array.isArray(body?.errorMessages) ? body.errorMessages : []),
      ...Object.entries(body?.errors ?? {}).map(([field, message]) => `${field}: ${message}`),
    ];
    if (messages.length) return messages.join("; ");
  } catch {
    // Not JSON (a proxy's HTML page): show its start.
  }
  return text.slice(0, 300) || response.statusText;
}

/** A failed call as a typed error: refused credentials are bad input, the rest a source failure. */
export async function httpError(call: string, response: Response): Promise<Error> {
  const cause = new Error(await jiraMessage(response));
  if (response.status === 401) {
    return new InputError(
      `Jira ${call} was refused (401): ${EMAIL_ENV} and ${TOKEN_ENV} are not a valid account email and API token for this site`,
      {
        cause,
        hint:
          `create a token at https://id.atlassian.com/manage-profile/security/api-tokens and set ${TOKEN_ENV} (and ${EMAIL_ENV} to its account's email)`,
      },
    );
  }
  if (response.status === 403) {
    return new InputError(
      `Jira ${call} was refused (403): the account in ${EMAIL_ENV} lacks permission (${cause.message})`,
      { cause, hint: "grant the account Browse projects on the configured projects" },
    );
  }
  if (response.status === 400) {
    return new InputError(`Jira ${call} rejected the request: ${cause.message}`, {
      cause,
      hint: "check the jql and projects in the connector config",
    });
  }
  return new ConnectorError(`Jira ${call} failed with HTTP ${response.status}`, { cause });
}

/** Reads the credentials from the environment; a missing one is bad input naming it. */
export function basicAuth(ctx: ConnectorContext): string {
  const email = ctx.env(EMAIL_ENV);
  const token = ctx.env(TOKEN_ENV);
  for (const [name, value] of [[EMAIL_ENV, email], [TOKEN_ENV, token]] as const) {
    if (!value) {
      throw new InputError(`${name} is not set`, {
        hint:
          `export ${EMAIL_ENV}=<Atlassian account email> ${TOKEN_ENV}=<API token of that account>`,
      });
    }
  }
  return `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(`${email}:${token}`)))}`;
}

/** A client of one Jira site. */
export class JiraApi {
  #ctx: ConnectorContext;
  #base: string;
  #authorization: string;

  constructor(ctx: ConnectorContext, site: string, authorization: string) {
    this.#ctx = ctx;
    this.#base = site.replace(/\/+$/, "");
    this.#authorization = authorization;
  }

  /**
   * GETs `path` (under the site) with `query` and parses the JSON of a 2xx answer. With
   * `missingIsUndefined`, a 404 (the issue was deleted meanwhile) returns undefined.
   */
  get<T>(path: string, query?: Record<string, string | undefined>): Promise<T>;
  get<T>(
    path: string,
    query: Record<string, string | undefined>,
    options: { missingIsUndefined: true },
  ): Promise<T | undefined>;
  async get<T>(
    path: string,
    query: Record<string, string | undefined> = {},
    options: { missingIsUndefined?: boolean } = {},
  ): Promise<T | undefined> {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) params.set(name, value);
    }
    const url = `${this.#base}${path}${params.size ? `?${params}` : ""}`;
    const call = `GET ${path}`;
    let response: Response;
    try {
      response = await this.#ctx.fetch(url, {
        headers: { Authorization: this.#authorization, Accept: "application/json" },
      });
    } catch (error) {
      throw new ConnectorError(`Jira ${call} failed: cannot reach ${this.#base}`, {
        cause: error,
        hint: "check the url in the connector config and the network",
      });
    }
    if (response.status === 404 && options.missingIsUndefined) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) throw await httpError(call, response);
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      // The connection dropped mid-body: a page cut short, never the end of the data.
      throw new ConnectorError(`Jira ${call}: the response was cut off before its end`, {
        cause: error,
      });
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new ConnectorError(
        `Jira ${call}: the response is not complete JSON (${text.length} bytes received)`,
        { cause: error },
      );
    }
  }
}

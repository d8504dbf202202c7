/**
 * `ctx.download` on the calling thread: the retrying fetch, then the
 * whole body into one buffer of its announced length (body_bytes.ts). The sandbox and the
 * contract tests use it as it is; built-in connectors get the same steps on a thread of their
 * own (download_thread.ts).
 *
 * @module
 */
import type { Downloader, RetryingFetch } from "../protocol.ts";
import { bodyBytes } from "../util/body_bytes.ts";

/** The query of every http(s) URL in a text (up to whitespace, a parenthesis or a fragment). */
const URL_QUERY = /(\bhttps?:\/\/[^\s?#()]+)\?[^\s#()]*/g;

/**
 * The error with the query of every URL in its messages left out, the same name and chain.
 * fetch names the URL it failed to reach, and a download's URL is often presigned: its query
 * is a credential that would otherwise end up in a failed run's output.
 */
function withoutQueries(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const hidden = new Error(error.message.replace(URL_QUERY, "$1?…"), {
    cause: withoutQueries(error.cause),
  });
  hidden.name = error.name;
  return hidden;
}

/**
 * A downloader that fetches with `fetch` and reads the body here.
 *
 * @example
 * ```ts
 * import { createDownloader } from "./download.ts";
 * import { createRetryingFetch } from "../util/retrying_fetch.ts";
 * const download = createDownloader(createRetryingFetch());
 * ```
 */
export function createDownloader(
  fetch: RetryingFetch,
  allocate?: (length: number) => Uint8Array,
): Downloader {
  return async (url, init) => {
    const response = await fetch(url, { headers: init?.headers }).catch((error: unknown) => {
      throw withoutQueries(error);
    });
    const body = await bodyBytes(response, allocate);
    return {
      url: response.url,
      status: response.status,
      ok: response.ok,
      headers: response.headers,
      body,
    };
  };
}

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
    // The retrying fetch's failures already name URLs without their queries.
    const response = await fetch(url, { headers: init?.headers });
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

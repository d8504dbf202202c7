/**
 * Errors that name a URL without its query. fetch puts the URL it failed to reach in its
 * message, and a URL's query is often a credential (a presigned S3/Azure/GCS link's signature,
 * an API key parameter) that would otherwise end up in a failed run's output or JSON.
 *
 * @module
 */

/** The query of every http(s) URL in a text (up to whitespace, a parenthesis or a fragment). */
const URL_QUERY = /(\bhttps?:\/\/[^\s?#()]+)\?[^\s#()]*/g;

/** `text` with the query of every URL in it replaced by `…`. */
export function hideUrlQueries(text: string): string {
  return text.replace(URL_QUERY, "$1?…");
}

/**
 * The error with the query of every URL in its messages left out: the same name and the same
 * chain of causes. Anything that is not an Error is returned as it is.
 *
 * @example
 * ```ts
 * import { withoutUrlQueries } from "./url_queries.ts";
 * const error = withoutUrlQueries(new TypeError("error sending request for url (https://b.s3.amazonaws.com/k?X-Amz-Signature=abc)"));
 * if (String(error).includes("abc")) throw new Error("unreachable");
 * ```
 */
export function withoutUrlQueries(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const hidden = new Error(hideUrlQueries(error.message), {
    cause: withoutUrlQueries(error.cause),
  });
  hidden.name = error.name;
  return hidden;
}

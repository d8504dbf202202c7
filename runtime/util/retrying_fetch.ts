/**
 * `fetch` with the retry policy every connector and the Maven downloader share:
 * 429 waits for Retry-After (seconds or HTTP date); 408 and 5xx back off exponentially, but
 * only for idempotent methods; network errors on idempotent methods are retried too. A request
 * that fails for good is rejected with the error's messages naming URLs without their queries
 * (url_queries.ts): a query may be a credential.
 *
 * @module
 */
import type { RetryingFetch } from "../protocol.ts";
import { withoutUrlQueries } from "./url_queries.ts";

/** Tuning for {@linkcode createRetryingFetch}. */
export interface RetryPolicy {
  /** Attempts in total, first one included. */
  attempts: number;
  /** First backoff delay in milliseconds; doubles each retry. */
  baseDelayMs: number;
  /** Upper bound of any single wait, Retry-After included. */
  maxDelayMs: number;
  /** Called before each wait; for logging. */
  onRetry?: (info: { url: string; status?: number; error?: unknown; delayMs: number }) => void;
}

const DEFAULT_POLICY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 30_000 };
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);

/** Parses Retry-After as delta-seconds or an HTTP date; undefined when absent or invalid. */
export function parseRetryAfter(
  value: string | null,
  now: number = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function retryDelay(response: Response, attempt: number, policy: RetryPolicy): number {
  const backoff = policy.baseDelayMs * 2 ** attempt;
  const asked = response.status === 429
    ? parseRetryAfter(response.headers.get("retry-after"))
    : undefined;
  return Math.min(asked ?? backoff, policy.maxDelayMs);
}

function isRetryableStatus(status: number, method: string): boolean {
  if (status === 429) return true;
  return (status === 408 || status >= 500) && IDEMPOTENT.has(method);
}

/**
 * Wraps a fetch implementation with retries.
 *
 * @example
 * ```ts
 * import { createRetryingFetch } from "./retrying_fetch.ts";
 * const fetchWithRetry = createRetryingFetch({ attempts: 3 });
 * ```
 */
export function createRetryingFetch(
  policy: Partial<RetryPolicy> = {},
  baseFetch: typeof fetch = fetch,
): RetryingFetch {
  const settings = { ...DEFAULT_POLICY, ...policy };
  return async (input, init) => {
    const request = new Request(input, init);
    const method = request.method.toUpperCase();
    for (let attempt = 0;; attempt++) {
      const last = attempt + 1 >= settings.attempts;
      let response: Response;
      try {
        response = await baseFetch(request.clone());
      } catch (error) {
        // An abort is the caller's own doing: its error (a DOMException) goes back as it is.
        if (request.signal.aborted) throw error;
        if (last || !IDEMPOTENT.has(method)) throw withoutUrlQueries(error);
        const delayMs = Math.min(settings.baseDelayMs * 2 ** attempt, settings.maxDelayMs);
        settings.onRetry?.({ url: request.url, error, delayMs });
        await sleep(delayMs);
        continue;
      }
      if (last || !isRetryableStatus(response.status, method)) return response;
      const delayMs = retryDelay(response, attempt, settings);
      await response.body?.cancel();
      settings.onRetry?.({ url: request.url, status: response.status, delayMs });
      await sleep(delayMs);
    }
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

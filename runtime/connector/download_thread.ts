/**
 * `ctx.download` for connectors running on the main thread: each download runs on a worker
 * (download_worker.ts) and its body comes back transferred. Receiving a body costs this
 * machine about as much as decoding it — the network reads, and a page fault for every page of
 * a new buffer (~4.5 ms per MB measured here) — so on the main thread a connector that
 * downloads one result file ahead still waited for it: the download only moved while the
 * decoder yielded. On its own thread it moves while the decoder runs (BENCHMARKS.md,
 * databricks). The worker starts with the first download and stops when the connector closes.
 *
 * @module
 */
import type { Download, Downloader, DownloadInit } from "../protocol.ts";
import { errorFromMessages } from "../errors.ts";

/** A download asked of the worker. */
export interface DownloadRequest {
  id: number;
  url: string;
  headers?: Record<string, string>;
}

/** The worker's messages: a finished download, a failed one, or a retry about to wait. */
export type DownloadReply =
  | {
    kind: "done";
    id: number;
    url: string;
    status: number;
    ok: boolean;
    headers: [string, string][];
    body: Uint8Array;
  }
  | { kind: "failed"; id: number; name: string; messages: string[] }
  | { kind: "retry"; origin: string; status?: number; delayMs: number };

/** What the retrying fetch reports before it waits (the origin only: URLs may hold secrets). */
export type RetryNotice = Omit<Extract<DownloadReply, { kind: "retry" }>, "kind">;

interface Waiting {
  resolve(download: Download): void;
  reject(error: Error): void;
}

const WORKER_URL = new URL("./download_worker.ts", import.meta.url);

/**
 * Downloads on a thread of their own.
 *
 * @example
 * ```ts
 * import { DownloadThread } from "./download_thread.ts";
 * using downloads = new DownloadThread();
 * // ctx.download = downloads.download; the worker starts on the first call
 * ```
 */
export class DownloadThread implements Disposable {
  #worker?: Worker;
  #nextId = 0;
  readonly #waiting = new Map<number, Waiting>();
  readonly #onRetry?: (notice: RetryNotice) => void;

  constructor(options: { onRetry?: (notice: RetryNotice) => void } = {}) {
    this.#onRetry = options.onRetry;
  }

  /** `ctx.download`: GET `url`, retried, and its whole body. */
  readonly download: Downloader = (url: string | URL, init?: DownloadInit) => {
    const id = this.#nextId++;
    const request: DownloadRequest = { id, url: String(url), headers: init?.headers };
    return new Promise<Download>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#started().postMessage(request);
    });
  };

  /** Starts the worker now, ahead of the first download. */
  readonly start = (): void => {
    this.#started();
  };

  /** Stops the worker; downloads still running fail. */
  close(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
    this.#failAll(new Error("the download was stopped: the connector was closed"));
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #started(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WORKER_URL, { type: "module", name: "dvt-downloads" });
    worker.onmessage = ({ data }: MessageEvent<DownloadReply>) => this.#answer(data);
    worker.onerror = (event) => {
      event.preventDefault();
      // A worker that fails outside a download cannot be trusted with the next one.
      worker.terminate();
      if (this.#worker === worker) this.#worker = undefined;
      this.#failAll(new Error(`the download thread failed: ${event.message}`));
    };
    return this.#worker = worker;
  }

  #answer(reply: DownloadReply): void {
    if (reply.kind === "retry") {
      const { kind: _, ...notice } = reply;
      this.#onRetry?.(notice);
      return;
    }
    const waiting = this.#waiting.get(reply.id);
    if (!waiting) return;
    this.#waiting.delete(reply.id);
    if (reply.kind === "failed") {
      waiting.reject(
        errorFromMessages(reply.messages, { name: reply.name, fallback: "the download failed" }),
      );
      return;
    }
    const { url, status, ok, body } = reply;
    waiting.resolve({ url, status, ok, headers: new Headers(reply.headers), body });
  }

  #failAll(error: Error): void {
    for (const waiting of this.#waiting.values()) waiting.reject(error);
    this.#waiting.clear();
  }
}

/**
 * The download thread's worker (download_thread.ts): runs each requested download with the
 * same retrying fetch and body reader a connector's own thread would use (download.ts), and
 * sends the body back transferred, not copied. The network reads and the first writes into
 * each new buffer — the cost of a download — happen on this thread; the buffers come from
 * huge_pages.ts, so those first writes fault once per 2 MiB where Linux allows.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { createRetryingFetch } from "../util/retrying_fetch.ts";
import { createDownloader } from "./download.ts";
import { allocateHugePages } from "../util/huge_pages.ts";
import { causeMessages } from "../errors.ts";
import type { DownloadReply, DownloadRequest } from "./download_thread.ts";

function reply(message: DownloadReply, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

const download = createDownloader(
  createRetryingFetch({
    onRetry: ({ url, status, delayMs }) =>
      reply({ kind: "retry", origin: new URL(url).origin, status, delayMs }),
  }),
  // Bodies land in huge pages where Linux allows: a fault per 2 MiB instead of per 4 KiB.
  allocateHugePages,
);

self.onmessage = async ({ data }: MessageEvent<DownloadRequest>) => {
  try {
    const got = await download(data.url, { headers: data.headers });
    const { url, status, ok, body } = got;
    const headers = [...got.headers];
    reply({ kind: "done", id: data.id, url, status, ok, headers, body }, [
      body.buffer as ArrayBuffer,
    ]);
  } catch (error) {
    const name = error instanceof Error ? error.name : "Error";
    reply({ kind: "failed", id: data.id, name, messages: causeMessages(error) });
  }
};

/**
 * Worker entry of {@linkcode CatalogThread}: starts loading DuckDB as soon as the thread starts,
 * then reads and builds catalogs with catalog.ts on request, one at a time, in the order asked.
 * A failure goes back as its message chain; the worker stays ready for the next request.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { buildCatalog, readCatalog } from "./catalog.ts";
import { preloadDuckDB } from "../parquet/duckdb.ts";
import type { CatalogReply, CatalogRequest } from "./catalog_thread.ts";

// Loading starts now, while the thread that started this worker still loads the pipeline.
const loaded = preloadDuckDB().catch(() => {
  // The request that needs DuckDB reports the failure, through catalog.ts's own error.
});
let queue: Promise<void> = loaded;

function messagesOf(error: unknown): string[] {
  const messages: string[] = [];
  for (let current = error; current !== undefined && current !== null;) {
    messages.push(current instanceof Error ? current.message : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return messages;
}

async function answer(request: CatalogRequest): Promise<CatalogReply> {
  try {
    if (request.op === "read") {
      return { id: request.id, ok: true, value: await readCatalog(request.path) };
    }
    await buildCatalog(...request.args);
    return { id: request.id, ok: true };
  } catch (error) {
    const stack = error instanceof Error ? error.stack : undefined;
    return { id: request.id, ok: false, messages: messagesOf(error), stack };
  }
}

self.onmessage = (event: MessageEvent<CatalogRequest>) => {
  const request = event.data;
  queue = queue.then(async () => self.postMessage(await answer(request)));
};

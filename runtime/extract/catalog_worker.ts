/**
 * Worker entry of {@linkcode CatalogThread}: starts loading DuckDB as soon as the thread starts,
 * then reads and builds catalogs with catalog.ts on request, one at a time, in the order asked.
 * A catalog announced with `prepare` is created (file and empty tables) at once, while the
 * caller still reads the tables, and filled when its `build` comes. A failure goes back as its
 * message chain; the worker stays ready for the next request.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { CatalogBuild, readCatalog } from "./catalog.ts";
import { preloadDuckDB } from "../parquet/duckdb.ts";
import type { CatalogReply, CatalogRequest, CatalogStore } from "./catalog_thread.ts";

// Loading starts now, while the thread that started this worker still loads the pipeline.
const loaded = preloadDuckDB().catch(() => {
  // The request that needs DuckDB reports the failure, through catalog.ts's own error.
});
let queue: Promise<void> = loaded;
/** Catalogs being created ahead of their build, by path. */
const prepared = new Map<string, Promise<CatalogBuild>>();

function messagesOf(error: unknown): string[] {
  const messages: string[] = [];
  for (let current = error; current !== undefined && current !== null;) {
    messages.push(current instanceof Error ? current.message : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return messages;
}

async function build([path, ...finish]: Parameters<CatalogStore["build"]>): Promise<void> {
  const ahead = prepared.get(path);
  prepared.delete(path);
  const catalog = await (ahead ?? CatalogBuild.open(path));
  await catalog.finish(...finish);
}

async function answer(request: Exclude<CatalogRequest, { op: "prepare" }>): Promise<CatalogReply> {
  try {
    if (request.op === "read") {
      return { id: request.id, ok: true, value: await readCatalog(request.path) };
    }
    await build(request.args);
    return { id: request.id, ok: true };
  } catch (error) {
    const stack = error instanceof Error ? error.stack : undefined;
    return { id: request.id, ok: false, messages: messagesOf(error), stack };
  }
}

self.onmessage = (event: MessageEvent<CatalogRequest>) => {
  const request = event.data;
  if (request.op === "prepare") {
    const creating = loaded.then(() => CatalogBuild.open(request.path));
    creating.catch(() => {}); // reported by the build that uses it
    prepared.set(request.path, creating);
    return;
  }
  queue = queue.then(async () => self.postMessage(await answer(request)));
};

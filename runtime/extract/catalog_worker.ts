/**
 * Worker entry of {@linkcode CatalogThread}: as soon as the thread starts it loads DuckDB and
 * opens the one in-memory engine (catalog.ts's openCatalogEngine) that every catalog it reads or
 * builds is attached to, so no request pays for starting a DuckDB instance. Requests run one at
 * a time, in the order asked. A published catalog announced with `prefetch` is read at once and
 * kept for the `read` that follows while the file stays the same (catalog_prefetch.ts). A
 * catalog announced with `prepare` is created (file and empty tables) while the caller still
 * reads the tables, and filled when its `build` comes. A failure
 * goes back as its message chain; the worker stays ready for the next request.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { CatalogBuild, openCatalogEngine, readCatalog } from "./catalog.ts";
import type { DuckDB } from "../parquet/duckdb.ts";
import type { CatalogReply, CatalogRequest, CatalogStore } from "./catalog_thread.ts";
import { CatalogPrefetch } from "./catalog_prefetch.ts";
import { causeMessages } from "../errors.ts";

// Started now, while the thread that started this worker still loads the pipeline.
const starting = openCatalogEngine();
/** The engine; undefined when it could not start (each request then opens its own and fails). */
const engine: Promise<DuckDB | undefined> = starting.catch(() => undefined);
let queue: Promise<unknown> = engine;
/** Catalogs being created ahead of their build, by path. */
const prepared = new Map<string, Promise<CatalogBuild>>();
/** Published catalogs read ahead of the run's lock. */
const readAhead = new CatalogPrefetch();

async function build([path, ...finish]: Parameters<CatalogStore["build"]>): Promise<void> {
  const ahead = prepared.get(path);
  prepared.delete(path);
  const catalog = await (ahead ?? CatalogBuild.open(path, await engine));
  await catalog.finish(...finish);
}

async function read(path: string) {
  return await readCatalog(path, await engine);
}

async function answer(
  request: Extract<CatalogRequest, { id: number }>,
): Promise<CatalogReply> {
  try {
    if (request.op === "read") {
      const value = await readAhead.take(request.path) ?? await read(request.path);
      return { id: request.id, ok: true, value };
    }
    await build(request.args);
    return { id: request.id, ok: true };
  } catch (error) {
    const stack = error instanceof Error ? error.stack : undefined;
    return { id: request.id, ok: false, messages: causeMessages(error), stack };
  }
}

/** Runs `work` after every request asked before it: they share one engine (and connection). */
function inTurn<T>(work: () => Promise<T>): Promise<T> {
  const turn = queue.then(work);
  queue = turn.catch(() => {});
  return turn;
}

self.onmessage = (event: MessageEvent<CatalogRequest>) => {
  const request = event.data;
  if (request.op === "prefetch") {
    // A failure here is the read's to report, when it reads the file itself.
    inTurn(() => readAhead.fetch(request.path, read)).catch(() => {});
    return;
  }
  if (request.op === "prepare") {
    const creating = inTurn(async () => CatalogBuild.open(request.path, await engine));
    creating.catch(() => {}); // reported by the build that uses it
    prepared.set(request.path, creating);
    return;
  }
  inTurn(async () => self.postMessage(await answer(request)));
};

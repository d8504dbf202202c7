/**
 * Worker entry of {@linkcode CatalogThread}: as soon as the thread starts it loads DuckDB and
 * opens the one in-memory engine (catalog.ts's openCatalogEngine) that every catalog it reads or
 * builds is attached to, so no request pays for starting a DuckDB instance. Requests run one at
 * a time, in the order asked. A catalog announced with `prepare` is created (file and empty
 * tables) while the caller still reads the tables, and filled when its `build` comes. A failure
 * goes back as its message chain; the worker stays ready for the next request.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { CatalogBuild, openCatalogEngine, readCatalog } from "./catalog.ts";
import type { DuckDB } from "../parquet/duckdb.ts";
import type { CatalogReply, CatalogRequest, CatalogStore } from "./catalog_thread.ts";

// Started now, while the thread that started this worker still loads the pipeline.
const starting = openCatalogEngine();
/** The engine; undefined when it could not start (each request then opens its own and fails). */
const engine: Promise<DuckDB | undefined> = starting.catch(() => undefined);
let queue: Promise<unknown> = engine;
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
  const catalog = await (ahead ?? CatalogBuild.open(path, await engine));
  await catalog.finish(...finish);
}

async function answer(request: Exclude<CatalogRequest, { op: "prepare" }>): Promise<CatalogReply> {
  try {
    if (request.op === "read") {
      return { id: request.id, ok: true, value: await readCatalog(request.path, await engine) };
    }
    await build(request.args);
    return { id: request.id, ok: true };
  } catch (error) {
    const stack = error instanceof Error ? error.stack : undefined;
    return { id: request.id, ok: false, messages: messagesOf(error), stack };
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
  if (request.op === "prepare") {
    const creating = inTurn(async () => CatalogBuild.open(request.path, await engine));
    creating.catch(() => {}); // reported by the build that uses it
    prepared.set(request.path, creating);
    return;
  }
  inTurn(async () => self.postMessage(await answer(request)));
};

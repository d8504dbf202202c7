/**
 * The extract.duckdb catalog read and built on a worker thread (catalog_worker.ts). Loading
 * DuckDB's native addon and opening databases are the largest fixed cost of an extract
 * (BENCHMARKS.md); a worker started with the command does them on the second core while this
 * thread loads the pipeline, discovers and reads, instead of before and after. The work is the
 * same (catalog.ts's readCatalog and buildCatalog, in the same order, on the same files): only
 * the thread differs, so publishing stays as crash-safe as publish.ts describes.
 *
 * @module
 */
import type { Catalog, CatalogContents } from "./catalog.ts";
import { errorFromMessages } from "../errors.ts";

/** Where the runtime reads the published catalog and builds the next one. */
export interface CatalogStore {
  /** The published catalog at `path`; an absent database is an empty catalog. */
  read(path: string): Promise<Catalog>;
  /**
   * Says that the catalog at `path` will be read soon, so the store may read it now; `read`
   * then answers from it only if the database is still the one read (catalog_prefetch.ts).
   * Whatever goes wrong there is left to `read`.
   */
  prefetch?(path: string): void;
  /**
   * Says that the next catalog will be built at `path`, so the store may create the file now;
   * whatever goes wrong there is reported by {@linkcode CatalogStore.build}.
   */
  prepare?(path: string): void;
  /** Builds a complete catalog database at `path` (which must not exist) and checkpoints it. */
  build(path: string, ...contents: CatalogContents): Promise<void>;
}

/** A request to the worker. */
export type CatalogRequest =
  | { op: "prepare"; path: string }
  | { op: "prefetch"; path: string }
  | { id: number; op: "read"; path: string }
  | { id: number; op: "build"; args: Parameters<CatalogStore["build"]> };

/** The worker's answer: the value, or the failure's message chain (outermost first). */
export type CatalogReply =
  | { id: number; ok: true; value?: Catalog }
  | { id: number; ok: false; messages: string[]; stack?: string };

const WORKER_URL = new URL("./catalog_worker.ts", import.meta.url);

/**
 * A {@linkcode CatalogStore} on a worker thread; `close()` (or `using`) stops it.
 *
 * @example
 * ```ts ignore
 * using catalogs = CatalogThread.start(); // DuckDB starts loading now
 * const catalog = await catalogs.read("extracts/shop/extract.duckdb");
 * ```
 */
export class CatalogThread implements CatalogStore, Disposable {
  readonly #worker: Worker;
  readonly #pending = new Map<
    number,
    { resolve: (v?: Catalog) => void; reject: (e: Error) => void }
  >();
  #nextId = 0;
  #failure?: Error;

  private constructor() {
    this.#worker = new Worker(WORKER_URL.href, { type: "module", name: "dvt-catalog" });
    this.#worker.onmessage = (event: MessageEvent<CatalogReply>) => this.#receive(event.data);
    this.#worker.onerror = (event: ErrorEvent) => {
      // Handled here: an unhandled worker error would end the whole process.
      event.preventDefault();
      this.#fail(new Error(`the catalog worker failed: ${event.message}`));
    };
  }

  /** Starts the worker; it begins loading DuckDB at once. */
  static start(): CatalogThread {
    return new CatalogThread();
  }

  read(path: string): Promise<Catalog> {
    return this.#call({ op: "read", path }) as Promise<Catalog>;
  }

  prefetch(path: string): void {
    if (!this.#failure) this.#worker.postMessage({ op: "prefetch", path } satisfies CatalogRequest);
  }

  prepare(path: string): void {
    if (!this.#failure) this.#worker.postMessage({ op: "prepare", path } satisfies CatalogRequest);
  }

  async build(...args: Parameters<CatalogStore["build"]>): Promise<void> {
    await this.#call({ op: "build", args });
  }

  /** Stops the worker; calls still waiting fail. */
  close(): void {
    this.#worker.terminate();
    this.#fail(new Error("the catalog worker was stopped"));
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #call(
    request: { op: "read"; path: string } | {
      op: "build";
      args: Parameters<CatalogStore["build"]>;
    },
  ) {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise<Catalog | undefined>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, ...request } as CatalogRequest);
    });
  }

  #receive(reply: CatalogReply): void {
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    if (reply.ok) pending.resolve(reply.value);
    else {pending.reject(
        errorFromMessages(reply.messages, {
          stack: reply.stack,
          fallback: "the catalog worker failed",
        }),
      );}
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const { reject } of this.#pending.values()) reject(this.#failure);
    this.#pending.clear();
  }
}

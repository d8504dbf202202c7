/**
 * One source `dvt serve` receives webhooks for: checks each delivery's signature, size and that
 * its body is JSON, logs it durably before the 2xx, answers retries of a delivery it already has
 * as duplicates, and folds what is logged into the extract in micro-batches. The connector's
 * `receive()` runs at the fold, over the whole micro-batch, in the fold's worker thread (see
 * fold_thread.ts): this thread keeps of a delivery only its log position and id once it is
 * acknowledged. A delivery the connector refuses (an InputError) was acknowledged already, so it
 * is set aside in `refused.jsonl` next to the log, counted and reported, never dropped silently.
 * At start-up, logged deliveries the published extract does not hold yet are folded first.
 *
 * @module
 */
import { join } from "node:path";
import { errorMessage } from "../errors.ts";
import type { OutputLayout } from "../extract/layout.ts";
import { acquireRunLock, LockHeldError, type RunLock } from "../extract/run_lock.ts";
import { DeliveryLedger } from "./delivery_ledger.ts";
import { publishedSeq, readPublished } from "./fold_events.ts";
import { FoldThread, type ReceiverSource, type RefusalNote } from "./fold_thread.ts";
import type { SignatureKey } from "./signature.ts";
import { type WalEntry, WriteAheadLog } from "./write_ahead_log.ts";

/** How a source authenticates and where it writes. */
export interface ServedSourceSpec {
  /** The source's name in dvt.yaml: its path is `POST /<name>`. */
  name: string;
  connectorName: string;
  /** How the fold thread loads the connector that turns deliveries into rows. */
  receiver: ReceiverSource;
  layout: OutputLayout;
  key: SignatureKey;
  /** Header names as the manifest writes them. */
  signatureHeader: string;
  deliveryIdHeader?: string;
  maxBodyBytes: number;
}

/** Counters `GET /health` reports for a source. */
export interface SourceStats {
  /** Deliveries accepted (logged durably and acknowledged), duplicates not counted. */
  received: number;
  /** Accepted deliveries folded into the extract. */
  written: number;
  /** Rows those deliveries produced. */
  rows: number;
  /** Accepted deliveries not folded yet. */
  pending: number;
  /** Retries of a delivery already accepted (answered 2xx, written once). */
  duplicates: number;
  /** Unsigned or wrongly signed requests (401, nothing written). */
  rejected: number;
  /** Requests refused as bad input: not JSON or too large (4xx, nothing logged). */
  invalid: number;
  /**
   * Accepted deliveries the connector refused at the fold (bad input it cannot turn into rows):
   * not written, kept in `<out>/.dvt/serve/refused.jsonl`.
   */
  refused: number;
  /** Deliveries that could not be logged (5xx; the sender retries) and folds that failed. */
  failed: number;
  /** Micro-batches folded into the extract. */
  flushes: number;
  lastError?: string;
  lastErrorAt?: string;
  lastFlushAt?: string;
  /** Set while a `dvt extract` holds the output directory: folding waits for it. */
  waitingFor?: string;
}

/** What one flush folded. */
export interface FlushReport {
  /** Deliveries written. */
  events: number;
  /** Deliveries the connector refused (set aside, not written). */
  refused: number;
  /** View name -> rows appended. */
  rows: Record<string, number>;
  seconds: number;
}

const decoder = new TextDecoder();

/** Where refused deliveries are kept, next to the log (see refused_log.ts). */
const REFUSED_FILE = "refused.jsonl";

const DROPPED_HEADERS = new Set(["authorization", "cookie", "proxy-authorization"]);

/** See the module documentation. */
export class ServedSource {
  readonly spec: ServedSourceSpec;
  readonly stats: SourceStats = {
    received: 0,
    written: 0,
    rows: 0,
    pending: 0,
    duplicates: 0,
    rejected: 0,
    invalid: 0,
    refused: 0,
    failed: 0,
    flushes: 0,
  };
  readonly #wal: WriteAheadLog;
  readonly #ledger: DeliveryLedger;
  /** Where folds run, off the thread that acknowledges deliveries. */
  readonly #foldThread: FoldThread;
  /** Ids logged but not yet in the ledger. */
  readonly #pendingIds = new Set<string>();
  /** Ids of deliveries being handled right now: a concurrent retry waits for the first. */
  readonly #inFlight = new Map<string, Promise<unknown>>();
  #pendingSince?: number;
  /** Logged deliveries found at start-up that the extract did not hold yet. */
  recovered = 0;
  #flushing?: Promise<FlushReport | undefined>;
  /** One dvt serve per output directory: a second would replay the first one's live log. */
  readonly #serveLock: RunLock;

  private constructor(
    spec: ServedSourceSpec,
    wal: WriteAheadLog,
    ledger: DeliveryLedger,
    serveLock: RunLock,
  ) {
    this.spec = spec;
    this.#wal = wal;
    this.#ledger = ledger;
    this.#serveLock = serveLock;
    this.#foldThread = new FoldThread(spec.receiver, spec.layout.root);
    this.#foldThread.onRecorded = (recorded) => this.#noteRefusals(recorded);
  }

  /** Opens the log and takes over the logged deliveries the extract lacks (folded first). */
  static async open(spec: ServedSourceSpec): Promise<ServedSource> {
    const dir = join(spec.layout.stateDir, "serve");
    const serveLock = await acquireRunLock(dir, { holder: "dvt serve" });
    const ledger = await DeliveryLedger.open(join(dir, "deliveries.log"));
    const published = Math.max(publishedSeq(await readPublished(spec.layout)), ledger.lastSeq);
    const { wal, recovered } = await WriteAheadLog.open(dir, published + 1);
    const source = new ServedSource(spec, wal, ledger, serveLock);
    const alreadyIn: string[] = [];
    for (const segment of recovered) {
      const entries: WalEntry[] = [];
      for (const record of segment.records) {
        if (record.seq <= published || (record.id && ledger.has(record.id))) {
          // Folded before the crash; only the ledger line may be missing.
          if (record.id && record.seq <= published) alreadyIn.push(record.id);
          continue;
        }
        entries.push({ seq: record.seq, id: record.id });
        if (record.id) source.#pendingIds.add(record.id);
      }
      wal.adopt(segment.path, entries);
    }
    if (alreadyIn.length) await ledger.record(published, alreadyIn);
    await wal.commit([]);
    source.#refreshPending();
    source.recovered = source.stats.pending;
    if (source.stats.pending) source.#pendingSince = 0;
    source.#foldThread.start();
    return source;
  }

  /** Handles `POST /<name>`. */
  async handle(request: Request): Promise<Response> {
    const body = await readBody(request, this.spec.maxBodyBytes);
    if (body === undefined) {
      this.stats.invalid++;
      return answer(413, { error: `body larger than ${this.spec.maxBodyBytes} bytes` });
    }
    if (!this.spec.key.verify(body, request.headers.get(this.spec.signatureHeader))) {
      this.stats.rejected++;
      return answer(401, { error: `missing or wrong ${this.spec.signatureHeader} signature` });
    }
    const id = this.spec.deliveryIdHeader
      ? request.headers.get(this.spec.deliveryIdHeader) ?? undefined
      : undefined;
    return await this.#accept(body, request.headers, id);
  }

  async #accept(body: Uint8Array, headers: Headers, id: string | undefined): Promise<Response> {
    if (id) {
      // No await between this check and registering below: one delivery id, one writer.
      for (let earlier; (earlier = this.#inFlight.get(id));) await earlier.catch(() => {});
      if (this.#ledger.has(id) || this.#pendingIds.has(id)) {
        this.stats.duplicates++;
        return answer(200, { status: "duplicate" });
      }
    }
    const work = this.#log(body, headers, id);
    if (id) this.#inFlight.set(id, work);
    try {
      return await work;
    } finally {
      if (id && this.#inFlight.get(id) === work) this.#inFlight.delete(id);
    }
  }

  async #log(body: Uint8Array, headers: Headers, id: string | undefined): Promise<Response> {
    try {
      // Only well-formedness here: the connector reads the body at the fold. The log keeps the
      // body's bytes, not this parse or its text (see write_ahead_log.ts).
      JSON.parse(decoder.decode(body));
    } catch {
      this.stats.invalid++;
      return answer(400, { error: "the body is not JSON" });
    }
    const kept: Record<string, string> = {};
    const signature = this.spec.signatureHeader.toLowerCase();
    for (const [name, value] of headers) {
      if (name !== signature && !DROPPED_HEADERS.has(name)) kept[name] = value;
    }
    const receivedAt = new Date().toISOString();
    let seq: number;
    try {
      ({ seq } = await this.#wal.append({ id, receivedAt, headers: kept, body }));
    } catch (error) {
      this.#fail(error);
      return answer(503, { error: "could not log the delivery durably; retry" });
    }
    if (id) this.#pendingIds.add(id);
    this.stats.received++;
    this.#pendingSince ??= performance.now();
    this.#refreshPending();
    return answer(200, { status: "accepted", seq });
  }

  /** Whether a flush is due: enough events, or the oldest has waited long enough. */
  due(flushEvents: number, intervalMs: number): boolean {
    if (this.#flushing || this.#pendingSince === undefined) return false;
    return this.#wal.pending >= flushEvents || performance.now() - this.#pendingSince >= intervalMs;
  }

  /**
   * Folds every logged delivery into the extract. `lockWaitMs`: how long to wait for a
   * `dvt extract` that holds the output directory (by default the fold is retried later).
   */
  flush(lockWaitMs = 0): Promise<FlushReport | undefined> {
    this.#flushing ??= this.#fold(lockWaitMs).finally(() => (this.#flushing = undefined));
    return this.#flushing;
  }

  async #fold(lockWaitMs: number): Promise<FlushReport | undefined> {
    const started = performance.now();
    const entries = await this.#wal.rotate();
    if (!entries.length) {
      this.#pendingSince = undefined;
      return undefined;
    }
    let rows: Record<string, number>;
    let refused: RefusalNote[];
    try {
      const seq = Math.max(...entries.map((entry) => entry.seq));
      ({ rows, refused } = await this.#foldThread.fold({
        segments: this.#wal.located(entries),
        seq,
        refusedPath: join(this.#wal.dir, REFUSED_FILE),
        lockWaitMs,
      }));
      this.stats.waitingFor = undefined;
      const ids = entries.flatMap((entry) => entry.id ? [entry.id] : []);
      // Refused deliveries' ids too: a retry of one is a duplicate, not a new delivery.
      await this.#ledger.record(seq, ids);
      for (const id of ids) this.#pendingIds.delete(id);
      await this.#wal.commit(entries);
    } catch (error) {
      if (error instanceof LockHeldError) {
        this.stats.waitingFor = "dvt extract";
        return undefined;
      }
      this.#fail(error);
      throw error;
    }
    this.stats.written += entries.length - refused.length;
    this.stats.refused += refused.length;
    this.stats.rows += Object.values(rows).reduce((sum, n) => sum + n, 0);
    this.stats.flushes++;
    this.stats.lastFlushAt = new Date().toISOString();
    this.#refreshPending();
    this.#pendingSince = this.stats.pending ? performance.now() : undefined;
    return {
      events: entries.length - refused.length,
      refused: refused.length,
      rows,
      seconds: (performance.now() - started) / 1000,
    };
  }

  /** Reports the latest refusal the fold thread set aside as the last error. */
  #noteRefusals(recorded: readonly RefusalNote[]): void {
    const { seq, id, message } = recorded[recorded.length - 1];
    this.stats.lastError = `${this.spec.connectorName} refused delivery ${
      id ?? `#${seq}`
    } (set aside in .dvt/serve/${REFUSED_FILE}): ${message}`;
    this.stats.lastErrorAt = new Date().toISOString();
  }

  /** Closes the log (waits for writes in progress). */
  async close(): Promise<void> {
    await this.#flushing?.catch(() => {});
    await this.#foldThread.close();
    await this.#wal.close();
    await this.#serveLock.release();
  }

  #refreshPending(): void {
    this.stats.pending = this.#wal.pending;
  }

  #fail(error: unknown): void {
    this.stats.failed++;
    this.stats.lastError = errorMessage(error);
    this.stats.lastErrorAt = new Date().toISOString();
  }
}

/** The body, or undefined when it is larger than `limit` bytes (read no further than that). */
async function readBody(request: Request, limit: number): Promise<Uint8Array | undefined> {
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > limit) return undefined;
  if (!request.body) return new Uint8Array();
  if (Number.isInteger(declared)) {
    // HTTP framing ends the body at its declared length: read it in one go (the stream reader
    // below cost several times more per delivery).
    const body = await request.bytes();
    return body.length > limit ? undefined : body;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  if (chunks.length === 1) return chunks[0];
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return body;
}

function answer(status: number, value: Record<string, unknown>): Response {
  return Response.json(value, { status });
}

/**
 * One source `dvt serve` receives webhooks for: checks each delivery's signature, hands it to
 * the connector's `receive()` (a rejected event is a 400), logs it durably before the 2xx,
 * answers retries of a delivery it already has as duplicates, and folds what is logged into the
 * extract in micro-batches. At start-up, logged deliveries the published extract does not hold
 * yet are handed to the connector again and folded first.
 *
 * @module
 */
import { join } from "node:path";
import { schemaMismatch } from "../parquet/arrow_schema.ts";
import { ConnectorError, errorMessage, InputError } from "../errors.ts";
import type { OutputLayout } from "../extract/layout.ts";
import { acquireRunLock, LockHeldError, type RunLock } from "../extract/run_lock.ts";
import type { Connector, EventRows, TableInfo } from "../protocol.ts";
import { DeliveryLedger } from "./delivery_ledger.ts";
import { foldEvents, publishedSeq, readPublished, type TableBatches } from "./fold_events.ts";
import type { SignatureKey } from "./signature.ts";
import { type WalEntry, type WalRecord, WriteAheadLog } from "./write_ahead_log.ts";

/** How a source authenticates and where it writes. */
export interface ServedSourceSpec {
  /** The source's name in dvt.yaml: its path is `POST /<name>`. */
  name: string;
  connectorName: string;
  connector: Connector;
  /** Every table the connector declares. */
  tables: readonly TableInfo[];
  /** The tables events are written to (stream tables selected in dvt.yaml). */
  streamTables: readonly string[];
  layout: OutputLayout;
  key: SignatureKey;
  /** Header names as the manifest writes them. */
  signatureHeader: string;
  deliveryIdHeader?: string;
  maxBodyBytes: number;
  /** Pending deliveries whose rows stay in memory; default {@linkcode ROWS_IN_MEMORY}. */
  rowsInMemory?: number;
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
  /** Requests refused as bad input: not JSON, too large, or rejected by the connector (4xx). */
  invalid: number;
  /** Deliveries that failed in dvt or the connector (5xx; the sender retries). */
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
  events: number;
  /** View name -> rows appended. */
  rows: Record<string, number>;
  seconds: number;
}

/**
 * What the connector made of a delivery: the rows to write, per table; null when they are not
 * kept in memory (asked of the connector again at the fold); undefined for a logged delivery the
 * connector could not take again after a restart (it stays logged).
 */
type Rows = EventRows[] | null | undefined;

/**
 * Pending deliveries whose rows are kept in memory. While a long `dvt extract` holds the output
 * directory, deliveries keep coming: beyond this many only the log holds them, and the fold asks
 * the connector for their rows again, so memory stays bounded however long the wait.
 */
const ROWS_IN_MEMORY = 20_000;

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
    failed: 0,
    flushes: 0,
  };
  readonly #wal: WriteAheadLog<Rows>;
  readonly #ledger: DeliveryLedger;
  readonly #infos: Map<string, TableInfo>;
  /** Ids logged but not yet in the ledger. */
  readonly #pendingIds = new Set<string>();
  /** Ids of deliveries being handled right now: a concurrent retry waits for the first. */
  readonly #inFlight = new Map<string, Promise<unknown>>();
  #pendingSince?: number;
  /** Schemas already checked against their table's (connectors reuse one object per table). */
  readonly #checked = new WeakMap<object, string>();
  /** Logged deliveries found at start-up that the extract did not hold yet. */
  recovered = 0;
  #flushing?: Promise<FlushReport | undefined>;
  /** One dvt serve per output directory: a second would replay the first one's live log. */
  readonly #serveLock: RunLock;

  private constructor(
    spec: ServedSourceSpec,
    wal: WriteAheadLog<Rows>,
    ledger: DeliveryLedger,
    serveLock: RunLock,
  ) {
    this.spec = spec;
    this.#wal = wal;
    this.#ledger = ledger;
    this.#serveLock = serveLock;
    this.#infos = new Map(spec.tables.map((t) => [t.name, t]));
  }

  /** Opens the log and hands logged deliveries the extract lacks to the connector again. */
  static async open(spec: ServedSourceSpec): Promise<ServedSource> {
    const dir = join(spec.layout.stateDir, "serve");
    const serveLock = await acquireRunLock(dir, { holder: "dvt serve" });
    const ledger = await DeliveryLedger.open(join(dir, "deliveries.log"));
    const published = Math.max(publishedSeq(await readPublished(spec.layout)), ledger.lastSeq);
    const { wal, recovered } = await WriteAheadLog.open<Rows>(dir, published + 1);
    const source = new ServedSource(spec, wal, ledger, serveLock);
    const alreadyIn: string[] = [];
    for (const segment of recovered) {
      const entries: WalEntry<Rows>[] = [];
      for (const record of segment.records) {
        if (record.seq <= published || (record.id && ledger.has(record.id))) {
          // Folded before the crash; only the ledger line may be missing.
          if (record.id && record.seq <= published) alreadyIn.push(record.id);
          continue;
        }
        entries.push({ record, payload: await source.#replay(record) });
        if (record.id) source.#pendingIds.add(record.id);
      }
      wal.adopt(segment.path, entries);
    }
    if (alreadyIn.length) await ledger.record(published, alreadyIn);
    await wal.commit([]);
    source.#refreshPending();
    source.recovered = source.stats.pending;
    if (source.stats.pending) source.#pendingSince = 0;
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
    const text = new TextDecoder().decode(body);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
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
    let rows: EventRows[];
    try {
      rows = await this.#rowsOf({ body: parsed, headers: kept, receivedAt });
    } catch (error) {
      const input = error instanceof InputError;
      if (input) this.stats.invalid++;
      else this.#fail(error);
      return answer(input ? 400 : 500, { error: errorMessage(error) });
    }
    let record: WalRecord;
    try {
      const payload = this.#wal.pending < (this.spec.rowsInMemory ?? ROWS_IN_MEMORY) ? rows : null;
      record = await this.#wal.append({ id, receivedAt, headers: kept, body: text }, payload);
    } catch (error) {
      this.#fail(error);
      return answer(503, { error: "could not log the delivery durably; retry" });
    }
    if (id) this.#pendingIds.add(id);
    this.stats.received++;
    this.#pendingSince ??= performance.now();
    this.#refreshPending();
    return answer(200, { status: "accepted", seq: record.seq });
  }

  /** Hands an event to the connector and checks what comes back against the declared tables. */
  async #rowsOf(event: { body: unknown; headers: Record<string, string>; receivedAt: string }) {
    const produced = await this.spec.connector.receive!(event);
    if (!Array.isArray(produced)) {
      throw new ConnectorError(`${this.spec.connectorName} receive() did not return a list`);
    }
    const rows: EventRows[] = [];
    for (const { table, batch } of produced) {
      const info = this.#infos.get(table);
      if (!info) {
        throw new ConnectorError(
          `${this.spec.connectorName} receive() returned rows for "${table}", a table discover() does not declare`,
        );
      }
      const problem = this.#checked.get(batch.schema) === table
        ? undefined
        : schemaMismatch(batch.schema, info.schema);
      if (!problem) this.#checked.set(batch.schema, table);
      if (problem) {
        throw new ConnectorError(
          `${this.spec.connectorName} receive() returned rows for "${table}" that do not match its declared schema: ${problem}`,
        );
      }
      // Tables the source does not select (tables: in dvt.yaml) are not written.
      if (this.spec.streamTables.includes(table) && batch.numRows) rows.push({ table, batch });
    }
    return rows;
  }

  /** The rows of a logged delivery, asked of the connector again (after a restart). */
  async #replay(record: WalRecord): Promise<Rows> {
    try {
      const body = JSON.parse(record.body);
      return await this.#rowsOf({ body, headers: record.headers, receivedAt: record.receivedAt });
    } catch (error) {
      // Kept in the log (and retried at the next start) rather than dropped: it was acknowledged.
      this.#fail(
        new ConnectorError(
          `logged delivery ${record.seq} could not be replayed: ${errorMessage(error)}`,
          { cause: error },
        ),
      );
      return undefined;
    }
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
    const closed = await this.#wal.rotate();
    for (const entry of closed) {
      if (entry.payload === null) entry.payload = await this.#replay(entry.record);
    }
    const entries = closed.filter((entry) => entry.payload);
    if (!entries.length) {
      // Only deliveries that could not be replayed are left: they wait for the next start.
      if (this.#wal.pending === closed.length) this.#pendingSince = undefined;
      return undefined;
    }
    const tables = new Map<string, TableBatches>();
    for (const { payload } of entries) {
      for (const { table, batch } of payload!) {
        const group = tables.get(table) ?? { info: this.#infos.get(table)!, batches: [] };
        group.batches.push(batch);
        tables.set(table, group);
      }
    }
    const seq = Math.max(...entries.map((entry) => entry.record.seq));
    let rows: Record<string, number> = {};
    try {
      if (tables.size) {
        const result = await foldEvents({
          layout: this.spec.layout,
          connectorName: this.spec.connectorName,
          tables: this.spec.tables,
          rows: tables,
          seq,
          lockWaitMs,
        });
        rows = result.rows;
      }
      this.stats.waitingFor = undefined;
    } catch (error) {
      if (error instanceof LockHeldError) {
        this.stats.waitingFor = "dvt extract";
        return undefined;
      }
      this.#fail(error);
      throw error;
    }
    const ids = entries.flatMap((entry) => entry.record.id ? [entry.record.id] : []);
    await this.#ledger.record(seq, ids);
    for (const id of ids) this.#pendingIds.delete(id);
    await this.#wal.commit(entries);
    this.stats.written += entries.length;
    this.stats.rows += Object.values(rows).reduce((sum, n) => sum + n, 0);
    this.stats.flushes++;
    this.stats.lastFlushAt = new Date().toISOString();
    this.#refreshPending();
    this.#pendingSince = this.stats.pending ? performance.now() : undefined;
    return { events: entries.length, rows, seconds: (performance.now() - started) / 1000 };
  }

  /** Closes the log (waits for writes in progress). */
  async close(): Promise<void> {
    await this.#flushing?.catch(() => {});
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

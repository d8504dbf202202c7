/**
 * The write-ahead log of `dvt serve`: a delivery is acknowledged only after its record is in a
 * segment file under `<out>/.dvt/serve/` and fsynced. Concurrent appends share one write and one
 * fsync (group commit), so throughput does not pay one fsync per request.
 *
 * Segments are `wal-<first seq>.log`, one JSON record per line. A flush rotates: the active
 * segment is closed and later records go to a new one, so the records a flush folds are exactly
 * those of the closed segments, which it deletes once they are published. A crash can tear only
 * the last line of a segment (a record that was never acknowledged); reading stops there.
 *
 * @module
 */
import { join } from "node:path";

/** One delivery as the log keeps it: enough to hand it to the connector again. */
export interface WalRecord {
  /** Position in the log; increases by one per record, across restarts. */
  seq: number;
  /** The delivery id header's value, when the sender sent one. */
  id?: string;
  /** When the delivery was acknowledged (ISO-8601); handed to the connector on replay too. */
  receivedAt: string;
  /** Request headers (lower-cased), without the signature. */
  headers: Record<string, string>;
  /** The raw request body. */
  body: string;
}

/** A durable record and what the caller derived from it (not persisted). */
export interface WalEntry<T> {
  record: WalRecord;
  payload: T;
}

/** A segment found on disk at start-up, with its readable records. */
export interface RecoveredSegment {
  path: string;
  records: WalRecord[];
}

interface Segment<T> {
  path: string;
  entries: WalEntry<T>[];
  file?: Deno.FsFile;
}

type QueueItem<T> =
  | { kind: "record"; entry: WalEntry<T>; bytes: Uint8Array; done: Settle }
  | { kind: "rotate"; done: Settle };

interface Settle {
  resolve: () => void;
  reject: (error: unknown) => void;
}

const SEGMENT = /^wal-(\d+)\.log$/;
const encoder = new TextEncoder();

/** Appends records durably; see the module documentation. */
export class WriteAheadLog<T> {
  readonly dir: string;
  #nextSeq: number;
  #active?: Segment<T>;
  /** Closed segments whose records are not yet published, oldest first. */
  #closed: Segment<T>[] = [];
  #queue: QueueItem<T>[] = [];
  #writing = false;

  private constructor(dir: string, nextSeq: number) {
    this.dir = dir;
    this.#nextSeq = nextSeq;
  }

  /**
   * Opens the log in `dir` and returns the records of the segments already there (to replay).
   * `minNextSeq` is where numbering continues at least (the highest seq published, plus one).
   */
  static async open<T>(
    dir: string,
    minNextSeq: number,
  ): Promise<{ wal: WriteAheadLog<T>; recovered: RecoveredSegment[] }> {
    await Deno.mkdir(dir, { recursive: true });
    const recovered: RecoveredSegment[] = [];
    for (const name of await segmentNames(dir)) {
      const path = join(dir, name);
      recovered.push({ path, records: parseSegment(await Deno.readTextFile(path)) });
    }
    const lastSeq = Math.max(0, ...recovered.flatMap((s) => s.records.map((r) => r.seq)));
    return { wal: new WriteAheadLog<T>(dir, Math.max(minNextSeq, lastSeq + 1)), recovered };
  }

  /** Takes over a recovered segment as closed, with the entries still to publish. */
  adopt(path: string, entries: WalEntry<T>[]): void {
    this.#closed.push({ path, entries });
  }

  /** Records not yet published (durable, or being written). */
  get pending(): number {
    const queued = this.#queue.filter((item) => item.kind === "record").length;
    return this.#closed.reduce((sum, s) => sum + s.entries.length, 0) +
      (this.#active?.entries.length ?? 0) + queued;
  }

  /** Appends a record (its seq assigned here); resolves once it is on disk and fsynced. */
  append(record: Omit<WalRecord, "seq">, payload: T): Promise<WalRecord> {
    const full: WalRecord = { seq: this.#nextSeq++, ...record };
    const bytes = encoder.encode(`${JSON.stringify(full)}\n`);
    return new Promise((resolve, reject) => {
      const done = { resolve: () => resolve(full), reject };
      this.#queue.push({ kind: "record", entry: { record: full, payload }, bytes, done });
      this.#drain();
    });
  }

  /**
   * Closes the active segment (after the records queued before this call are durable) and
   * returns every entry of the closed segments not yet published, in log order.
   */
  async rotate(): Promise<WalEntry<T>[]> {
    await new Promise<void>((resolve, reject) => {
      this.#queue.push({ kind: "rotate", done: { resolve, reject } });
      this.#drain();
    });
    return this.#closed.flatMap((segment) => segment.entries);
  }

  /** Deletes the closed segments: their records are published. Call after {@linkcode rotate}. */
  async commit(entries: readonly WalEntry<T>[]): Promise<void> {
    const published = new Set(entries);
    const done = this.#closed.filter((s) => s.entries.every((e) => published.has(e)));
    for (const segment of done) {
      await Deno.remove(segment.path).catch((error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
    }
    this.#closed = this.#closed.filter((s) => !done.includes(s));
  }

  /** Waits for queued writes, then closes the active file. */
  async close(): Promise<void> {
    await this.rotate().catch(() => {});
  }

  /** The single writer: takes everything queued, writes it in one go, fsyncs, settles. */
  async #drain(): Promise<void> {
    if (this.#writing) return;
    this.#writing = true;
    try {
      while (this.#queue.length) {
        const items = this.#queue.splice(0);
        let records: Extract<QueueItem<T>, { kind: "record" }>[] = [];
        for (const item of items) {
          if (item.kind === "record") {
            records.push(item);
            continue;
          }
          await this.#writeGroup(records);
          records = [];
          this.#closeActive();
          item.done.resolve();
        }
        await this.#writeGroup(records);
      }
    } finally {
      this.#writing = false;
    }
  }

  async #writeGroup(group: Extract<QueueItem<T>, { kind: "record" }>[]): Promise<void> {
    if (!group.length) return;
    const bytes = new Uint8Array(group.reduce((sum, item) => sum + item.bytes.length, 0));
    let offset = 0;
    for (const item of group) {
      bytes.set(item.bytes, offset);
      offset += item.bytes.length;
    }
    try {
      const segment = await this.#activeSegment(group[0].entry.record.seq);
      // A synchronous write into the page cache takes microseconds; the asynchronous one cost a
      // round trip through the blocking thread pool per group, which on a busy machine was a
      // third of the time a delivery waited for its acknowledgement. The fsync stays async.
      let written = 0;
      while (written < bytes.length) written += segment.file!.writeSync(bytes.subarray(written));
      await segment.file!.syncData();
      segment.entries.push(...group.map((item) => item.entry));
    } catch (error) {
      // Part of the group may be on disk: close the segment so no later record follows a torn
      // one (reading stops at the first unreadable line). The group is not acknowledged.
      this.#closeActive();
      for (const item of group) item.done.reject(error);
      return;
    }
    for (const item of group) item.done.resolve();
  }

  async #activeSegment(firstSeq: number): Promise<Segment<T>> {
    if (this.#active) return this.#active;
    const path = join(this.dir, `wal-${String(firstSeq).padStart(12, "0")}.log`);
    const file = await Deno.open(path, { write: true, createNew: true });
    // The new file's directory entry must be durable too, or a crash could lose the file.
    await syncDirectory(this.dir);
    this.#active = { path, entries: [], file };
    return this.#active;
  }

  #closeActive(): void {
    const active = this.#active;
    if (!active) return;
    active.file?.close();
    active.file = undefined;
    this.#active = undefined;
    this.#closed.push(active);
  }
}

/** fsync of a directory, so a file created in it survives a crash. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await Deno.open(dir, { read: true });
  try {
    await handle.sync();
  } finally {
    handle.close();
  }
}

async function segmentNames(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && SEGMENT.test(entry.name)) names.push(entry.name);
  }
  return names.sort();
}

/** The records of a segment up to the first unreadable line (a torn, unacknowledged write). */
export function parseSegment(text: string): WalRecord[] {
  const records: WalRecord[] = [];
  const lines = text.split("\n");
  // The part after the last newline is a write cut short: never a whole record.
  lines.pop();
  for (const line of lines) {
    let record: WalRecord;
    try {
      record = JSON.parse(line);
    } catch {
      break;
    }
    if (!isRecord(record)) break;
    records.push(record);
  }
  return records;
}

function isRecord(value: unknown): value is WalRecord {
  const record = value as WalRecord;
  return typeof record === "object" && record !== null && Number.isSafeInteger(record.seq) &&
    typeof record.receivedAt === "string" && typeof record.body === "string" &&
    typeof record.headers === "object" && record.headers !== null &&
    (record.id === undefined || typeof record.id === "string");
}

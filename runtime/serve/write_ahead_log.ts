/**
 * The write-ahead log of `dvt serve`: a delivery is acknowledged only after its record is in a
 * segment file under `<out>/.dvt/serve/` and fsynced. Concurrent appends share one write and one
 * fsync (group commit), so throughput does not pay one fsync per request.
 *
 * Segments are `wal-<n>.log`, `n` increasing from one segment to the next (they sort in log
 * order; a segment created when needed is numbered by its first record's seq). A flush rotates: the active segment is closed
 * and later records go to a new one, so the records a flush folds are exactly those of the closed
 * segments, which it deletes once they are published. A crash can tear only the last record of a
 * segment (a record that was never acknowledged); reading stops there.
 *
 * The next segment is created ahead, in the background, as soon as the active one is taken:
 * creating a file durably takes a directory fsync, which on ext4 waits for a journal commit that
 * carries whatever the fold is writing meanwhile (Parquet, `extract.duckdb`). Created on demand,
 * it held the first group of deliveries after every rotation, and every delivery queued behind
 * that group, for as long (20-200 ms measured under load, twice a second at 2,000 deliveries/s).
 * A spare left empty by a crash holds no record and is deleted at the next start.
 *
 * The log keeps in memory only each pending record's position and delivery id: the bodies stay
 * in the segment files until the fold reads them back ({@linkcode readLogged}).
 * Pending deliveries held on the JavaScript heap for the 0.5-1 s until their fold made every
 * young-generation collection of the thread that acknowledges copy them (scavenges of 10-55 ms,
 * the tail of the acknowledgement latency). The record format (see wal_record.ts) carries the
 * raw body bytes, so appending one does not re-encode the body either.
 *
 * @module
 */
import { join } from "node:path";
import { encodeRecord, parseSegment, type WalRecord } from "./wal_record.ts";

export { parseSegment, type WalRecord } from "./wal_record.ts";

/** What the log keeps of a pending record: where it is and which delivery it is. */
export interface WalEntry {
  seq: number;
  id?: string;
}

/** Records of one segment file, by position. */
export interface LoggedSegment {
  path: string;
  seqs: number[];
}

/** A segment found on disk at start-up, with its readable records. */
export interface RecoveredSegment {
  path: string;
  records: WalRecord[];
}

interface Segment {
  path: string;
  entries: WalEntry[];
  file?: Deno.FsFile;
}

type QueueItem =
  | { kind: "record"; entry: WalEntry; bytes: Uint8Array; done: Settle }
  | { kind: "rotate"; done: Settle };

interface Settle {
  resolve: () => void;
  reject: (error: unknown) => void;
}

const SEGMENT = /^wal-(\d+)\.log$/;

/** Appends records durably; see the module documentation. */
export class WriteAheadLog {
  readonly dir: string;
  #nextSeq: number;
  #active?: Segment;
  /** Closed segments whose records are not yet published, oldest first. */
  #closed: Segment[] = [];
  #queue: QueueItem[] = [];
  #queuedRecords = 0;
  #writing = false;
  /** The next segment, created ahead (undefined when creating it failed: then on demand). */
  #spare?: Promise<Segment | undefined>;
  /** The highest segment number used so far, so names keep increasing. */
  #lastSegmentNumber: number;

  private constructor(dir: string, nextSeq: number, lastSegmentNumber: number) {
    this.dir = dir;
    this.#nextSeq = nextSeq;
    this.#lastSegmentNumber = lastSegmentNumber;
  }

  /**
   * Opens the log in `dir` and returns the records of the segments already there (to replay).
   * `minNextSeq` is where numbering continues at least (the highest seq published, plus one).
   */
  static async open(
    dir: string,
    minNextSeq: number,
  ): Promise<{ wal: WriteAheadLog; recovered: RecoveredSegment[] }> {
    await Deno.mkdir(dir, { recursive: true });
    const recovered: RecoveredSegment[] = [];
    let lastSegmentNumber = 0;
    for (const name of await segmentNames(dir)) {
      lastSegmentNumber = Math.max(lastSegmentNumber, Number(SEGMENT.exec(name)![1]));
      const path = join(dir, name);
      recovered.push({ path, records: parseSegment(await Deno.readFile(path)) });
    }
    let lastSeq = 0;
    for (const segment of recovered) {
      for (const record of segment.records) lastSeq = Math.max(lastSeq, record.seq);
    }
    const nextSeq = Math.max(minNextSeq, lastSeq + 1);
    return { wal: new WriteAheadLog(dir, nextSeq, lastSegmentNumber), recovered };
  }

  /** Takes over a recovered segment as closed, with the entries still to publish. */
  adopt(path: string, entries: WalEntry[]): void {
    this.#closed.push({ path, entries });
  }

  /** Records not yet published (durable, or being written). */
  get pending(): number {
    let pending = this.#queuedRecords + (this.#active?.entries.length ?? 0);
    for (const segment of this.#closed) pending += segment.entries.length;
    return pending;
  }

  /** Appends a record (its seq assigned here); resolves once it is on disk and fsynced. */
  append(record: Omit<WalRecord, "seq">): Promise<WalEntry> {
    const entry: WalEntry = { seq: this.#nextSeq++, id: record.id };
    const bytes = encodeRecord({ seq: entry.seq, ...record });
    return new Promise((resolve, reject) => {
      const done = { resolve: () => resolve(entry), reject };
      this.#queue.push({ kind: "record", entry, bytes, done });
      this.#queuedRecords++;
      this.#drain();
    });
  }

  /**
   * Closes the active segment (after the records queued before this call are durable) and
   * returns every entry of the closed segments not yet published, in log order.
   */
  async rotate(): Promise<WalEntry[]> {
    await new Promise<void>((resolve, reject) => {
      this.#queue.push({ kind: "rotate", done: { resolve, reject } });
      this.#drain();
    });
    return this.#closed.flatMap((segment) => segment.entries);
  }

  /**
   * Where the records of `entries` (closed ones, from {@linkcode rotate}) are: their segment
   * files and positions, for {@linkcode readLogged} (the fold reads them back there).
   */
  located(entries: readonly WalEntry[]): LoggedSegment[] {
    const wanted = new Set(entries.map((entry) => entry.seq));
    const located: LoggedSegment[] = [];
    for (const segment of this.#closed) {
      const seqs = segment.entries.map((entry) => entry.seq).filter((seq) => wanted.has(seq));
      if (seqs.length) located.push({ path: segment.path, seqs });
    }
    return located;
  }

  /** Deletes the closed segments: their records are published. Call after {@linkcode rotate}. */
  async commit(entries: readonly WalEntry[]): Promise<void> {
    const published = new Set(entries);
    const done = this.#closed.filter((s) => s.entries.every((e) => published.has(e)));
    for (const segment of done) {
      await Deno.remove(segment.path).catch((error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
    }
    this.#closed = this.#closed.filter((s) => !done.includes(s));
  }

  /** Waits for queued writes, then closes the active file and removes the unused spare. */
  async close(): Promise<void> {
    await this.rotate().catch(() => {});
    const spare = await this.#spare;
    this.#spare = undefined;
    if (!spare) return;
    spare.file?.close();
    await Deno.remove(spare.path).catch(() => {});
  }

  /** The single writer: takes everything queued, writes it in one go, fsyncs, settles. */
  async #drain(): Promise<void> {
    if (this.#writing) return;
    this.#writing = true;
    try {
      while (this.#queue.length) {
        const items = this.#queue.splice(0);
        let records: Extract<QueueItem, { kind: "record" }>[] = [];
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

  async #writeGroup(group: Extract<QueueItem, { kind: "record" }>[]): Promise<void> {
    if (!group.length) return;
    const bytes = new Uint8Array(group.reduce((sum, item) => sum + item.bytes.length, 0));
    let offset = 0;
    for (const item of group) {
      bytes.set(item.bytes, offset);
      offset += item.bytes.length;
    }
    try {
      const segment = await this.#activeSegment(group[0].entry.seq);
      // A synchronous write into the page cache takes microseconds; the asynchronous one cost a
      // round trip through the blocking thread pool per group, which on a busy machine was a
      // third of the time a delivery waited for its acknowledgement. The fsync stays async.
      let written = 0;
      while (written < bytes.length) written += segment.file!.writeSync(bytes.subarray(written));
      await segment.file!.syncData();
      for (const item of group) segment.entries.push(item.entry);
    } catch (error) {
      // Part of the group may be on disk: close the segment so no later record follows a torn
      // one (reading stops at the first unreadable record). The group is not acknowledged.
      this.#queuedRecords -= group.length;
      this.#closeActive();
      for (const item of group) item.done.reject(error);
      return;
    }
    this.#queuedRecords -= group.length;
    for (const item of group) item.done.resolve();
  }

  async #activeSegment(firstSeq: number): Promise<Segment> {
    if (this.#active) return this.#active;
    const spare = await this.#spare;
    this.#spare = undefined;
    this.#active = spare ?? await this.#createSegment(firstSeq);
    // Created while this one fills, off the path of the acknowledgements (see the module doc).
    this.#spare = this.#createSegment().catch(() => undefined);
    return this.#active;
  }

  /** A new, empty segment whose directory entry is durable. */
  async #createSegment(firstSeq = this.#nextSeq): Promise<Segment> {
    const number = Math.max(firstSeq, this.#lastSegmentNumber + 1);
    this.#lastSegmentNumber = number;
    const path = join(this.dir, `wal-${String(number).padStart(12, "0")}.log`);
    const file = await Deno.open(path, { write: true, createNew: true });
    try {
      // The new file's directory entry must be durable too, or a crash could lose the file.
      await syncDirectory(this.dir);
    } catch (error) {
      file.close();
      throw error;
    }
    return { path, entries: [], file };
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

/**
 * The records `segments` name, read back from their files, in log order. Records a segment
 * holds that are not named (folded already, or written by a group whose fsync failed and so
 * never acknowledged) are left out; a named one that is missing fails the read.
 */
export async function readLogged(segments: readonly LoggedSegment[]): Promise<WalRecord[]> {
  const records: WalRecord[] = [];
  for (const { path, seqs } of segments) {
    const wanted = new Set(seqs);
    for (const record of parseSegment(await Deno.readFile(path))) {
      if (wanted.delete(record.seq)) records.push(record);
    }
    if (wanted.size) {
      throw new Error(
        `the write-ahead log ${path} lacks ${wanted.size} acknowledged records (first: #${
          Math.min(...wanted)
        }); its file was changed by something else than dvt serve`,
      );
    }
  }
  return records;
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

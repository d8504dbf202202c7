/**
 * The delivery ids `dvt serve` has published, kept in `<out>/.dvt/serve/deliveries.log` so a
 * sender's retry of a delivery is answered 2xx and written once, also after a restart. One
 * JSON line per flush (`{"seq":<last seq>,"ids":[...]}`), appended and fsynced after the flush
 * is published; the file is compacted (rewritten atomically) when it grows. Only the most
 * recent ids are kept: retries of one delivery come within hours, not after
 * {@linkcode DEFAULT_LEDGER_SIZE} later deliveries.
 *
 * @module
 */
import { writeFileAtomic } from "../util/atomic_write.ts";

/** How many delivery ids are remembered. */
export const DEFAULT_LEDGER_SIZE = 200_000;

/** Lines appended before the file is compacted. */
const COMPACT_AFTER_LINES = 1_000;

const encoder = new TextEncoder();

/** Published delivery ids; see the module documentation. */
export class DeliveryLedger {
  readonly path: string;
  readonly #limit: number;
  /** Insertion-ordered, so the oldest ids are forgotten first. */
  readonly #ids = new Set<string>();
  #lastSeq = 0;
  #lines = 0;

  private constructor(path: string, limit: number) {
    this.path = path;
    this.#limit = limit;
  }

  /** Loads the ledger (an absent file is empty; a torn last line is ignored). */
  static async open(path: string, limit = DEFAULT_LEDGER_SIZE): Promise<DeliveryLedger> {
    const ledger = new DeliveryLedger(path, limit);
    let text = "";
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    const lines = text.split("\n");
    lines.pop();
    for (const line of lines) {
      let entry: { seq?: unknown; ids?: unknown };
      try {
        entry = JSON.parse(line);
      } catch {
        break;
      }
      if (!Number.isSafeInteger(entry.seq) || !Array.isArray(entry.ids)) break;
      ledger.#remember(entry.seq as number, entry.ids.map(String));
      ledger.#lines++;
    }
    return ledger;
  }

  /** Whether a delivery with this id was published. */
  has(id: string): boolean {
    return this.#ids.has(id);
  }

  /** The highest log position recorded as published. */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Records the ids of a published flush (up to `seq`) durably. */
  async record(seq: number, ids: readonly string[]): Promise<void> {
    this.#remember(seq, ids);
    if (this.#lines >= COMPACT_AFTER_LINES) return await this.#compact();
    const file = await Deno.open(this.path, { append: true, create: true });
    try {
      const bytes = encoder.encode(`${JSON.stringify({ seq, ids })}\n`);
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      await file.syncData();
    } finally {
      file.close();
    }
    this.#lines++;
  }

  #remember(seq: number, ids: readonly string[]): void {
    this.#lastSeq = Math.max(this.#lastSeq, seq);
    for (const id of ids) {
      this.#ids.delete(id);
      this.#ids.add(id);
    }
    for (const oldest of this.#ids) {
      if (this.#ids.size <= this.#limit) break;
      this.#ids.delete(oldest);
    }
  }

  async #compact(): Promise<void> {
    await writeFileAtomic(
      this.path,
      `${JSON.stringify({ seq: this.#lastSeq, ids: [...this.#ids] })}\n`,
    );
    this.#lines = 1;
  }
}

/**
 * One snapshot for the reader threads of a parallel read. SQLite has no snapshot that several
 * connections can share, so the main thread holds one read transaction (a SHARED lock) from
 * before the first reader starts until the last one ends: in rollback-journal mode no writer can
 * commit while a SHARED lock is held, so every reader's own read transaction sees the same data.
 * As a check, the file change counter (header offset 24, incremented by every commit in
 * rollback-journal mode) must be the same when each reader starts and ends; if not, the table
 * fails. WAL files are not read in parallel (see parallel_read.ts): a reader there does not keep
 * writers from committing.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { ConnectorError } from "../../mod.ts";

/** The file change counter of the SQLite file at `path`. */
export function changeCounter(path: string): number {
  const header = new Uint8Array(28);
  const file = Deno.openSync(path, { read: true });
  try {
    let read = 0;
    while (read < header.length) {
      const n = file.readSync(header.subarray(read));
      if (n === null) throw new Error(`${path} is shorter than a SQLite header`);
      read += n;
    }
  } finally {
    file.close();
  }
  return new DataView(header.buffer).getUint32(24);
}

/** The shared read lock of one parallel read; see the module doc. */
export class SnapshotLock {
  #db?: DatabaseSync;
  #counter?: number;
  #active = 0;

  constructor(
    private readonly path: string,
    private readonly table: string,
    private readonly openReadOnly: (path: string) => DatabaseSync,
  ) {}

  /** A reader starts: takes the lock if no reader holds it, and checks nothing changed. */
  enter(): void {
    if (!this.#db) {
      const db = this.openReadOnly(this.path);
      try {
        db.exec("BEGIN");
        // A deferred transaction takes its SHARED lock with its first read.
        db.prepare("SELECT count(*) FROM sqlite_schema").get();
      } catch (error) {
        db.close();
        throw new ConnectorError(
          `table "${this.table}": could not lock the database for a parallel read: ${
            (error as Error).message
          }`,
          { cause: error, hint: "retry when no one is writing, or set parallel: 0" },
        );
      }
      this.#db = db;
    }
    try {
      this.verify();
    } catch (error) {
      if (this.#active === 0) this.#release();
      throw error;
    }
    this.#active++;
  }

  /** A reader ended (read all or stopped); the last one releases the lock. */
  leave(): void {
    if (--this.#active === 0) this.#release();
  }

  #release(): void {
    const db = this.#db;
    if (!db) return;
    this.#db = undefined;
    try {
      db.exec("COMMIT");
    } finally {
      db.close();
    }
  }

  /** Throws when the file changed since the first reader started. */
  verify(): void {
    const counter = changeCounter(this.path);
    this.#counter ??= counter;
    if (counter !== this.#counter) {
      throw new ConnectorError(
        `table "${this.table}": ${this.path} changed during the parallel read (a writer ` +
          `committed), so its parts would not be one snapshot`,
        { hint: "retry when no one is writing to the file, or set parallel: 0" },
      );
    }
  }
}

/**
 * The sqlite connector in-process: filter and projection pushdown (checked by the SQL SQLite ran
 * and the rows it returned), and a table dropped between discover and read.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import factory from "../../../connectors/sqlite/connector.ts";
import { createConnectorContext } from "../../../runtime/connector/context.ts";
import { ConnectorError } from "../../../runtime/errors.ts";
import { PAGE_ROWS } from "../../../connectors/sqlite/page_reader.ts";
import type { BatchSource, Connector, LogFields, ReadOptions } from "../../../runtime/protocol.ts";
import { tempDir } from "../../_helpers.ts";

async function open(
  path: string,
  logged: LogFields[] = [],
  config: Record<string, unknown> = {},
): Promise<Connector> {
  const log = (_: string, fields?: LogFields) => fields && logged.push(fields);
  const ctx = createConnectorContext({
    connector: "sqlite",
    logger: { debug: log, info: log, warn: log, error: log },
  });
  return await factory(ctx, { path, ...config });
}

async function readAll(connector: Connector, table: string, options: Partial<ReadOptions> = {}) {
  const rows: Record<string, unknown>[] = [];
  for await (const batch of connector.read!(table, { batchSize: 2, ...options })) {
    for (const row of batch) rows.push(row!.toJSON());
  }
  return rows;
}

Deno.test("sqlite: filters and projection run inside SQLite", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/p.db`;
  const db = new DatabaseSync(path);
  db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, status TEXT, at DATETIME, note TEXT);
    INSERT INTO t VALUES (1, 'paid', '2026-01-01 00:00:00', 'a'), (2, 'open', '2026-01-02 00:00:00', 'b'),
      (3, 'paid', '2026-01-03T00:00:00Z', 'c'), (4, 'void', NULL, 'd');`);
  db.close();
  const logged: LogFields[] = [];
  const connector = await open(path, logged);
  const rows = await readAll(connector, "t", {
    columns: ["id", "status"],
    filter: {
      status: { in: ["paid", "void"] },
      id: { "<": 4 },
      at: { ">=": "2026-01-02T00:00:00Z" },
    },
  });
  assert.deepEqual(rows, [{ id: 3n, status: "paid" }]);
  const sql = String(logged.find((fields) => fields.sql)?.sql);
  // "id" is the rowid (INTEGER PRIMARY KEY): pages are keyed by it, no extra rowid column.
  assert.match(sql, /^SELECT "id", "status" FROM "t" WHERE /);
  assert.match(sql, /"status" = 'paid' OR "status" = 'void'/);
  assert.match(sql, /"id" < 4/);
  assert.match(sql, /strftime\('%Y-%m-%d %H:%M:%f', "at"\) >= strftime/);
  const nulls = await readAll(connector, "t", { columns: ["id"], filter: { at: { "=": null } } });
  assert.deepEqual(nulls, [{ id: 4n }]);
  await connector.close?.();
});

// Regression: node:sqlite iterate() returned no rows here instead of the error.
Deno.test("sqlite: a table dropped between discover and read fails that read clearly", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/d.db`;
  const db = new DatabaseSync(path);
  db.exec("CREATE TABLE gone (x INT); INSERT INTO gone VALUES (1);");
  const connector = await open(path);
  assert.equal((await connector.discover!()).length, 1);
  db.exec("DROP TABLE gone");
  db.close();
  await assert.rejects(() => readAll(connector, "gone"), (error: Error) => {
    assert.ok(error instanceof ConnectorError);
    assert.match(error.message, /table "gone": .*no such table: gone/);
    return true;
  });
  // The runtime asks for parallel parts first: that fails the same way.
  await assert.rejects(async () => await connector.readParts!("gone", { batchSize: 10 }), (
    error: Error,
  ) => {
    assert.ok(error instanceof ConnectorError);
    assert.match(error.message, /table "gone": .*no such table: gone/);
    return true;
  });
  await connector.close?.();
});

// A page is PAGE_ROWS rows whatever the batch size: batches smaller and larger than a page, over
// a table of several pages (rowid gaps, negative rowids) and a view paged by offset.
Deno.test("sqlite: tables and views of several pages come back whole and in rowid order", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/pages.db`;
  const rows = PAGE_ROWS * 2 + 7;
  const db = new DatabaseSync(path);
  db.exec(`CREATE TABLE t (n INT, s TEXT);
    WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${rows})
    INSERT INTO t (rowid, n, s) SELECT i * 3 - 1000, i, 'v' || i FROM s;
    CREATE VIEW v AS SELECT n, s FROM t WHERE n % 2 = 0;`);
  db.close();
  const connector = await open(path);
  for (const batchSize of [1000, PAGE_ROWS, 50_000]) {
    const table = await readAll(connector, "t", { batchSize });
    assert.equal(table.length, rows);
    assert.deepEqual(
      table.map((row) => Number(row.n)),
      Array.from({ length: rows }, (_, i) => i + 1),
    );
    assert.deepEqual(table[rows - 1], { n: BigInt(rows), s: `v${rows}` });
    const view = await readAll(connector, "v", { batchSize });
    assert.equal(view.length, Math.floor(rows / 2));
    assert.equal(view.at(-1)!.n, BigInt(rows - 1));
  }
  await connector.close?.();
});

function openWith(path: string, config: Record<string, unknown>): Promise<Connector> {
  return open(path, [], config);
}

async function readSources(sources: BatchSource[]): Promise<Record<string, unknown>[][]> {
  return await Promise.all(sources.map(async (source) => {
    const rows: Record<string, unknown>[] = [];
    for await (const batch of source) for (const row of batch) rows.push(row!.toJSON());
    return rows;
  }));
}

function createPages(path: string, rows: number, journal = "DELETE"): void {
  const db = new DatabaseSync(path);
  db.exec(`PRAGMA journal_mode = ${journal};
    CREATE TABLE t (n INT, s TEXT, at DATETIME, d DECIMAL(10,2));
    WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${rows})
    INSERT INTO t (rowid, n, s, at, d) SELECT CASE WHEN i % 7 = 0 THEN -i ELSE i * 5 END, i,
      'v' || i, datetime(1700000000 + i, 'unixepoch'), i / 4.0 FROM s;`);
  db.close();
}

Deno.test("sqlite: a parallel read returns exactly the rows of read(), with projection, filter and cursor", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/par.db`;
  createPages(path, PAGE_ROWS * 3 + 11);
  const single = await openWith(path, { parallel: 0 });
  const parallel = await openWith(path, { parallel: 3 });
  const cases: Partial<ReadOptions>[] = [
    {},
    { columns: ["s", "n"], filter: { n: { ">": 100 } } },
    { incrementalKey: "at", incrementalValue: "2023-11-14T22:30:00Z", batchSize: 999 },
  ];
  for (const options of cases) {
    assert.deepEqual(await single.readParts!("t", { batchSize: 1000, ...options }), []);
    const sources = await parallel.readParts!("t", { batchSize: 1000, ...options });
    assert.equal(sources.length, 1);
    const [rows] = await readSources(sources);
    const expected = await readAll(single, "t", { batchSize: 1000, ...options });
    assert.ok(expected.length > 1000);
    assert.deepEqual(rows, expected);
  }
  await single.close?.();
  await parallel.close?.();
});

Deno.test("sqlite: small tables, views and WAL databases are not split by default", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/small.db`;
  createPages(path, 100);
  const db = new DatabaseSync(path);
  db.exec("CREATE VIEW v AS SELECT n FROM t");
  db.close();
  const connector = await openWith(path, {});
  assert.deepEqual(await connector.readParts!("t", { batchSize: 10 }), []);
  await connector.close?.();
  const forced = await openWith(path, { parallel: 2 });
  assert.deepEqual(await forced.readParts!("v", { batchSize: 10 }), []);
  const [rows] = await readSources(await forced.readParts!("t", { batchSize: 10 }));
  assert.equal(rows.length, 100);
  await forced.close?.();
  const wal = `${dir.path}/wal.db`;
  createPages(wal, 100, "WAL");
  const walConnector = await openWith(wal, { parallel: 2 });
  assert.deepEqual(await walConnector.readParts!("t", { batchSize: 10 }), []);
  assert.equal((await readAll(walConnector, "t", { batchSize: 10 })).length, 100);
  await walConnector.close?.();
});

Deno.test("sqlite: a parallel read holds one snapshot: writers wait, and a file changed anyway fails the table", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/lock.db`;
  createPages(path, PAGE_ROWS * 2);
  const connector = await openWith(path, { parallel: 2 });
  const [source] = await connector.readParts!("t", { batchSize: 100 }) as AsyncIterable<
    unknown
  >[];
  const iterator = source[Symbol.asyncIterator]();
  assert.equal((await iterator.next()).done, false);
  const writer = new DatabaseSync(path);
  assert.throws(() => writer.exec("INSERT INTO t (n) VALUES (-1)"), /database is locked/);
  writer.close();
  // A writer that ignores SQLite's locks: bump the file change counter (header offset 24).
  const file = await Deno.open(path, { read: true, write: true });
  const header = new Uint8Array(28);
  await file.read(header);
  const view = new DataView(header.buffer);
  view.setUint32(24, view.getUint32(24) + 1);
  await file.seek(0, Deno.SeekMode.Start);
  await file.write(header);
  file.close();
  await assert.rejects(
    async () => {
      while (!(await iterator.next()).done) { /* drain */ }
    },
    (error: Error) => {
      assert.ok(error instanceof ConnectorError);
      assert.match(error.message, /changed during the parallel read/);
      return true;
    },
  );
  // The lock is released once the read ended: writers commit again.
  const after = new DatabaseSync(path);
  after.exec("INSERT INTO t (n) VALUES (-1)");
  after.close();
  await connector.close?.();
});

// An INTEGER PRIMARY KEY is the rowid, and pages are keyed by it; `INTEGER PRIMARY KEY DESC` is
// not (SQLite keeps it an ordinary column), so pages must use the real rowid there.
Deno.test("sqlite: pages keyed by an INTEGER PRIMARY KEY, and not by one declared DESC", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/keys.db`;
  const rows = PAGE_ROWS + 5;
  const long = "ü".repeat(40) + "x".repeat(70);
  const db = new DatabaseSync(path);
  db.exec(`CREATE TABLE up (id INTEGER PRIMARY KEY, s TEXT);
    CREATE TABLE down (id INTEGER PRIMARY KEY DESC, s TEXT);
    WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${rows})
    INSERT INTO up SELECT i * 2, CASE WHEN i % 1000 = 0 THEN '${long}' ELSE 'é' || i END FROM s;
    INSERT INTO down (rowid, id, s) SELECT id, ${rows * 3} - id, s FROM up;`);
  db.close();
  for (const parallel of [0, 2]) {
    const logged: LogFields[] = [];
    const connector = await open(path, logged, { parallel });
    const read = async (table: string) =>
      parallel
        ? (await readSources(await connector.readParts!(table, { batchSize: 500 }))).flat()
        : await readAll(connector, table, { batchSize: 500 });
    const up = await read("up");
    assert.equal(up.length, rows);
    assert.deepEqual(
      up.map((row) => Number(row.id)),
      Array.from({ length: rows }, (_, i) => 2 * i + 2),
    );
    assert.equal(up[999].s, long);
    assert.equal(up[1].s, "é2");
    const down = await read("down");
    assert.deepEqual(down.map((row) => Number(row.id)), up.map((row) => rows * 3 - Number(row.id)));
    const sql = logged.map((fields) => String(fields.sql));
    assert.ok(sql.some((text) => text.startsWith('SELECT "id", "s" FROM "up"')), sql.join("\n"));
    assert.ok(
      sql.some((text) => text.startsWith('SELECT rowid, "id", "s" FROM "down"')),
      sql.join("\n"),
    );
    await connector.close?.();
  }
});

// Pages are separate statements; one read transaction per read() makes them one snapshot. Before,
// rows committed between two pages showed up in (or vanished from) the rest of the read.
Deno.test("sqlite: read() sees one snapshot across its pages, in WAL and rollback-journal files", async () => {
  await using dir = await tempDir();
  for (const journal of ["WAL", "DELETE"]) {
    const path = `${dir.path}/snap_${journal}.db`;
    createPages(path, PAGE_ROWS * 3, journal);
    const connector = await openWith(path, { parallel: 0 });
    const expected = await readAll(connector, "t", { batchSize: 100 });
    type Rows = Iterable<{ toJSON(): Record<string, unknown> } | null>;
    const source = connector.read!("t", { batchSize: 100 }) as AsyncIterable<Rows>;
    const iterator = source[Symbol.asyncIterator]();
    const rows: Record<string, unknown>[] = [];
    for (const row of (await iterator.next()).value as Rows) rows.push(row!.toJSON());
    const write = () => {
      const writer = new DatabaseSync(path);
      try {
        writer.exec(`BEGIN; UPDATE t SET s = 'changed' WHERE n = ${PAGE_ROWS * 3};
          INSERT INTO t (rowid, n) VALUES (9223372036854775807, -1); COMMIT`);
      } finally {
        writer.close();
      }
    };
    if (journal === "WAL") write(); // WAL: the writer commits, the reader keeps its snapshot
    else assert.throws(write, /database is locked/); // rollback journal: writers wait
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      for (const row of next.value) rows.push(row!.toJSON());
    }
    assert.deepEqual(rows, expected);
    if (journal !== "WAL") write(); // the lock ends with the read
    assert.equal((await readAll(connector, "t", { batchSize: 1000 })).length, expected.length + 1);
    await connector.close?.();
  }
});

import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { queryDuckDB, tempDir } from "../../_helpers.ts";
import { ConnectorRuntime } from "../../../runtime/extract/runtime.ts";
import {
  batchOf,
  memoryConnector,
  ordersTable,
  schemaOf,
} from "../../fixtures/runtime/connectors.ts";

type Order = { id: number; amount: number; updated_at: Date };
const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 12, minute, 0, 123));

async function readState(out: string) {
  return JSON.parse(await Deno.readTextFile(`${out}/.dvt/state.json`));
}

Deno.test("run() advances the incremental cursor across three runs and appends", async () => {
  await using dir = await tempDir();
  let source: Order[] = [{ id: 1, amount: 10, updated_at: at(1) }, {
    id: 2,
    amount: 20,
    updated_at: at(2),
  }];
  const { connector, calls } = memoryConnector([ordersTable(() => source)]);
  const runtime = new ConnectorRuntime(dir.path);
  const options = { incremental: { orders: "updated_at" } };

  const first = await runtime.run(connector, options);
  assert.equal(calls[0].options.incrementalValue, undefined);
  const [orders] = first.tables;
  assert.equal(orders.status === "extracted" && orders.cursor, "2026-03-01T12:02:00.123Z");
  assert.equal((await readState(dir.path)).tables.orders.cursorValue, "2026-03-01T12:02:00.123Z");

  source = [...source, { id: 3, amount: 30, updated_at: at(3) }];
  const second = await runtime.run(connector, options);
  assert.equal(calls[1].options.incrementalKey, "updated_at");
  assert.equal(calls[1].options.incrementalValue, "2026-03-01T12:02:00.123Z");
  assert.equal(second.totalRows, 1);

  source = [...source, { id: 4, amount: 40, updated_at: at(9) }, {
    id: 5,
    amount: 50,
    updated_at: at(7),
  }];
  await runtime.run(connector, options);
  assert.equal(calls[2].options.incrementalValue, "2026-03-01T12:03:00.123Z");
  assert.equal((await readState(dir.path)).tables.orders.cursorValue, "2026-03-01T12:09:00.123Z");

  const db = `${dir.path}/extract.duckdb`;
  const rows = await queryDuckDB(db, "SELECT id, amount FROM orders ORDER BY id");
  assert.deepEqual(rows, source.map((o) => ({ id: o.id, amount: o.amount })));
  const meta = await queryDuckDB(
    db,
    "SELECT rows::INT AS rows, cursor_value, disposition FROM _meta",
  );
  assert.deepEqual(meta, [{
    rows: 5,
    cursor_value: "2026-03-01T12:09:00.123Z",
    disposition: "append",
  }]);

  // A run with nothing new keeps data and cursor.
  await runtime.run(connector, options);
  assert.equal(calls[3].options.incrementalValue, "2026-03-01T12:09:00.123Z");
  assert.equal((await queryDuckDB(db, "SELECT count(*)::INT AS n FROM orders"))[0].n, 5);

  // Full refresh ignores the cursor and replaces.
  const full = await runtime.run(connector, { ...options, fullRefresh: true });
  assert.equal(calls[4].options.incrementalValue, undefined);
  assert.equal(full.totalRows, 5);
  assert.equal((await queryDuckDB(db, "SELECT count(*)::INT AS n FROM orders"))[0].n, 5);
});

Deno.test("run() recovers cursors from _meta when state.json is behind the catalog", async () => {
  await using dir = await tempDir();
  const source: Order[] = [{ id: 1, amount: 10, updated_at: at(1) }];
  const { connector, calls } = memoryConnector([ordersTable(() => source)]);
  const runtime = new ConnectorRuntime(dir.path);
  await runtime.run(connector, { incremental: { orders: "updated_at" } });
  await Deno.remove(`${dir.path}/.dvt/state.json`);
  await runtime.run(connector, { incremental: { orders: "updated_at" } });
  assert.equal(calls[1].options.incrementalValue, "2026-03-01T12:01:00.123Z");
});

Deno.test("run() merges on the primary key, newest row wins", async () => {
  await using dir = await tempDir();
  let source: Order[] = [{ id: 1, amount: 10, updated_at: at(1) }, {
    id: 2,
    amount: 20,
    updated_at: at(2),
  }];
  const { connector } = memoryConnector([ordersTable(() => source)]);
  const runtime = new ConnectorRuntime(dir.path);
  const options = {
    incremental: { orders: "updated_at" },
    disposition: { orders: "merge" as const },
  };
  await runtime.run(connector, options);
  source = [...source, { id: 2, amount: 25, updated_at: at(5) }, {
    id: 3,
    amount: 30,
    updated_at: at(6),
  }];
  await runtime.run(connector, options);
  const db = `${dir.path}/extract.duckdb`;
  assert.deepEqual(await queryDuckDB(db, "SELECT id, amount FROM orders ORDER BY id"), [
    { id: 1, amount: 10 },
    { id: 2, amount: 25 },
    { id: 3, amount: 30 },
  ]);
  assert.equal((await queryDuckDB(db, "SELECT rows::INT AS n FROM _meta"))[0].n, 3);
});

Deno.test("run() fails merge without a primary key for that table only", async () => {
  await using dir = await tempDir();
  const schema = schemaOf({ id: new arrow.Int32() });
  const { connector } = memoryConnector([
    {
      info: { name: "nokey", schema },
      *batches() {
        yield batchOf({ id: { type: new arrow.Int32(), values: [1] } });
      },
    },
    {
      info: { name: "other", schema },
      *batches() {
        yield batchOf({ id: { type: new arrow.Int32(), values: [1] } });
      },
    },
  ]);
  const result = await new ConnectorRuntime(dir.path).run(connector, {
    disposition: { nokey: "merge" },
  });
  assert.equal(result.tablesFailed, 1);
  assert.match(result.errors[0].message, /cannot be merged: it has no primary key/);
  assert.equal(result.tablesExtracted, 1);
});

Deno.test("run() appends without a cursor when told to", async () => {
  await using dir = await tempDir();
  const schema = schemaOf({ id: new arrow.Int32() });
  let next = 0;
  const { connector } = memoryConnector([
    {
      info: { name: "events", schema },
      *batches() {
        yield batchOf({ id: { type: new arrow.Int32(), values: [++next] } });
      },
    },
  ]);
  const runtime = new ConnectorRuntime(dir.path);
  for (let i = 0; i < 3; i++) await runtime.run(connector, { disposition: { events: "append" } });
  const rows = await queryDuckDB(`${dir.path}/extract.duckdb`, "SELECT id FROM events ORDER BY id");
  assert.deepEqual(rows, [{ id: 1 }, { id: 2 }, { id: 3 }]);
});

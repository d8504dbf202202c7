/**
 * History tables over 50 incremental runs (in-process): the number of files stays bounded by
 * compaction, closed versions never change (compaction rewrites them identically), and every
 * version matches a model of the source kept by the test.
 */
import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { queryDuckDB, tempDir } from "../../_helpers.ts";
import { ConnectorRuntime } from "../../../runtime/extract/runtime.ts";
import { MAX_CLOSED_PARTS } from "../../../runtime/extract/history.ts";
import { Cap, type Connector } from "../../../runtime/protocol.ts";

const RUNS = 50;
const KEYS = 12;

interface Row {
  id: number;
  value: string;
  updated_at: number;
  deleted: boolean;
}

const schema = new arrow.Schema([
  new arrow.Field("id", new arrow.Int32(), false),
  new arrow.Field("value", new arrow.Utf8(), true),
  new arrow.Field("updated_at", new arrow.Int32(), false),
  new arrow.Field("deleted", new arrow.Bool(), false),
]);

/** A source whose incremental read returns rows with updated_at >= the cursor (inclusive). */
function sourceOf(rows: () => Row[]): Connector {
  return {
    capabilities: Cap.DISCOVER | Cap.READ,
    discover: () => [{
      name: "t",
      schema,
      capabilities: Cap.READ,
      primaryKey: ["id"],
      deletedFlag: "deleted",
    }],
    *read(_table, options) {
      const since = Number(options.incrementalValue ?? -1);
      const picked = rows().filter((row) => row.updated_at >= since);
      yield new arrow.Table({
        id: arrow.vectorFromArray(picked.map((r) => r.id), new arrow.Int32()),
        value: arrow.vectorFromArray(picked.map((r) => r.value), new arrow.Utf8()),
        updated_at: arrow.vectorFromArray(picked.map((r) => r.updated_at), new arrow.Int32()),
        deleted: arrow.vectorFromArray(picked.map((r) => r.deleted), new arrow.Bool()),
      }).batches[0];
    },
  };
}

/** A version as the model expects it: values and the runs it is valid from and to. */
type Version = [id: number, value: string, from: number, to: number | null];

/** The model: every version of every key, given the rows each run changes. */
class Model {
  rows = new Map<number, Row>();
  versions: Version[] = [];

  apply(run: number, changes: Row[]): void {
    for (const row of changes) {
      this.rows.set(row.id, row);
      const open = this.versions.find((v) => v[0] === row.id && v[3] === null);
      if (open && !row.deleted && open[1] === row.value) continue;
      if (open) open[3] = run;
      if (!row.deleted) this.versions.push([row.id, row.value, run, null]);
    }
  }
}

/** What run `run` changes: one update, an unchanged row again, a delete every 5th run. */
function changesOf(run: number, model: Model): Row[] {
  if (run === 1) {
    return Array.from({ length: KEYS }, (_, id) => ({
      id,
      value: `first ${id}`,
      updated_at: 1,
      deleted: false,
    }));
  }
  const changes: Row[] = [{ id: run % KEYS, value: `run ${run}`, updated_at: run, deleted: false }];
  if (run % 5 === 0) {
    const id = (run + 3) % KEYS;
    changes.push({ ...model.rows.get(id)!, updated_at: run, deleted: true });
  }
  return changes;
}

Deno.test("50 incremental history runs: files stay bounded, closed versions never change", async () => {
  await using dir = await tempDir();
  const database = `${dir.path}/extract.duckdb`;
  const model = new Model();
  const connector = sourceOf(() => [...model.rows.values()]);
  const runtime = new ConnectorRuntime(dir.path);
  const options = { settings: { t: { disposition: "history" as const, cursor: "updated_at" } } };
  const starts: number[][] = [];
  let compactions = 0;
  let closed: unknown[] = [];
  for (let run = 1; run <= RUNS; run++) {
    model.apply(run, changesOf(run, model));
    const before = Date.now();
    const result = await runtime.run(connector, options);
    starts.push([before, Date.now()]);
    assert.equal(result.tablesFailed, 0, JSON.stringify(result.errors));
    const [meta] = await queryDuckDB(database, "SELECT data_files FROM _meta");
    const files: string[] = JSON.parse(String(meta.data_files));
    assert.ok(files.length <= MAX_CLOSED_PARTS + 1, `run ${run}: ${files.length} files`);
    if (files.some((file) => file.endsWith("-compact.parquet") && file.includes(result.runId))) {
      compactions++;
    }
    // Closed versions are never rewritten differently, compacted or not.
    const nowClosed = await queryDuckDB(
      database,
      "SELECT * FROM t WHERE NOT _dvt_is_current ORDER BY id, _dvt_valid_from",
    );
    for (const version of closed) {
      assert.ok(
        nowClosed.some((row) => JSON.stringify(row, big) === JSON.stringify(version, big)),
        `run ${run} lost or changed ${JSON.stringify(version, big)}`,
      );
    }
    closed = nowClosed;
  }
  assert.ok(compactions >= 2, `compacted ${compactions} times`);
  const runOf = (at: Date | null) => {
    if (at === null) return null;
    const index = starts.findIndex(([lo, hi]) => lo <= at.getTime() && at.getTime() <= hi);
    assert.ok(index >= 0, `${at.toISOString()} is no run's start`);
    return index + 1;
  };
  const rows = await queryDuckDB(
    database,
    "SELECT id, value, _dvt_valid_from AS f, _dvt_valid_to AS t FROM t ORDER BY id, f",
  );
  const sorted = [...model.versions].sort((a, b) => a[0] - b[0] || a[2] - b[2]);
  assert.deepEqual(
    rows.map((r) => [r.id, r.value, runOf(r.f as Date), runOf(r.t as Date | null)]),
    sorted,
  );
  const current = await queryDuckDB(database, "SELECT id, value FROM t_current ORDER BY id");
  const live = [...model.rows.values()].filter((r) => !r.deleted).sort((a, b) => a.id - b.id);
  assert.deepEqual(current, live.map((r) => ({ id: r.id, value: r.value })));
});

/** JSON.stringify replacer for bigints and dates. */
function big(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

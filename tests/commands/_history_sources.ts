/**
 * Sources for the history (SCD type 2) and merge-delete tests: a files source over a customers
 * CSV rewritten between runs, and a connector scaffolded by `dvt connector new` whose rows come
 * from its config (as JSON), read incrementally with an inclusive cursor (rows at the last
 * cursor value come again, unchanged: no-op updates) and a declared deleted flag.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { queryDuckDB, runCli } from "../_helpers.ts";

/** One row of the scaffolded connector's `orders` table. */
export interface OrderRow {
  id: number;
  customer: string;
  amount: number;
  updated_at: string;
  deleted: boolean;
}

/**
 * Scaffolds `shop` under `dir` with `dvt connector new` and turns its sample into rows read
 * from `config.rows`, with a `deleted` column declared as the table's deleted flag.
 */
export async function scaffoldShop(dir: string): Promise<string> {
  const created = await runCli(["connector", "new", "shop", "--dir", dir]);
  assert.equal(created.code, 0, created.stderr);
  const root = join(dir, "shop");
  const file = join(root, "connector.ts");
  let code = await Deno.readTextFile(file);
  const edits: [RegExp | string, string][] = [
    ["  updated_at: string;\n}", "  updated_at: string;\n  deleted: boolean;\n}"],
    [/const SAMPLE_ORDERS: Order\[\] = \[[^]*?\n\];/, "let SAMPLE_ORDERS: Order[] = [];"],
    [
      "  const pageSize = Number(config.page_size ?? 100);",
      "  const pageSize = Number(config.page_size ?? 100);\n" +
      "  SAMPLE_ORDERS = JSON.parse(String(config.rows));",
    ],
    [
      "new arrow.Utf8()),\n    });",
      "new arrow.Utf8()),\n" +
      "      deleted: arrow.vectorFromArray(rows.map((row) => row.deleted), new arrow.Bool()),\n" +
      "    });",
    ],
    ['cursorField: "updated_at",', 'cursorField: "updated_at",\n      deletedFlag: "deleted",'],
    // Inclusive cursor: the rows at the last value are read again.
    ["row.updated_at > String(since)", "row.updated_at >= String(since)"],
    // The schema no longer comes from a non-empty sample.
    ["const schema = toTable(SAMPLE_ORDERS).schema;", "const schema = toTable([]).schema;"],
  ];
  for (const [from, to] of edits) {
    const before = code;
    code = code.replace(from, to);
    assert.notEqual(code, before, `the scaffold changed: no ${from}`);
  }
  await Deno.writeTextFile(file, code);
  const manifest = join(root, "connector.yaml");
  await Deno.writeTextFile(
    manifest,
    (await Deno.readTextFile(manifest)) +
      "  rows:\n    type: string\n    required: true\n    description: the rows as JSON\n",
  );
  return root;
}

/** A version of a row: its values, the runs (1-based) it is valid from and to, current. */
export type Version = [...values: unknown[], from: number, to: number | null, current: boolean];

/** Wall-clock bounds of each run, to map validity timestamps to run numbers. */
export class RunClock {
  readonly runs: { before: number; after: number }[] = [];

  /** Runs `work` as the next run, recording when it started and ended. */
  async time<T>(work: () => Promise<T>): Promise<T> {
    const before = Date.now();
    const result = await work();
    this.runs.push({ before, after: Date.now() });
    return result;
  }

  /** The run (1-based) whose start `at` is; fails when it is in none. */
  runOf(at: Date | null): number | null {
    if (at === null) return null;
    assert.ok(at instanceof Date, `a timestamp, found ${at}`);
    const index = this.runs.findIndex((run) =>
      run.before <= at.getTime() && at.getTime() <= run.after
    );
    assert.ok(index >= 0, `${at.toISOString()} is not the start of any run`);
    return index + 1;
  }
}

/**
 * Every version in the view `table` of `database`, as [values..., from run, to run, current],
 * ordered by the first column and validity.
 */
export async function versions(
  database: string,
  table: string,
  columns: string[],
  clock: RunClock,
): Promise<Version[]> {
  const rows = await queryDuckDB(
    database,
    `SELECT ${columns.join(", ")}, _dvt_valid_from AS f, _dvt_valid_to AS t,
       _dvt_is_current AS c FROM "${table}" ORDER BY ${columns[0]}, f`,
  );
  return rows.map((row) =>
    [
      ...columns.map((column) =>
        typeof row[column] === "bigint" ? Number(row[column]) : row[column]
      ),
      clock.runOf(row.f as Date),
      clock.runOf(row.t as Date | null),
      row.c as boolean,
    ] as Version
  );
}

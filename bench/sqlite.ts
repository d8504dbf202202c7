/**
 * `deno run -A bench/sqlite.ts [--rows N] [--repeat N]`: a SQLite file with N rows (default
 * 10,000,000) x 6 mixed columns (INTEGER PRIMARY KEY, DECIMAL(12,2), TEXT, TIMESTAMP, BOOLEAN,
 * DATE), read by `dvt extract --connector sqlite` (default: 2 reader threads at this size; and
 * `parallel=0`, all on the main thread, for comparison) against `sqlite3 -csv file "select ..."
 * > /dev/null` in the same run. Prints JSON lines (rows/s, peak RSS, ratio, targets).
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import {
  alternatingRounds,
  dvtExtract,
  emit,
  flag,
  measure,
  reportCases,
  ROOT,
} from "./_database_bench.ts";

const BENCH = "sqlite";
const rows = Number(flag("rows", "10000000"));
const repeat = Number(flag("repeat", "1"));
const dir = `${ROOT}bench/out`;
await Deno.mkdir(dir, { recursive: true });
const path = `${dir}/sqlite_${rows}.db`;

/** Creates the file once per row count (cached in bench/out/). */
function prepare(): void {
  try {
    Deno.statSync(path);
    return;
  } catch {
    emit(BENCH, { event: "generating", rows });
  }
  const temp = `${path}.part`;
  try {
    Deno.removeSync(temp);
  } catch { /* not there */ }
  const db = new DatabaseSync(temp);
  db.exec(`PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
    CREATE TABLE b (id INTEGER PRIMARY KEY, amount DECIMAL(12,2), name TEXT, ts TIMESTAMP,
      flag BOOLEAN, d DATE);
    WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${rows})
    INSERT INTO b SELECT i, round((i * 1.25) % 1000000, 2), 'name-' || i,
      strftime('%Y-%m-%d %H:%M:%f', 1600000000 + i + (i % 1000) / 1000.0, 'unixepoch'), i % 2,
      date('2020-01-01', '+' || (i % 3000) || ' days') FROM s;`);
  db.close();
  Deno.renameSync(temp, path);
}

prepare();
const out = await Deno.makeTempDir({ prefix: "dvt-bench-sqlite-" });
const runs = await alternatingRounds(repeat, {
  sqlite3_csv: () =>
    measure("sqlite3", ["-csv", path, "select id, amount, name, ts, flag, d from b"]),
  dvt_default: () => dvtExtract(["--connector", "sqlite", "--set", `path=${path}`, "--out", out]),
  // For comparison: no reader threads, everything on the main thread (config parallel: 0).
  dvt_one_thread: () =>
    dvtExtract([
      "--connector",
      "sqlite",
      "--set",
      `path=${path}`,
      "--set",
      "parallel=0",
      "--out",
      out,
    ]),
});
await Deno.remove(out, { recursive: true });
reportCases(BENCH, rows, runs, "sqlite3_csv", { dvt_default: 0.8 });

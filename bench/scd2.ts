/**
 * Benchmark of the `history` disposition (SCD type 2): one run merging `--changes` changed rows
 * (default 1M) into a `--rows`-row history (default 10M, every row current: the worst case for
 * dvt, whose runs rewrite the current part) against the same merge written as one DuckDB SQL
 * statement (`COPY (<closed versions> UNION ALL <new versions>) TO ...`) over the same Parquet,
 * each in a child process in the same run. dvt's side is what an extract does after the rows
 * are read: landHistory() (dedup per key, row hashes, the two outputs, renames, row count).
 * Both outputs are checked to hold the same versions. Prints JSON lines: each measured run
 * (wall time, peak RSS from /proc/<pid>/status VmHWM), the ratio and the RSS target.
 *
 * Usage: deno run -A bench/scd2.ts [--rows 10000000] [--changes <rows / 10>] [--repeat 1]
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { DuckDB } from "../runtime/parquet/duckdb.ts";
import { OutputLayout } from "../runtime/extract/layout.ts";
import { landHistory } from "../runtime/extract/history_table.ts";
import type { CatalogEntry } from "../runtime/extract/catalog.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const OUT = join(ROOT, "bench/out");
/** The run's start, fixed so both sides write the same timestamps. */
const RUN_START = "2026-06-01T00:00:00.000Z";
const FIRST_LOAD = "2026-01-01T00:00:00.000Z";
const SOURCE_COLUMNS = ["id", "name", "amount", "category", "updated_at"];

function flag(name: string, fallback: string): string {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 && Deno.args[index + 1] ? Deno.args[index + 1] : fallback;
}

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

/** Writes the history and the changes (cached per size under bench/out/). */
async function generate(rows: number, changes: number): Promise<{ history: string; run: string }> {
  const dir = join(OUT, `scd2_${rows}_${changes}`);
  const history = join(dir, "history.parquet");
  const run = join(dir, "changes.parquet");
  if (await exists(run)) return { history, run };
  await Deno.mkdir(dir, { recursive: true });
  await using db = await DuckDB.create(":memory:");
  const source = `SELECT range AS id, 'customer ' || range AS name,
      ((range * 31) % 100000 / 100)::DECIMAL(12,2) AS amount,
      ['books','garden','toys','music','tools'][range % 5 + 1] AS category,
      ${literal(FIRST_LOAD)}::TIMESTAMPTZ AS updated_at`;
  await db.run(
    `COPY (SELECT *, ${literal(FIRST_LOAD)}::TIMESTAMPTZ AS _dvt_valid_from,
        NULL::TIMESTAMPTZ AS _dvt_valid_to, true AS _dvt_is_current,
        hash(${SOURCE_COLUMNS.join(", ")}) AS _dvt_row_hash
      FROM (${source} FROM range(${rows})))
    TO ${literal(history)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)`,
  );
  // Every (rows / changes)-th key changes its amount and updated_at.
  const step = Math.max(1, Math.floor(rows / changes));
  await db.run(
    `COPY (SELECT * REPLACE (amount + 1 AS amount, ${literal(RUN_START)}::TIMESTAMPTZ AS updated_at)
      FROM (${source} FROM range(0, ${rows}, ${step}) LIMIT ${changes}))
    TO ${literal(`${run}.tmp`)} (FORMAT parquet, COMPRESSION zstd)`,
  );
  await Deno.rename(`${run}.tmp`, run);
  return { history, run };
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The merge as one DuckDB statement: every version, old ones closed where a key changed. */
function oneStatement(history: string, run: string, output: string): string {
  const at = `${literal(RUN_START)}::TIMESTAMPTZ`;
  return `COPY (
    WITH changes AS (
      SELECT *, hash(${SOURCE_COLUMNS.join(", ")}) AS h FROM read_parquet(${literal(run)})
    )
    SELECT v.* REPLACE (
        CASE WHEN v._dvt_is_current AND c.h <> v._dvt_row_hash THEN ${at}
          ELSE v._dvt_valid_to END AS _dvt_valid_to,
        v._dvt_is_current AND (c.h IS NULL OR c.h = v._dvt_row_hash) AS _dvt_is_current)
    FROM read_parquet(${literal(history)}) v
    LEFT JOIN changes c ON c.id = v.id
    UNION ALL
    SELECT c.* EXCLUDE (h), ${at}, NULL::TIMESTAMPTZ, true, c.h
    FROM changes c
    LEFT JOIN (SELECT id, _dvt_row_hash FROM read_parquet(${literal(history)})
      WHERE _dvt_is_current) v ON v.id = c.id
    WHERE v._dvt_row_hash IS DISTINCT FROM c.h
  ) TO ${literal(output)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)`;
}

/** Child: runs one side once. */
async function child(side: string, history: string, run: string, work: string): Promise<void> {
  if (side === "sql") {
    await using db = await DuckDB.create(":memory:");
    await db.run(oneStatement(history, run, join(work, "sql.parquet")));
    return;
  }
  const layout = new OutputLayout(work);
  await Deno.mkdir(layout.dataDir, { recursive: true });
  const current = "data/t.r0-current.parquet";
  const runFile = "data/t.r1.parquet";
  await Deno.link(history, layout.absolute(current));
  await Deno.link(run, layout.absolute(runFile));
  const previous = { name: "t", disposition: "history", files: [current] } as CatalogEntry;
  await landHistory({
    table: "t",
    name: "t",
    layout,
    runId: "r1",
    startedAt: new Date(RUN_START),
    previous,
    runFiles: [runFile],
    primaryKey: ["id"],
    closeMissing: false,
  });
}

interface Measured {
  seconds: number;
  /** User + system CPU time of every thread: steadier than wall time on a shared machine. */
  cpuSeconds: number;
  peakRssBytes: number;
}

/** utime + stime of a live process (seconds; /proc/<pid>/stat, 100 ticks a second). */
async function cpuTime(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`).catch(() => "");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return fields.length > 12 ? (Number(fields[11]) + Number(fields[12])) / 100 : 0;
}

async function vmHwm(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`).catch(() => "");
  const kib = status.match(/VmHWM:\s+(\d+) kB/)?.[1];
  return kib ? Number(kib) * 1024 : 0;
}

async function measure(side: string, history: string, run: string, work: string) {
  const started = performance.now();
  const process = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", fileURLToPath(import.meta.url), "--child", side, history, run, work],
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  let peak = 0;
  let cpu = 0;
  const poll = setInterval(async () => {
    peak = Math.max(peak, await vmHwm(process.pid));
    cpu = Math.max(cpu, await cpuTime(process.pid));
  }, 20);
  const status = await process.status;
  clearInterval(poll);
  if (!status.success) throw new Error(`${side} failed with exit code ${status.code}`);
  return { seconds: (performance.now() - started) / 1000, cpuSeconds: cpu, peakRssBytes: peak };
}

/** Count, current count and an order-independent checksum of every version. */
async function fingerprint(files: string[]): Promise<string> {
  await using db = await DuckDB.create(":memory:");
  const list = `[${files.map(literal).join(", ")}]`;
  const [row] = await db.all(
    `SELECT count(*)::VARCHAR || '/' || count(*) FILTER (_dvt_is_current)::VARCHAR || '/' ||
        sum(hash(id, amount, updated_at, _dvt_valid_from, _dvt_valid_to, _dvt_is_current,
          _dvt_row_hash) % 1000000007)::VARCHAR AS f
      FROM read_parquet(${list}, union_by_name = true, hive_partitioning = false)`,
  );
  return String(row.f);
}

async function main(): Promise<void> {
  const rows = Number(flag("rows", "10000000"));
  const changes = Number(flag("changes", String(Math.floor(rows / 10))));
  const repeat = Number(flag("repeat", "1"));
  const { history, run } = await generate(rows, changes);
  const best: Record<string, Measured> = {};
  const leastCpu: Record<string, number> = {};
  let checked = false;
  for (let i = 0; i < repeat; i++) {
    for (const side of ["sql", "dvt"]) {
      const work = await Deno.makeTempDir({ dir: OUT, prefix: "scd2-run-" });
      try {
        const measured = await measure(side, history, run, work);
        console.log(JSON.stringify({ bench: "scd2", case: side, rows, changes, ...measured }));
        if (!best[side] || measured.seconds < best[side].seconds) best[side] = measured;
        leastCpu[side] = Math.min(leastCpu[side] ?? Infinity, measured.cpuSeconds);
        if (side === "dvt" && !checked) {
          const data = join(work, "data");
          const dvtFiles = (await Array.fromAsync(Deno.readDir(data)))
            .filter((e) => /^t\.r1-(closed|current)/.test(e.name)).map((e) => join(data, e.name));
          const sqlFiles = [join(OUT, "scd2-sql.parquet")];
          const same = (await fingerprint(dvtFiles)) === (await fingerprint(sqlFiles));
          if (!same) throw new Error("dvt and the SQL statement wrote different versions");
          checked = true;
        }
        if (side === "sql") {
          await Deno.rename(join(work, "sql.parquet"), join(OUT, "scd2-sql.parquet"));
        }
      } finally {
        await Deno.remove(work, { recursive: true });
      }
    }
  }
  await Deno.remove(join(OUT, "scd2-sql.parquet")).catch(() => {});
  const ratio = Math.round(best.dvt.seconds / best.sql.seconds * 100) / 100;
  const cpuRatio = Math.round(leastCpu.dvt / leastCpu.sql * 100) / 100;
  console.log(JSON.stringify({
    bench: "scd2",
    metric: "CPU time dvt / one SQL statement",
    value: cpuRatio,
    target: "<= 1.3",
    met: cpuRatio <= 1.3,
  }));
  const rssMiB = Math.round(best.dvt.peakRssBytes / 1024 / 1024);
  console.log(JSON.stringify({
    bench: "scd2",
    metric: "wall time dvt / one SQL statement",
    value: ratio,
    target: "<= 1.3",
    met: ratio <= 1.3,
  }));
  console.log(JSON.stringify({
    bench: "scd2",
    metric: "dvt peak RSS MiB",
    value: rssMiB,
    target: "< 1024",
    met: rssMiB < 1024,
  }));
}

if (Deno.args[0] === "--child") {
  const [, side, history, run, work] = Deno.args;
  await child(side, history, run, work);
} else {
  await main();
}

/**
 * `deno run -A --unstable-worker-options bench/postgres.ts [--rows N] [--repeat N] [--readers N]
 * [--cases a,b]`: N rows (default 10,000,000) x 6 mixed
 * columns (bigint, numeric(12,2), text, timestamptz, boolean, date) in PostgreSQL (started with
 * tests/servers/postgres.sh, as root), read by `dvt extract --connector postgres` with default
 * settings (one reader), with the Parquet encoder forced into a worker thread
 * (`DVT_PARQUET_WORKER=1`), with `parallel=<readers>` (ctid ranges; `--readers N`, default one
 * per CPU: on 2 CPUs 4 readers took 9.1 s where 2 took 7.4 s, idle, because the server's TID
 * range scans cost more CPU than one sequential scan and share the same cores) and with those
 * ranges read in the reader thread (`reader_thread=true`),
 * against the server's own export in the same run:
 * `psql -c "\copy (select ...) to '/dev/null' csv"`. `--repeat N` runs N alternating rounds
 * and reports each case's median with its range; `--cases` picks cases (e.g.
 * `psql_copy,dvt_default,dvt_parallel`). Prints JSON lines (rows/s, peak RSS, ratios and targets)
 * for bench/run.ts, with each case's CPU: the client's (all threads, and dvt's main thread) and
 * the server's (the backends serving database dvt_bench during the run, sampled per process, so
 * other databases' work on the same server is not counted).
 *
 * @module
 */
import pg from "pg";
import {
  alternatingRounds,
  cpuSecondsOf,
  dvtExtract,
  emit,
  flag,
  measure,
  type Measured,
  reportCases,
  ROOT,
} from "./_database_bench.ts";

const BENCH = "postgres";
const DATABASE = "dvt_bench";
const rows = Number(flag("rows", "10000000"));
// One table per size: a smaller run must not replace the 10M-row table (it takes minutes to make).
const TABLE = rows === 10_000_000 ? "b" : `b_${rows}`;
const repeat = Number(flag("repeat", "1"));
const readers = Number(flag("readers", String(navigator.hardwareConcurrency)));
const only = flag("cases", "").split(",").filter(Boolean);

const started = await new Deno.Command("bash", {
  args: [`${ROOT}tests/servers/postgres.sh`],
  stdout: "piped",
}).output();
if (started.code !== 0) throw new Error("could not start PostgreSQL (tests/servers/postgres.sh)");
const env: Record<string, string> = {};
for (const match of new TextDecoder().decode(started.stdout).matchAll(/export (\w+)=(.*)/g)) {
  env[match[1]] = match[2];
}
env.PGDATABASE = DATABASE;

async function client(database: string) {
  const connection = new pg.Client({
    host: env.PGHOST,
    port: Number(env.PGPORT),
    user: env.PGUSER,
    password: env.PGPASSWORD,
    database,
  });
  await connection.connect();
  return connection;
}

/** Creates dvt_bench.<TABLE> with `rows` rows unless it already has them. */
async function prepare(): Promise<void> {
  const admin = await client("postgres");
  try {
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
    if (!exists.rowCount) await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
  const db = await client(DATABASE);
  try {
    const table = await db.query(`SELECT to_regclass('public.${TABLE}') IS NOT NULL AS present`);
    if (table.rows[0].present) {
      const count = await db.query(`SELECT count(*)::int8::text AS n FROM ${TABLE}`);
      if (Number(count.rows[0].n) === rows) return;
    }
    emit(BENCH, { event: "generating", rows });
    await db.query(`DROP TABLE IF EXISTS ${TABLE};
      CREATE TABLE ${TABLE} (id bigint PRIMARY KEY, amount numeric(12,2), name text, ts timestamptz,
        flag boolean, d date)`);
    await db.query(
      `INSERT INTO ${TABLE} SELECT g, (g * 1.25) % 1000000, 'name-' || g,
         to_timestamp(1600000000 + g + (g % 1000) / 1000.0), g % 2 = 0,
         date '2020-01-01' + (g % 3000)::int
       FROM generate_series(1, $1::int8) g`,
      [rows],
    );
    await db.query(`VACUUM ANALYZE ${TABLE}`);
  } finally {
    await db.end();
  }
}

/** The postmaster's pid: its children are the backends. */
async function postmasterPid(): Promise<number | undefined> {
  const db = await client(DATABASE);
  try {
    const [row] = (await db.query("SELECT current_setting('data_directory') AS dir")).rows;
    const text = await Deno.readTextFile(`${row.dir}/postmaster.pid`).catch(() => "");
    return Number(text.split("\n")[0]) || undefined;
  } finally {
    await db.end();
  }
}

const SAMPLE_MS = 20;

/**
 * Samples the CPU of the postmaster's children whose title names database dvt_bench (the backends
 * of this run: psql's, or dvt's catalog, coordinator and readers) every 20 ms; their sum is the
 * server's CPU for the run, less at most one sample's worth per backend.
 */
function sampleBackends(postmaster: number): () => Promise<number> {
  const seen = new Map<number, number>();
  let busy = false;
  const sample = async () => {
    if (busy) return;
    busy = true;
    try {
      const children = await Deno.readTextFile(`/proc/${postmaster}/task/${postmaster}/children`)
        .catch(() => "");
      for (const pid of children.trim().split(/\s+/).filter(Boolean).map(Number)) {
        const title = await Deno.readTextFile(`/proc/${pid}/cmdline`).catch(() => "");
        if (!title.includes(` ${DATABASE} `)) continue;
        const cpu = await cpuSecondsOf(pid);
        seen.set(pid, Math.max(seen.get(pid) ?? 0, cpu));
      }
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(sample, SAMPLE_MS);
  return async () => {
    clearInterval(timer);
    while (busy) await new Promise((resolve) => setTimeout(resolve, 1));
    return [...seen.values()].reduce((sum, cpu) => sum + cpu, 0);
  };
}

const postmaster = await postmasterPid();

/** Runs `run` and adds the CPU seconds of the server's dvt_bench backends during it. */
async function withServerCpu(run: () => Promise<Measured>): Promise<Measured> {
  if (!postmaster) return run();
  const stop = sampleBackends(postmaster);
  const result = await run();
  return { ...result, serverCpuSeconds: await stop() };
}

await prepare();
const out = await Deno.makeTempDir({ prefix: "dvt-bench-postgres-" });
const extractArgs = ["--connector", "postgres", "--tables", TABLE, "--out", out];
const cases: Record<string, () => Promise<Measured>> = {
  psql_copy: () =>
    withServerCpu(() =>
      measure("psql", [
        "-X",
        "-q",
        "-c",
        `\\copy (select id, amount, name, ts, flag, d from ${TABLE}) to '/dev/null' csv`,
      ], env)
    ),
  dvt_default: () => withServerCpu(() => dvtExtract(extractArgs, env)),
  dvt_encoder_worker: () =>
    withServerCpu(() => dvtExtract(extractArgs, { ...env, DVT_PARQUET_WORKER: "1" })),
  dvt_parallel: () =>
    withServerCpu(() => dvtExtract([...extractArgs, "--set", `parallel=${readers}`], env)),
  dvt_parallel_thread: () =>
    withServerCpu(() =>
      dvtExtract(
        [...extractArgs, "--set", `parallel=${readers}`, "--set", "reader_thread=true"],
        env,
      )
    ),
};
for (const name of only) {
  if (!cases[name]) {
    throw new Error(`--cases: no case "${name}" (${Object.keys(cases).join(", ")})`);
  }
}
const picked = only.length
  ? Object.fromEntries(Object.entries(cases).filter(([name]) => only.includes(name)))
  : cases;
const runs = await alternatingRounds(repeat, picked, (record) => emit(BENCH, record));
await Deno.remove(out, { recursive: true });
reportCases(BENCH, rows, runs, "psql_copy", {
  dvt_default: 0.8,
  dvt_parallel: 1,
});

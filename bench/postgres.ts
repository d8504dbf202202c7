/**
 * `deno run -A bench/postgres.ts [--rows N] [--repeat N]`: N rows (default 10,000,000) x 6 mixed
 * columns (bigint, numeric(12,2), text, timestamptz, boolean, date) in PostgreSQL (started with
 * tests/servers/postgres.sh, as root), read by `dvt extract --connector postgres` with default
 * settings (one reader), with the Parquet encoder forced into a worker thread
 * (`DVT_PARQUET_WORKER=1`), with `parallel=<readers>` (ctid ranges; `--readers N`, default one
 * per CPU: on 2 CPUs 4 readers took 9.1 s where 2 took 7.4 s, idle, because the server's TID
 * range scans cost more CPU than one sequential scan and share the same cores) and with those
 * ranges read in the reader thread (`reader_thread=true`),
 * against the server's own export in the same run:
 * `psql -c "\copy (select ...) to '/dev/null' csv"`. Prints JSON lines (rows/s, peak RSS,
 * ratios and targets) for bench/run.ts, with each case's CPU (all threads and the main thread) and
 * the server's (the postmaster's ended backends).
 *
 * @module
 */
import pg from "pg";
import {
  bestOf,
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

/** The postmaster's pid: its ended children (the backends) count the server's CPU. */
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

const REAP_WAIT_MS = 500;

/** Runs `run` and adds the CPU seconds of the server's backends that ended during it. */
async function withServerCpu(run: () => Promise<Measured>): Promise<Measured> {
  const pid = await postmasterPid();
  const before = pid ? await cpuSecondsOf(pid, true) : 0;
  const result = await run();
  if (!pid) return result;
  // A backend's CPU reaches the postmaster's children total only once the postmaster has reaped
  // it, which can come after the client exits (psql's backend read as 0-0.03 s without this).
  await new Promise((resolve) => setTimeout(resolve, REAP_WAIT_MS));
  return { ...result, serverCpuSeconds: (await cpuSecondsOf(pid, true)) - before };
}

await prepare();
const out = await Deno.makeTempDir({ prefix: "dvt-bench-postgres-" });
const extractArgs = ["--connector", "postgres", "--tables", TABLE, "--out", out];
const best = await bestOf(repeat, {
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
});
await Deno.remove(out, { recursive: true });
reportCases(BENCH, rows, best, "psql_copy", {
  dvt_default: 0.8,
  dvt_parallel: 1,
});

/**
 * `deno run -A bench/mysql.ts [--rows N] [--repeat N]`: N rows (default 10,000,000) x 6 mixed
 * columns (BIGINT, DECIMAL(12,2), TEXT, TIMESTAMP(6), BOOLEAN, DATE) in MariaDB (started with
 * tests/servers/mariadb.sh), read by `dvt extract --connector mysql` with default settings and
 * with `parallel=2`, against the server's own export in the same run:
 * `mysql --batch --quick -e "select ..." > /dev/null`. Prints JSON lines (rows/s, peak RSS,
 * ratios and targets) for bench/run.ts.
 *
 * @module
 */
import mysql from "mysql2/promise";
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

const BENCH = "mysql";
const DATABASE = "dvt_bench";
const rows = Number(flag("rows", "10000000"));
const repeat = Number(flag("repeat", "1"));

const started = await new Deno.Command("bash", {
  args: [`${ROOT}tests/servers/mariadb.sh`],
  stdout: "piped",
}).output();
if (started.code !== 0) throw new Error("could not start MariaDB (tests/servers/mariadb.sh)");
const env: Record<string, string> = {};
for (const match of new TextDecoder().decode(started.stdout).matchAll(/export (\w+)=(.*)/g)) {
  env[match[1]] = match[2];
}

/** Creates dvt_bench.b with `rows` rows unless it already has them. */
async function prepare(): Promise<void> {
  const connection = await mysql.createConnection({
    host: env.MYSQL_HOST,
    port: Number(env.MYSQL_TCP_PORT),
    user: env.MYSQL_USER,
    password: env.MYSQL_PWD,
    multipleStatements: true,
  });
  try {
    await connection.query(`CREATE DATABASE IF NOT EXISTS ${DATABASE} CHARACTER SET utf8mb4`);
    const [existing] = await connection.query(
      `SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'b'`,
      [DATABASE],
    );
    const count = (existing as { TABLE_ROWS: number }[]).length
      ? Number(
        ((await connection.query(`SELECT count(*) AS n FROM ${DATABASE}.b`))[0] as {
          n: number;
        }[])[0].n,
      )
      : -1;
    if (count === rows) return;
    emit(BENCH, { event: "generating", rows });
    await connection.query(`USE ${DATABASE}; DROP TABLE IF EXISTS ${DATABASE}.b;
      CREATE TABLE ${DATABASE}.b (id BIGINT PRIMARY KEY, amount DECIMAL(12,2), name TEXT,
        ts TIMESTAMP(6) NULL, flag BOOLEAN, d DATE)`);
    for (let from = 1; from <= rows; from += 1_000_000) {
      const to = Math.min(rows, from + 999_999);
      await connection.query(`INSERT INTO ${DATABASE}.b
        SELECT seq, (seq * 1.25) % 1000000, CONCAT('name-', seq),
          FROM_UNIXTIME(1600000000 + seq + (seq % 1000) / 1000), seq % 2,
          DATE('2020-01-01') + INTERVAL (seq % 3000) DAY
        FROM seq_${from}_to_${to}`);
    }
    await connection.query(`ANALYZE TABLE ${DATABASE}.b`);
  } finally {
    await connection.end();
  }
}

/** The server's process id (from its pid file), to measure the CPU it spends on each case. */
async function serverPid(): Promise<number | undefined> {
  const [row] = (await queryOne("SELECT @@pid_file AS f")) as { f: string }[];
  const text = await Deno.readTextFile(row.f).catch(() => "");
  return Number(text.trim()) || undefined;
}

async function queryOne(sql: string): Promise<unknown[]> {
  const connection = await mysql.createConnection({
    host: env.MYSQL_HOST,
    port: Number(env.MYSQL_TCP_PORT),
    user: env.MYSQL_USER,
    password: env.MYSQL_PWD,
  });
  try {
    return (await connection.query(sql))[0] as unknown[];
  } finally {
    await connection.end();
  }
}

/** Runs `run` and adds the server's CPU seconds during it. */
async function withServerCpu(run: () => Promise<Measured>): Promise<Measured> {
  const pid = await serverPid();
  const before = pid ? await cpuSecondsOf(pid) : 0;
  const result = await run();
  return pid ? { ...result, serverCpuSeconds: (await cpuSecondsOf(pid)) - before } : result;
}

await prepare();
const out = await Deno.makeTempDir({ prefix: "dvt-bench-mysql-" });
// Only table b: other tables someone left in the database must not be timed with it.
const extractArgs = [
  "--connector",
  "mysql",
  "--set",
  `database=${DATABASE}`,
  "--tables",
  "b",
  "--out",
  out,
];
const runs = await alternatingRounds(repeat, {
  mysql_cli: () =>
    withServerCpu(() =>
      measure("mysql", [
        "--batch",
        "--quick",
        `-u${env.MYSQL_USER}`,
        "-e",
        `select id, amount, name, ts, flag, d from ${DATABASE}.b`,
      ], env)
    ),
  dvt_default: () => withServerCpu(() => dvtExtract(extractArgs, env)),
  dvt_parallel: () => withServerCpu(() => dvtExtract([...extractArgs, "--set", "parallel=2"], env)),
});
await Deno.remove(out, { recursive: true });
reportCases(BENCH, rows, runs, "mysql_cli", { dvt_default: 0.8, dvt_parallel: 1 });

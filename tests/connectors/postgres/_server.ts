/**
 * The PostgreSQL server the postgres tests use: the one `tests/servers/postgres.sh` starts
 * (PGHOST/PGPORT/PGUSER/PGPASSWORD from its output, or its defaults). Each test creates its own
 * database and drops it afterwards. When no server answers, tests are skipped with the command
 * that starts one.
 *
 * @module
 */
import pg from "pg";

/** Connection settings of the test server (the script's defaults unless PG* env says otherwise). */
export const SERVER = {
  host: Deno.env.get("PGHOST") ?? "127.0.0.1",
  port: Number(Deno.env.get("PGPORT") ?? 54329),
  user: Deno.env.get("PGUSER") ?? "dvt",
  password: Deno.env.get("PGPASSWORD") ?? "dvt-test-secret",
};

/** A raw-text client: every value comes back as PostgreSQL's own text output. */
export interface PgClient {
  query<T = Record<string, string | null>>(sql: string, params?: unknown[]): Promise<T[]>;
  end(): Promise<void>;
}

const rawText = { getTypeParser: () => (value: string) => value };

/** Opens a client on `database` (default `postgres`). */
export async function connect(database = "postgres"): Promise<PgClient> {
  const client = new pg.Client({ ...SERVER, database, types: rawText });
  client.on("error", () => {});
  await client.connect();
  await client.query("SET TimeZone = 'UTC'");
  return {
    async query<T>(sql: string, params?: unknown[]) {
      return (await client.query(sql, params)).rows as T[];
    },
    end: () => client.end(),
  };
}

async function probe(): Promise<string | undefined> {
  try {
    const client = await connect();
    await client.end();
    return undefined;
  } catch (error) {
    return `${(error as Error).message}`;
  }
}

/** Why the server cannot be used, or undefined when it answers. */
export const unavailable: string | undefined = await probe();
if (unavailable && Deno.env.get("DVT_REQUIRE_POSTGRES")) {
  // CI started the server: a test that cannot reach it must fail, not skip.
  throw new Error(`postgres tests: no server at ${SERVER.host}:${SERVER.port}: ${unavailable}`);
}
if (unavailable) {
  console.warn(
    `postgres tests skipped: no server at ${SERVER.host}:${SERVER.port} (${unavailable}); ` +
      `start one with: eval "$(sudo tests/servers/postgres.sh)"`,
  );
}

/** A database created for one test, dropped on dispose. */
export interface TestDatabase extends AsyncDisposable {
  name: string;
  /** Client connected to it. */
  sql: PgClient;
  /** Environment for `dvt` child processes: PGHOST... PGDATABASE pointing at it. */
  env: Record<string, string>;
}

/** Creates a fresh database and runs `setup` in it. */
export async function testDatabase(setup = ""): Promise<TestDatabase> {
  const name = `dvt_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = await connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const sql = await connect(name);
  if (setup) await sql.query(setup);
  return {
    name,
    sql,
    env: {
      PGHOST: SERVER.host,
      PGPORT: String(SERVER.port),
      PGUSER: SERVER.user,
      PGPASSWORD: SERVER.password,
      PGDATABASE: name,
    },
    async [Symbol.asyncDispose]() {
      await sql.end().catch(() => {});
      const admin = await connect();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

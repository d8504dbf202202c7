/**
 * The MariaDB server the mysql connector tests run against: the one tests/servers/mariadb.sh
 * starts (127.0.0.1:33069, user dvt) unless MYSQL_* variables point elsewhere. Tests skip with a
 * reason when it is not reachable. Each test file works in databases of its own.
 *
 * @module
 */
import mysql from "mysql2/promise";

/** How the tests and the CLI child processes reach the server. */
export const SERVER_ENV: Record<string, string> = {
  MYSQL_HOST: Deno.env.get("MYSQL_HOST") ?? "127.0.0.1",
  MYSQL_TCP_PORT: Deno.env.get("MYSQL_TCP_PORT") ?? "33069",
  MYSQL_USER: Deno.env.get("MYSQL_USER") ?? "dvt",
  MYSQL_PWD: Deno.env.get("MYSQL_PWD") ?? "dvt-test-pw",
};

/** Opens an admin connection (no default database). */
export function adminConnection(database?: string): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: SERVER_ENV.MYSQL_HOST,
    port: Number(SERVER_ENV.MYSQL_TCP_PORT),
    user: SERVER_ENV.MYSQL_USER,
    password: SERVER_ENV.MYSQL_PWD,
    database,
    multipleStatements: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    charset: "utf8mb4",
  });
}

async function probe(): Promise<string | undefined> {
  try {
    const connection = await adminConnection();
    await connection.end();
    return undefined;
  } catch (error) {
    return `MariaDB not reachable at ${SERVER_ENV.MYSQL_HOST}:${SERVER_ENV.MYSQL_TCP_PORT} (${
      (error as Error).message
    }); start it with: eval "$(bash tests/servers/mariadb.sh)"`;
  }
}

/** Why the server tests are skipped, or undefined when the server is up. */
export const SKIP_REASON: string | undefined = await probe();
if (SKIP_REASON) console.warn(`skipping MariaDB tests: ${SKIP_REASON}`);

/** A fresh database (dropped first if left over), created with utf8mb4. */
export async function freshDatabase(name: string, setupSql = ""): Promise<void> {
  const connection = await adminConnection();
  try {
    await connection.query(
      `DROP DATABASE IF EXISTS \`${name}\`; CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`,
    );
    if (setupSql) {
      await connection.changeUser({ database: name });
      await connection.query(setupSql);
    }
  } finally {
    await connection.end();
  }
}

/** Runs SQL in `database` and returns the rows (arrays of strings/nulls for SELECTs). */
export async function sql(database: string, text: string): Promise<unknown[][]> {
  const connection = await adminConnection(database);
  try {
    await connection.query("SET time_zone = '+00:00'");
    const [rows] = await connection.query({ sql: text, rowsAsArray: true });
    return rows as unknown[][];
  } finally {
    await connection.end();
  }
}

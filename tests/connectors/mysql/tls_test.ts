/**
 * The mysql connector's `sslmode` / `ssl_ca` through `dvt extract` against the test MariaDB,
 * which runs without TLS (tests/servers/mariadb.sh): `required` and the verify modes must fail
 * with a sentence saying so, `preferred` (the default) must fall back to plain TCP, and bad
 * values are bad configuration (exit 2). A handshake with a TLS server is not exercised here.
 */
import assert from "node:assert/strict";
import { queryDuckDB, runCli, tempDir } from "../../_helpers.ts";
import { freshDatabase, SERVER_ENV, SKIP_REASON } from "./_mariadb.ts";

const ignore = SKIP_REASON !== undefined;
const DB = "dvt_tls";

async function extract(out: string, ...settings: string[]) {
  const sets = ["database=" + DB, ...settings].flatMap((value) => ["--set", value]);
  return await runCli(["extract", "--connector", "mysql", ...sets, "--out", out], {
    env: SERVER_ENV,
  });
}

Deno.test({
  name: "mysql: sslmode preferred (default), PREFERRED and disabled read from a server without TLS",
  ignore,
  async fn() {
    await freshDatabase(DB, "CREATE TABLE t (id INT PRIMARY KEY); INSERT INTO t VALUES (1), (2);");
    for (const settings of [[], ["sslmode=PREFERRED"], ["sslmode=disabled"]]) {
      await using dir = await tempDir();
      const result = await extract(dir.path, ...settings);
      assert.equal(result.code, 0, `${settings}: ${result.stderr}`);
      const rows = await queryDuckDB(
        `${dir.path}/extract.duckdb`,
        "SELECT count(*)::INT AS n FROM t",
      );
      assert.deepEqual(rows, [{ n: 2 }]);
    }
  },
});

Deno.test({
  name: "mysql: sslmode required or verify_ca against a server without TLS is exit 2, said plainly",
  ignore,
  async fn() {
    await freshDatabase(DB, "CREATE TABLE t (id INT PRIMARY KEY);");
    await using dir = await tempDir();
    for (const mode of ["required", "VERIFY-CA", "verify_identity"]) {
      const result = await extract(dir.path, `sslmode=${mode}`);
      assert.equal(result.code, 2, result.stderr);
      const normalised = mode.toLowerCase().replace("-", "_");
      assert.match(
        result.stderr,
        new RegExp(
          `dvt@127\\.0\\.0\\.1:\\d+/dvt_tls does not offer TLS, but sslmode is ${normalised}`,
        ),
      );
      assert.match(result.stderr, /enable TLS on the server, or set sslmode to preferred/);
      assert.doesNotMatch(result.stderr, / {4}at /);
      assert.ok(!result.stderr.includes(SERVER_ENV.MYSQL_PWD));
    }
  },
});

Deno.test({
  name: "mysql: an unknown sslmode or an unusable ssl_ca is bad configuration (exit 2)",
  ignore,
  async fn() {
    await using dir = await tempDir();
    const bogus = await extract(dir.path, "sslmode=on");
    assert.equal(bogus.code, 2, bogus.stderr);
    assert.match(bogus.stderr, /mysql config sslmode: "on" is not a TLS mode/);
    assert.match(bogus.stderr, /disabled, preferred, required, verify_ca, verify_identity/);
    const missing = await extract(dir.path, "sslmode=verify_ca", `ssl_ca=${dir.path}/nope.pem`);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /mysql config ssl_ca: cannot read ".*nope\.pem"/);
    const unused = await extract(dir.path, "sslmode=required", `ssl_ca=${dir.path}/ca.pem`);
    assert.equal(unused.code, 2, unused.stderr);
    assert.match(
      unused.stderr,
      /ssl_ca: is only used to verify the server, but sslmode is required/,
    );
  },
});

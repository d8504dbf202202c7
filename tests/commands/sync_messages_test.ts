/**
 * `dvt sync` mistakes and trust: every unverified JAR listed at once with its sha256, pinned in
 * dvt.lock only when the user says `--trust-unverified`; `--offline` with an empty cache; a
 * misspelled adapter type. Real Debian JARs served on 127.0.0.1.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { runCli, tempDir } from "../_helpers.ts";
import { DEBIAN_MAVEN_REPO, serveMavenRepository } from "./_maven_repo_server.ts";

const SQLITE = "org/xerial/sqlite-jdbc/3.40.1.0/sqlite-jdbc-3.40.1.0.jar";
const MARIADB = "org/mariadb/jdbc/mariadb-java-client/2.7.6/mariadb-java-client-2.7.6.jar";

const PROFILES = `p:
  outputs:
    maria: { type: mariadb }
    lite: { type: sqlite }
`;
const PROJECT = `sync:
  adapters:
    mariadb: { jdbc: "org.mariadb.jdbc:mariadb-java-client:2.7.6" }
    sqlite: { jdbc: "org.xerial:sqlite-jdbc:3.40.1.0" }
`;

const debianAvailable = await Deno.stat(join(DEBIAN_MAVEN_REPO, SQLITE)).then(
  () => true,
  () => false,
);

async function sha256(path: string): Promise<string> {
  return createHash("sha256").update(await Deno.readFile(path)).digest("hex");
}

function sync(dir: string, repo: string, args: string[] = []) {
  const env = { DVT_HOME: join(dir, "home"), DVT_MAVEN_REPOS: repo };
  return runCli(["sync", ...args], { cwd: dir, env });
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test({
  name:
    "dvt sync lists every unverified JAR at once; --trust-unverified pins them after showing the hashes",
  ignore: !debianAvailable,
  async fn() {
    await using dir = await tempDir();
    await using server = serveMavenRepository({ noChecksums: [SQLITE, MARIADB] });
    await Deno.writeTextFile(join(dir.path, "profiles.yml"), PROFILES);
    await Deno.writeTextFile(join(dir.path, "dvt.yaml"), PROJECT);
    const sqliteSha = await sha256(join(DEBIAN_MAVEN_REPO, SQLITE));
    const mariaSha = await sha256(join(DEBIAN_MAVEN_REPO, MARIADB));

    const refused = await sync(dir.path, server.url);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /error: 2 JARs from repositories that publish no checksum/);
    assert.ok(
      refused.stderr.includes(`org.mariadb.jdbc:mariadb-java-client:2.7.6  sha256 ${mariaSha}`),
    );
    assert.ok(refused.stderr.includes(`org.xerial:sqlite-jdbc:3.40.1.0  sha256 ${sqliteSha}`));
    assert.match(
      refused.stderr,
      /hint: compare these sha256 values .* dvt sync --trust-unverified/,
    );
    assert.ok(!await exists(join(dir.path, "dvt.lock")), "nothing pinned without consent");

    const trusted = await sync(dir.path, server.url, ["--trust-unverified"]);
    assert.equal(trusted.code, 0, trusted.stderr);
    assert.match(
      trusted.stderr,
      new RegExp(`warn Trusted on first use .*sqlite-jdbc:3\\.40\\.1\\.0 .*sha256 ${sqliteSha}`),
    );
    const lock = JSON.parse(await Deno.readTextFile(join(dir.path, "dvt.lock")));
    const pins = Object.fromEntries(
      lock.artifacts.map((a: { coordinates: string; sha256: string }) => [a.coordinates, a.sha256]),
    );
    assert.equal(pins["org.xerial:sqlite-jdbc:3.40.1.0"], sqliteSha);
    assert.equal(pins["org.mariadb.jdbc:mariadb-java-client:2.7.6"], mariaSha);

    // From now on the pins verify them, and --locked agrees.
    await Deno.remove(join(dir.path, "home"), { recursive: true });
    const pinned = await sync(dir.path, server.url, ["--locked"]);
    assert.equal(pinned.code, 0, pinned.stderr);
  },
});

Deno.test("dvt sync --offline with an empty cache says the cache is empty", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(join(dir.path, "profiles.yml"), PROFILES);
  await Deno.writeTextFile(join(dir.path, "dvt.yaml"), PROJECT);
  const result = await sync(dir.path, "http://127.0.0.1:9/", ["--offline"]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(
    result.stderr,
    new RegExp(`error: --offline, but the local cache ${join(dir.path, "home")}\\S* is empty`),
  );
  assert.match(result.stderr, /hint: run dvt sync once without --offline to fill the cache/);
});

Deno.test("a misspelled adapter type exits 2 with did-you-mean and writes no dvt.lock", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(
    join(dir.path, "profiles.yml"),
    "p:\n  outputs:\n    dev: { type: postgress }\n",
  );
  const result = await sync(dir.path, "http://127.0.0.1:9/");
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /error: .*profiles\.yml: type: unknown adapter type "postgress"/);
  assert.match(result.stderr, /hint: did you mean "postgres"\? valid: /);
  assert.ok(!await exists(join(dir.path, "dvt.lock")));
});

/**
 * End-to-end `dvt sync` through the real CLI against a Maven-layout HTTP server on 127.0.0.1
 * serving Debian's real JARs and POMs (/usr/share/maven-repo).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { runCli, tempDir } from "../_helpers.ts";
import { DEBIAN_MAVEN_REPO, serveMavenRepository } from "./_maven_repo_server.ts";

const DRIVERS = {
  postgres: "org/postgresql/postgresql/42.5.5/postgresql-42.5.5.jar",
  mariadb: "org/mariadb/jdbc/mariadb-java-client/2.7.6/mariadb-java-client-2.7.6.jar",
  sqlite: "org/xerial/sqlite-jdbc/3.40.1.0/sqlite-jdbc-3.40.1.0.jar",
};

const PROFILES = `shop:
  target: dev
  outputs:
    dev: { type: postgres, host: localhost }
    maria: { type: mariadb }
other:
  outputs:
    lite: { type: sqlite }
`;

const PROJECT = `sync:
  adapters:
    postgres: { jdbc: "org.postgresql:postgresql:42.5.5" }
    mariadb: { jdbc: "org.mariadb.jdbc:mariadb-java-client:2.7.6" }
    sqlite: { jdbc: "org.xerial:sqlite-jdbc:3.40.1.0" }
`;

const debianAvailable = await Deno.stat(join(DEBIAN_MAVEN_REPO, DRIVERS.postgres)).then(
  () => true,
  () => false,
);

async function project(dir: string): Promise<void> {
  await Deno.writeTextFile(join(dir, "profiles.yml"), PROFILES);
  await Deno.writeTextFile(join(dir, "dvt.yaml"), PROJECT);
}

function sync(dir: string, repo: string | undefined, args: string[] = []) {
  const env: Record<string, string> = { DVT_HOME: join(dir, "home") };
  if (repo) env.DVT_MAVEN_REPOS = repo;
  return runCli(["sync", ...args], { cwd: dir, env });
}

async function listJars(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  } catch {
    return [];
  }
  return names.filter((name) => !name.startsWith(".")).sort();
}

async function sha256(path: string): Promise<string> {
  return createHash("sha256").update(await Deno.readFile(path)).digest("hex");
}

const jdbcDir = (dir: string) => join(dir, "home", "lib", "jdbc");

Deno.test({
  name: "runSync() places exactly the Debian drivers, byte-identical, and writes dvt.lock",
  ignore: !debianAvailable,
  async fn() {
    await using dir = await tempDir();
    await using server = serveMavenRepository({ sha256Prefixes: ["org/postgresql"] });
    await project(dir.path);
    const result = await sync(dir.path, server.url);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      "Syncing JDBC drivers...\n  postgres: OK (postgresql-42.5.5.jar)\n" +
        "  mariadb: OK (mariadb-java-client-2.7.6.jar)\n  sqlite: OK (sqlite-jdbc-3.40.1.0.jar)\n" +
        "Syncing native connectors...\nDone!\n",
    );
    assert.deepEqual(
      await listJars(jdbcDir(dir.path)),
      Object.values(DRIVERS).map((path) => path.split("/").pop()!).sort(),
    );
    const lock = JSON.parse(await Deno.readTextFile(join(dir.path, "dvt.lock")));
    for (const path of Object.values(DRIVERS)) {
      const name = path.split("/").pop()!;
      const placed = await Deno.readFile(join(jdbcDir(dir.path), name));
      assert.deepEqual(placed, await Deno.readFile(join(DEBIAN_MAVEN_REPO, path)));
      const entry = lock.artifacts.find((a: { file: string }) => a.file === name);
      assert.equal(entry.sha256, await sha256(join(DEBIAN_MAVEN_REPO, path)));
      assert.equal(entry.repository, `${server.url}/`);
    }
    assert.ok(server.requests.some((r) => r.path.endsWith("postgresql-42.5.5.jar.sha256")));

    const classpath = await sync(dir.path, server.url, ["--classpath"]);
    assert.equal(classpath.code, 0, classpath.stderr);
    assert.deepEqual(
      classpath.stdout.trim().split(",").sort(),
      Object.values(DRIVERS).map((path) => join(jdbcDir(dir.path), path.split("/").pop()!))
        .sort(),
    );
  },
});

Deno.test({
  name: "runSync() refuses a corrupted artifact and places nothing",
  ignore: !debianAvailable,
  async fn() {
    await using dir = await tempDir();
    await using server = serveMavenRepository({
      checksumsFollow: false,
      replace: (path, bytes) => {
        if (path !== DRIVERS.mariadb) return bytes;
        const copy = bytes.slice();
        copy[copy.length >> 1] ^= 0xff;
        return copy;
      },
    });
    await project(dir.path);
    const result = await sync(dir.path, server.url);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /mariadb-java-client:2\.7\.6 .* does not match its published sha1/);
    assert.deepEqual(await listJars(jdbcDir(dir.path)), []);
    await assert.rejects(Deno.stat(join(dir.path, "dvt.lock")));
  },
});

Deno.test({
  name: "runSync() resumes a download cut off mid-body with a Range request and retries a 503",
  ignore: !debianAvailable,
  async fn() {
    await using dir = await tempDir();
    await using server = serveMavenRepository({
      dropOnce: new Set([DRIVERS.postgres]),
      failOnce: new Set([DRIVERS.mariadb]),
    });
    await project(dir.path);
    const result = await sync(dir.path, server.url);
    assert.equal(result.code, 0, result.stderr);
    const ranged = server.requests.filter((r) => r.path === DRIVERS.postgres && r.range);
    assert.equal(ranged.length, 1);
    assert.match(ranged[0].range!, /^bytes=[1-9]\d*-$/);
    assert.deepEqual(
      await Deno.readFile(join(jdbcDir(dir.path), "postgresql-42.5.5.jar")),
      await Deno.readFile(join(DEBIAN_MAVEN_REPO, DRIVERS.postgres)),
    );
    assert.equal(server.requests.filter((r) => r.path === DRIVERS.mariadb).length, 2);
    assert.deepEqual(
      await Deno.readFile(join(jdbcDir(dir.path), "mariadb-java-client-2.7.6.jar")),
      await Deno.readFile(join(DEBIAN_MAVEN_REPO, DRIVERS.mariadb)),
    );
  },
});

Deno.test({
  name: "runSync() --locked fails on a changed artifact; --offline works from a warm cache",
  ignore: !debianAvailable,
  async fn() {
    await using dir = await tempDir();
    await project(dir.path);
    {
      await using server = serveMavenRepository();
      assert.equal((await sync(dir.path, server.url)).code, 0);
    }
    const offline = await sync(dir.path, "http://127.0.0.1:9/", ["--offline", "--json"]);
    assert.equal(offline.code, 0, offline.stderr);
    assert.deepEqual(
      JSON.parse(offline.stdout).jdbc.map((r: { jar: string }) => r.jar),
      ["postgresql-42.5.5.jar", "mariadb-java-client-2.7.6.jar", "sqlite-jdbc-3.40.1.0.jar"],
    );

    // The repository now serves different sqlite bytes (with matching checksums) than locked.
    await Deno.remove(join(dir.path, "home", "repository"), { recursive: true });
    const before = await Deno.readFile(join(jdbcDir(dir.path), "sqlite-jdbc-3.40.1.0.jar"));
    await using changed = serveMavenRepository({
      replace: (path, bytes) => {
        if (path !== DRIVERS.sqlite) return bytes;
        const copy = bytes.slice();
        copy[10] ^= 0x01;
        return copy;
      },
    });
    const locked = await sync(dir.path, changed.url, ["--locked"]);
    assert.equal(locked.code, 1);
    assert.match(locked.stderr, /sqlite-jdbc:3\.40\.1\.0 .*dvt\.lock pins/);
    assert.deepEqual(
      await Deno.readFile(join(jdbcDir(dir.path), "sqlite-jdbc-3.40.1.0.jar")),
      before,
    );
  },
});

Deno.test({
  name: "runSync() --locked fails on an artifact missing from dvt.lock before downloading",
  ignore: !debianAvailable,
  async fn() {
    await using dir = await tempDir();
    await project(dir.path);
    await using server = serveMavenRepository();
    await Deno.writeTextFile(
      join(dir.path, "dvt.lock"),
      JSON.stringify({ version: 1, artifacts: [] }),
    );
    const result = await sync(dir.path, server.url, ["--locked"]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /new: org\.postgresql:postgresql:42\.5\.5 \(not in dvt\.lock\)/);
    assert.ok(!server.requests.some((r) => r.path.endsWith(".jar")));
    assert.deepEqual(await listJars(jdbcDir(dir.path)), []);
  },
});

Deno.test("runSync() exits 2 naming where it looked when there is no profiles.yml", async () => {
  await using dir = await tempDir();
  const result = await runCli(["sync"], {
    cwd: dir.path,
    env: { DVT_HOME: join(dir.path, "home"), HOME: dir.path },
  });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /profiles\.yml not found; looked in: .*profiles\.yml/);
});

Deno.test("runSync() reports an invalid dvt.yaml sync section with file:line:column", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(join(dir.path, "profiles.yml"), PROFILES);
  await Deno.writeTextFile(
    join(dir.path, "dvt.yaml"),
    'sync:\n  adapters:\n    postgres: { jdbc: "not-coordinates" }\n',
  );
  const result = await runCli(["sync"], { cwd: dir.path, env: { DVT_HOME: dir.path } });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /dvt\.yaml:3:\d+: sync\.adapters\.postgres\.jdbc: invalid Maven/);
});

Deno.test({
  name: "runSync() names the repository and artifact when the repository is unreachable",
  ignore: !debianAvailable,
  async fn() {
    await using dir = await tempDir();
    await project(dir.path);
    const result = await sync(dir.path, "http://127.0.0.1:9/");
    assert.equal(result.code, 1);
    assert.match(result.stderr, /127\.0\.0\.1:9/);
    assert.match(result.stderr, /postgresql|mariadb|sqlite/);
  },
});

Deno.test({
  name: "runSync() keeps jdbc/ JARs out of native/, warns on bucket mismatch, prunes stale JARs",
  ignore: !debianAvailable,
  async fn() {
    await using dir = await tempDir();
    await using server = serveMavenRepository();
    await Deno.writeTextFile(
      join(dir.path, "profiles.yml"),
      "p:\n  outputs:\n    a: { type: postgres }\n    b: { type: lake }\n",
    );
    await Deno.writeTextFile(join(dir.path, "buckets.yml"), "default: { type: gcs }\n");
    await Deno.writeTextFile(
      join(dir.path, "dvt.yaml"),
      PROJECT + '    lake:\n      native: ["org.xerial:sqlite-jdbc:3.40.1.0", ' +
        '"org.postgresql:postgresql:42.5.5"]\n      bucket: s3\n',
    );
    const result = await sync(dir.path, server.url, ["--json"]);
    assert.equal(result.code, 0, result.stderr);
    const output = JSON.parse(result.stdout);
    assert.deepEqual(output.native, [{
      adapter: "lake",
      status: "ok",
      jar: "sqlite-jdbc-3.40.1.0.jar",
      files: ["sqlite-jdbc-3.40.1.0.jar"],
    }]);
    assert.deepEqual(await listJars(join(dir.path, "home", "lib", "native")), [
      "sqlite-jdbc-3.40.1.0.jar",
    ]);
    const events = result.stderr.trim().split("\n").map((line) => JSON.parse(line));
    const mismatch = events.find((e) => e.event === "NativeConnectorBucketMismatch");
    assert.equal(mismatch.level, "warn");
    assert.deepEqual([mismatch.adapter, mismatch.required, mismatch.configured], [
      "lake",
      "s3",
      "gcs",
    ]);
    assert.ok(events.some((e) => e.event === "NativeConnectorDownloaded" && e.adapter === "lake"));

    await Deno.writeTextFile(
      join(dir.path, "profiles.yml"),
      "p:\n  outputs:\n    b: { type: lake }\n",
    );
    await Deno.writeTextFile(join(jdbcDir(dir.path), "user-driver.jar"), "mine");
    const again = await sync(dir.path, server.url);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(await listJars(jdbcDir(dir.path)), ["user-driver.jar"]);
    assert.deepEqual(await listJars(join(dir.path, "home", "lib", "native")), [
      "postgresql-42.5.5.jar",
      "sqlite-jdbc-3.40.1.0.jar",
    ]);
  },
});

Deno.test({
  name: "runSync() refuses a JAR without published checksums unless dvt.lock pins it",
  ignore: !debianAvailable,
  async fn() {
    await using dir = await tempDir();
    await using server = serveMavenRepository({ noChecksums: [DRIVERS.sqlite] });
    await project(dir.path);
    const refused = await sync(dir.path, server.url);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /publish no checksum.*\n\s+org\.xerial:sqlite-jdbc:3\.40\.1\.0 {2}sha256 [0-9a-f]{64}/,
    );
    assert.match(refused.stderr, /dvt sync --trust-unverified to pin them in dvt\.lock/);
    assert.deepEqual(await listJars(jdbcDir(dir.path)), []);

    // Pin the sha256 computed from the real Debian file, as a user who verified it would.
    const pinned = {
      version: 1,
      artifacts: [{
        coordinates: "org.xerial:sqlite-jdbc:3.40.1.0",
        file: "sqlite-jdbc-3.40.1.0.jar",
        repository: `${server.url}/`,
        sha256: await sha256(join(DEBIAN_MAVEN_REPO, DRIVERS.sqlite)),
        needed_by: ["jdbc:sqlite"],
      }],
    };
    await Deno.writeTextFile(join(dir.path, "dvt.lock"), JSON.stringify(pinned));
    const accepted = await sync(dir.path, server.url);
    assert.equal(accepted.code, 0, accepted.stderr);
    assert.deepEqual(
      await Deno.readFile(join(jdbcDir(dir.path), "sqlite-jdbc-3.40.1.0.jar")),
      await Deno.readFile(join(DEBIAN_MAVEN_REPO, DRIVERS.sqlite)),
    );
  },
});

Deno.test({
  name: "runSync() sends repository credentials from env and never writes them out",
  ignore: !debianAvailable,
  async fn() {
    await using dir = await tempDir();
    const token = "s3cr3t-token-value";
    await using server = serveMavenRepository({ authorization: `Bearer ${token}` });
    await Deno.writeTextFile(join(dir.path, "profiles.yml"), PROFILES);
    await Deno.writeTextFile(
      join(dir.path, "dvt.yaml"),
      PROJECT + `  repositories:\n    - { url: "${server.url}", token_env: REPO_TOKEN }\n`,
    );
    const env = { DVT_HOME: join(dir.path, "home"), REPO_TOKEN: token };
    const result = await runCli(["sync", "--json", "--log-level", "debug"], { cwd: dir.path, env });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(server.requests.length > 0);
    const lock = await Deno.readTextFile(join(dir.path, "dvt.lock"));
    for (const text of [lock, result.stdout, result.stderr]) assert.ok(!text.includes(token));

    const missing = await runCli(["sync"], { cwd: dir.path, env: { DVT_HOME: env.DVT_HOME } });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /environment variable REPO_TOKEN .* is not set/);
  },
});

/**
 * dvt's resolution versus Maven's own: the same projects, the same repository (Debian's real
 * POMs served over 127.0.0.1), `mvn dependency:list` against `dvt sync`'s dvt.lock. Skipped, with
 * the reason, when mvn or Debian's maven-dependency-plugin (plus junit4, which its POM needs) is
 * not installed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli, tempDir } from "../_helpers.ts";
import { DEBIAN_MAVEN_REPO, serveMavenRepository } from "./_maven_repo_server.ts";

const PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.5.0";

/** Adapter name -> root coordinates, resolved by both tools. */
const ROOTS: Record<string, string> = {
  postgres: "org.postgresql:postgresql:42.5.5",
  mariadb: "org.mariadb.jdbc:mariadb-java-client:2.7.6",
  sqlite: "org.xerial:sqlite-jdbc:3.40.1.0",
  mavencore: "org.apache.maven:maven-core:3.8.7",
};

async function skipReason(): Promise<string | undefined> {
  const mvn = await new Deno.Command("mvn", { args: ["-v"], stdout: "null", stderr: "null" })
    .output().then((out) => out.success, () => false);
  if (!mvn) return "mvn is not installed";
  const plugin = join(DEBIAN_MAVEN_REPO, "org/apache/maven/plugins/maven-dependency-plugin/3.5.0");
  const junit = join(DEBIAN_MAVEN_REPO, "junit/junit/4.x");
  for (const path of [plugin, junit]) {
    if (!await Deno.stat(path).then(() => true, () => false)) {
      return `${path} missing: apt-get install libmaven-dependency-plugin-java junit4`;
    }
  }
  return undefined;
}

const reason = await skipReason();
if (reason) console.error(`sync_maven_compare_test: skipped: ${reason}`);

function pom(): string {
  const dependencies = Object.values(ROOTS).map((text) => {
    const [groupId, artifactId, version] = text.split(":");
    return `<dependency><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId>` +
      `<version>${version}</version></dependency>`;
  }).join("");
  return `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>` +
    `<groupId>dvt.test</groupId><artifactId>compare</artifactId><version>1</version>` +
    `<dependencies>${dependencies}</dependencies></project>`;
}

/** `g:a:type[:classifier]:version:scope` lines of dependency:list -> `g:a[:classifier]:v`. */
function parseMavenList(text: string): string[] {
  return text.split("\n").map((line) => line.trim().split(" ")[0]).filter((item) =>
    /^[^:]+:[^:]+:jar:/.test(item)
  ).map((item) => {
    const parts = item.split(":");
    return parts.length === 6
      ? `${parts[0]}:${parts[1]}:jar:${parts[3]}:${parts[4]}`
      : `${parts[0]}:${parts[1]}:${parts[3]}`;
  }).sort();
}

Deno.test({
  name: "runSync() resolves the same artifacts and versions as mvn dependency:list",
  ignore: reason !== undefined,
  async fn() {
    await using dir = await tempDir();
    await using server = serveMavenRepository();
    const adapters = Object.entries(ROOTS).map(([name, coordinates]) =>
      `    ${name}: { jdbc: "${coordinates}" }`
    ).join("\n");
    await Deno.writeTextFile(join(dir.path, "dvt.yaml"), `sync:\n  adapters:\n${adapters}\n`);
    const outputs = Object.keys(ROOTS).map((name) => `    ${name}: { type: ${name} }`).join("\n");
    await Deno.writeTextFile(join(dir.path, "profiles.yml"), `p:\n  outputs:\n${outputs}\n`);
    const synced = await runCli(["sync", "--no-native"], {
      cwd: dir.path,
      env: { DVT_HOME: join(dir.path, "home"), DVT_MAVEN_REPOS: server.url },
    });
    assert.equal(synced.code, 0, synced.stderr);
    const lock = JSON.parse(await Deno.readTextFile(join(dir.path, "dvt.lock")));
    const dvt = lock.artifacts.map((a: { coordinates: string }) => a.coordinates).sort();

    const maven = join(dir.path, "maven");
    await Deno.mkdir(maven);
    await Deno.writeTextFile(join(maven, "pom.xml"), pom());
    await Deno.writeTextFile(
      join(maven, "settings.xml"),
      `<settings><mirrors><mirror><id>local</id><mirrorOf>*</mirrorOf><url>${server.url}/</url>` +
        `</mirror></mirrors></settings>`,
    );
    const listFile = join(maven, "list.txt");
    const output = await new Deno.Command("mvn", {
      args: [
        "-B",
        "-q",
        "-s",
        "settings.xml",
        `-Dmaven.repo.local=${join(maven, "repo")}`,
        `${PLUGIN}:list`,
        "-DincludeScope=runtime",
        `-DoutputFile=${listFile}`,
      ],
      cwd: maven,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const log = new TextDecoder().decode(output.stdout);
    assert.ok(output.success, log);
    const mvn = parseMavenList(await Deno.readTextFile(listFile));
    assert.ok(mvn.length >= 20, `expected a real graph, mvn listed ${mvn.length}`);
    assert.deepEqual(dvt, mvn);
  },
});

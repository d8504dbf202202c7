/**
 * dvt's resolution versus Maven's own: the same projects, the same repository (Debian's real
 * POMs served over 127.0.0.1), `mvn dependency:list` against `dvt sync`'s dvt.lock. Skipped, with
 * the reason, when mvn or Debian's maven-dependency-plugin (plus junit4, which its POM needs) is
 * not installed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  DEBIAN_SYNC_ROOTS,
  mavenArgs,
  mavenSkipReason,
  mirrorSettings,
  projectPom,
  runMaven,
  writeSyncProject,
} from "../_maven.ts";
import { runCli, tempDir } from "../_helpers.ts";
import { serveMavenRepository } from "./_maven_repo_server.ts";

const reason = await mavenSkipReason();
if (reason) console.error(`sync_maven_compare_test: skipped: ${reason}`);

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
    await writeSyncProject(dir.path, DEBIAN_SYNC_ROOTS);
    const synced = await runCli(["sync", "--no-native"], {
      cwd: dir.path,
      env: { DVT_HOME: join(dir.path, "home"), DVT_MAVEN_REPOS: server.url },
    });
    assert.equal(synced.code, 0, synced.stderr);
    const lock = JSON.parse(await Deno.readTextFile(join(dir.path, "dvt.lock")));
    const dvt = lock.artifacts.map((a: { coordinates: string }) => a.coordinates).sort();

    const maven = join(dir.path, "maven");
    await Deno.mkdir(maven);
    await Deno.writeTextFile(join(maven, "pom.xml"), projectPom(Object.values(DEBIAN_SYNC_ROOTS)));
    await Deno.writeTextFile(join(maven, "settings.xml"), mirrorSettings(server.url));
    const listFile = join(maven, "list.txt");
    await runMaven(
      maven,
      mavenArgs("list", {
        localRepo: join(maven, "repo"),
        properties: { includeScope: "runtime", outputFile: listFile },
      }),
    );
    const mvn = parseMavenList(await Deno.readTextFile(listFile));
    assert.ok(mvn.length >= 20, `expected a real graph, mvn listed ${mvn.length}`);
    assert.deepEqual(dvt, mvn);
  },
});

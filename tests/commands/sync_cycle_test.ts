import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli, tempDir } from "../_helpers.ts";
import { serveMavenRepository } from "./_maven_repo_server.ts";

function pom(artifact: string, dependsOn: string): string {
  return `<project><modelVersion>4.0.0</modelVersion><groupId>org.example</groupId>
  <artifactId>${artifact}</artifactId><version>1.0</version>
  <dependencies><dependency><groupId>org.example</groupId><artifactId>${dependsOn}</artifactId>
  <version>1.0</version></dependency></dependencies></project>`;
}

async function publish(root: string, artifact: string, dependsOn: string): Promise<void> {
  const dir = join(root, "org/example", artifact, "1.0");
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(join(dir, `${artifact}-1.0.pom`), pom(artifact, dependsOn));
  await Deno.writeTextFile(join(dir, `${artifact}-1.0.jar`), `jar of ${artifact}`);
}

Deno.test("dvt sync cuts a dependency cycle as Maven does and warns with its path", async () => {
  await using dir = await tempDir();
  const repo = join(dir.path, "repo");
  await publish(repo, "alpha", "beta");
  await publish(repo, "beta", "alpha");
  await using server = serveMavenRepository({ roots: [repo] });
  await Deno.writeTextFile(
    join(dir.path, "profiles.yml"),
    "p:\n  outputs:\n    a: { type: loop }\n",
  );
  await Deno.writeTextFile(
    join(dir.path, "dvt.yaml"),
    'sync:\n  adapters:\n    loop: { jdbc: "org.example:alpha:1.0" }\n',
  );
  const result = await runCli(["sync", "--json"], {
    cwd: dir.path,
    env: { DVT_HOME: join(dir.path, "home"), DVT_MAVEN_REPOS: server.url },
  });
  assert.equal(result.code, 0, result.stderr);
  const events = result.stderr.trim().split("\n").map((line) => JSON.parse(line));
  const cycle = events.find((event) => event.event === "DependencyCycleCut");
  assert.ok(cycle, result.stderr);
  assert.equal(cycle.level, "warn");
  assert.deepEqual(cycle.trail, [
    "org.example:alpha:1.0",
    "org.example:beta:1.0",
    "org.example:alpha:1.0",
  ]);
  const jars = [];
  for await (const entry of Deno.readDir(join(dir.path, "home/lib/jdbc"))) {
    if (entry.name.endsWith(".jar")) jars.push(entry.name);
  }
  assert.deepEqual(jars.sort(), ["alpha-1.0.jar", "beta-1.0.jar"]);
});

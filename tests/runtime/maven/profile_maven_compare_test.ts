/**
 * Profile activation versus Maven's own: the profile fixture POMs (plus generated leaf POMs)
 * resolved by `mvn dependency:tree` and by resolveDependencies() with the same JDK, OS, user
 * properties and environment. Skipped, with the reason, when mvn or Debian's
 * maven-dependency-plugin is not installed. Triggers whose text needs interpolation are left
 * out: Maven 3.9 interpolates them, the 3.8 Debian ships does not.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatCoordinates } from "../../../runtime/maven/coordinates.ts";
import { DirectoryPomSource } from "./_directory_pom_source.ts";
import { resolveDependencies } from "../../../runtime/maven/resolver.ts";
import { tempDir } from "../../_helpers.ts";
import {
  DEBIAN_MAVEN_REPO,
  mavenArgs,
  mavenSkipReason,
  projectPom,
  runMaven,
} from "../../_maven.ts";
import { pomXml } from "./_memory_pom_source.ts";

const GROUP = "com.example.profiles";
const FIXTURES = fileURLToPath(
  new URL("../../fixtures/maven/repo/com/example/profiles", import.meta.url),
);
const ROOTS = ["defaults", "jdk", "os", "properties", "profiled-child"];
const LEAF_VERSIONS = ["1.0", "1.5", "2.0", "3.0"];

async function mavenJavaVersion(): Promise<string | undefined> {
  const output = await new Deno.Command("mvn", { args: ["-v"], stdout: "piped", stderr: "null" })
    .output().catch(() => undefined);
  if (!output?.success) return undefined;
  return /Java version: ([^,\s]+)/.exec(new TextDecoder().decode(output.stdout))?.[1];
}

const missing = await mavenSkipReason();
const javaVersion = missing ? undefined : await mavenJavaVersion();
// Activation is compared under mvn's own JDK, so its version must be known.
const reason = missing ?? (javaVersion ? undefined : "mvn -v did not report a Java version");
if (reason) console.error(`profile_maven_compare_test: skipped: ${reason}`);

// A repository with the fixture POMs and an empty POM for every artifact they mention.
async function writeRepository(root: string): Promise<void> {
  const mentioned = new Set<string>();
  for (const id of ROOTS.concat("profiles-parent")) {
    const dir = join(root, "com/example/profiles", id, "1");
    await Deno.mkdir(dir, { recursive: true });
    const xml = await Deno.readTextFile(join(FIXTURES, id, "1", `${id}-1.pom`));
    await Deno.writeTextFile(join(dir, `${id}-1.pom`), xml);
    for (const match of xml.matchAll(/<artifactId>([^<]+)<\/artifactId>/g)) mentioned.add(match[1]);
  }
  for (const artifactId of mentioned) {
    if (ROOTS.includes(artifactId) || artifactId === "profiles-parent") continue;
    for (const version of LEAF_VERSIONS) {
      const dir = join(root, "com/example/profiles", artifactId, version);
      await Deno.mkdir(dir, { recursive: true });
      await Deno.writeTextFile(
        join(dir, `${artifactId}-${version}.pom`),
        pomXml({ id: `${GROUP}:${artifactId}:${version}` }),
      );
    }
  }
}

function settings(repository: string): string {
  const repo = (id: string, url: string) =>
    `<repository><id>${id}</id><url>${url}</url></repository>`;
  return `<settings><profiles><profile><id>local</id><repositories>` +
    repo("fixtures", `file://${repository}`) + repo("central", `file://${DEBIAN_MAVEN_REPO}`) +
    `</repositories><pluginRepositories><pluginRepository><id>central</id>` +
    `<url>file://${DEBIAN_MAVEN_REPO}</url></pluginRepository></pluginRepositories>` +
    `</profile></profiles><activeProfiles><activeProfile>local</activeProfile></activeProfiles>` +
    `</settings>`;
}

/** `g:a:type:v:scope` lines of dependency:tree below the project -> `g:a:v scope`. */
function parseTree(text: string): string[] {
  return text.split("\n").slice(1).map((line) => line.replace(/^[|+\\\- ]+/, "").trim())
    .filter((item) => item.startsWith(`${GROUP}:`)).map((item) => {
      const [groupId, artifactId, , version, scope] = item.split(":");
      return `${groupId}:${artifactId}:${version} ${scope}`;
    }).sort();
}

async function mavenTree(
  dir: string,
  properties: Record<string, string>,
  env: Record<string, string>,
): Promise<string[]> {
  const outputFile = join(dir, "tree.txt");
  const args = mavenArgs("tree", {
    localRepo: join(dir, "local"),
    properties: { ...properties, outputFile },
  });
  await runMaven(dir, args, env);
  return parseTree(await Deno.readTextFile(outputFile));
}

async function dvtResolution(
  repository: string,
  properties: Record<string, string>,
  env: Record<string, string>,
): Promise<string[]> {
  const artifacts = await resolveDependencies(
    ROOTS.map((artifactId) => ({
      coordinates: { groupId: GROUP, artifactId, version: "1", type: "jar" },
    })),
    new DirectoryPomSource(repository),
    { activation: { jdk: javaVersion, properties }, env },
  );
  return artifacts.map((a) => `${formatCoordinates(a.coordinates)} ${a.scope}`).sort();
}

const RUNS: Array<{ properties: Record<string, string>; env: Record<string, string> }> = [
  { properties: {}, env: {} },
  { properties: { "opt.in": "yes", flavour: "fast", quiet: "" }, env: { DVT_PROFILE_TEST: "on" } },
];

Deno.test({
  name: "resolveDependencies() activates the same POM profiles as mvn dependency:tree",
  ignore: reason !== undefined,
  async fn() {
    await using dir = await tempDir();
    const repository = join(dir.path, "repository");
    await writeRepository(repository);
    await Deno.writeTextFile(
      join(dir.path, "pom.xml"),
      projectPom(ROOTS.map((id) => `${GROUP}:${id}:1`)),
    );
    await Deno.writeTextFile(join(dir.path, "settings.xml"), settings(repository));
    for (const { properties, env } of RUNS) {
      const mvn = await mavenTree(dir.path, properties, env);
      assert.ok(mvn.length >= 12, `expected a real graph, mvn listed ${mvn.join(", ")}`);
      assert.deepEqual(await dvtResolution(repository, properties, env), mvn);
    }
  },
});

/**
 * Three model rules on purpose-made POMs (tests/fixtures/maven/repo/com/example/rules) versus
 * Maven 3.8.7: `<optional>` in dependencyManagement is not managed; a dependency with exclusions
 * of its own takes none from management (one without takes the managed ones); a dependency
 * declared twice in one POM keeps its last declaration. The first test states Maven's answer
 * (as `mvn dependency:tree` printed it) so it runs anywhere; the second asks mvn itself, and is
 * skipped, with the reason, when mvn or Debian's maven-dependency-plugin is not installed.
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
import { type PomSpec, pomXml } from "./_memory_pom_source.ts";

const GROUP = "com.example.rules";
const FIXTURES = fileURLToPath(
  new URL("../../fixtures/maven/repo/com/example/rules", import.meta.url),
);
const ROOTS = ["managed-optional", "own-exclusions", "managed-exclusions", "declared-twice"];

const g = (artifact: string) => `${GROUP}:${artifact}`;
const LEAVES: PomSpec[] = [
  { id: g("lib-a:1.0") },
  { id: g("lib-b:1.0"), deps: [g("lib-x:1.0"), g("lib-y:1.0")] },
  { id: g("lib-c:1.0") },
  { id: g("lib-c:2.0"), deps: [g("lib-f:1.0")] },
  { id: g("lib-d:1.0"), deps: [g("lib-z:1.0")] },
  { id: g("lib-e:1.0") },
  { id: g("lib-f:1.0") },
  { id: g("lib-x:1.0") },
  { id: g("lib-y:1.0") },
  { id: g("lib-z:1.0") },
];

/** What `mvn dependency:tree` (Maven 3.8.7) lists for the four fixture roots. */
const MAVEN_3_8_7 = [
  "declared-twice:1",
  "lib-a:1.0", // managed <optional>true</optional> ignored
  "lib-b:1.0",
  "lib-c:2.0", // the last of two declarations
  "lib-d:1.0", // lib-z excluded by management: lib-d declares no exclusions
  "lib-e:1.0",
  "lib-f:1.0", // lib-c 2.0's dependency
  "lib-x:1.0", // kept: lib-b's own exclusion (lib-y) replaces the managed one (lib-x)
  "managed-exclusions:1",
  "managed-optional:1",
  "own-exclusions:1",
].map((item) => `${GROUP}:${item} compile`);

async function writeRepository(root: string): Promise<void> {
  for (const id of ROOTS) {
    const dir = join(root, "com/example/rules", id, "1");
    await Deno.mkdir(dir, { recursive: true });
    await Deno.copyFile(join(FIXTURES, id, "1", `${id}-1.pom`), join(dir, `${id}-1.pom`));
  }
  for (const leaf of LEAVES) {
    const [, artifactId, version] = leaf.id.split(":");
    const dir = join(root, "com/example/rules", artifactId, version);
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(join(dir, `${artifactId}-${version}.pom`), pomXml(leaf));
  }
}

async function dvtResolution(repository: string): Promise<string[]> {
  const artifacts = await resolveDependencies(
    ROOTS.map((artifactId) => ({
      coordinates: { groupId: GROUP, artifactId, version: "1", type: "jar" },
    })),
    new DirectoryPomSource(repository),
  );
  return artifacts.map((a) => `${formatCoordinates(a.coordinates)} ${a.scope}`).sort();
}

Deno.test("resolveDependencies() follows Maven 3.8.7 on managed optional, exclusions and duplicates", async () => {
  await using dir = await tempDir();
  await writeRepository(dir.path);
  assert.deepEqual(await dvtResolution(dir.path), MAVEN_3_8_7);
});

const reason = await mavenSkipReason();
if (reason) console.error(`management_maven_compare_test: skipped: ${reason}`);

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

Deno.test({
  name: "resolveDependencies() resolves the rule fixtures as mvn dependency:tree does",
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
    const outputFile = join(dir.path, "tree.txt");
    await runMaven(
      dir.path,
      mavenArgs("tree", { localRepo: join(dir.path, "local"), properties: { outputFile } }),
    );
    const mvn = parseTree(await Deno.readTextFile(outputFile));
    assert.deepEqual(mvn, MAVEN_3_8_7, "Maven's own answer is the one the first test states");
    assert.deepEqual(await dvtResolution(repository), mvn);
  },
});

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { formatCoordinates } from "../../../runtime/maven/coordinates.ts";
import { DirectoryPomSource } from "./_directory_pom_source.ts";
import { ModelBuilder } from "../../../runtime/maven/model_builder.ts";
import { parsePom } from "../../../runtime/maven/pom.ts";
import type { FetchedPom, PomSource } from "../../../runtime/maven/pom_source.ts";
import type { ActivationOptions } from "../../../runtime/maven/profile_activation.ts";
import { injectProfiles } from "../../../runtime/maven/profile_injection.ts";
import { resolveDependencies } from "../../../runtime/maven/resolver.ts";
import { MEMORY_REPOSITORY, pomXml } from "./_memory_pom_source.ts";

const REPO = fileURLToPath(new URL("../../fixtures/maven/repo", import.meta.url));
const LINUX = { name: "Linux", arch: "amd64", version: "5.15.0" };

const PROFILED_POM = `<project>
  <artifactId>a</artifactId>
  <properties><v>1</v><keep>k</keep></properties>
  <dependencies>
    <dependency><groupId>g</groupId><artifactId>first</artifactId><version>1</version>
      <exclusions><exclusion><groupId>x</groupId><artifactId>a</artifactId></exclusion></exclusions>
    </dependency>
    <dependency><groupId>g</groupId><artifactId>second</artifactId><version>1</version></dependency>
  </dependencies>
  <profiles>
    <profile>
      <id>one</id>
      <activation>
        <activeByDefault>true</activeByDefault>
        <jdk>[11,)</jdk>
        <os><family>!windows</family><arch>amd64</arch></os>
        <property><name>p</name><value>!x</value></property>
        <file><exists>\${basedir}/a</exists></file>
      </activation>
      <properties><v>2</v></properties>
      <dependencies>
        <dependency><groupId>g</groupId><artifactId>first</artifactId><version>2</version>
          <scope>runtime</scope>
          <exclusions><exclusion><groupId>x</groupId><artifactId>b</artifactId></exclusion></exclusions>
        </dependency>
        <dependency><groupId>g</groupId><artifactId>third</artifactId><version>1</version></dependency>
      </dependencies>
      <dependencyManagement><dependencies>
        <dependency><groupId>g</groupId><artifactId>m</artifactId><version>3</version></dependency>
      </dependencies></dependencyManagement>
    </profile>
    <profile><activation><property/></activation></profile>
  </profiles>
</project>`;

Deno.test("parsePom() reads profiles with their activation, properties and dependencies", () => {
  const pom = parsePom(PROFILED_POM, "g:a:1");
  assert.equal(pom.profiles.length, 2);
  const [one, unnamed] = pom.profiles;
  assert.equal(one.id, "one");
  assert.deepEqual(one.activation, {
    activeByDefault: true,
    jdk: "[11,)",
    os: { family: "!windows", arch: "amd64" },
    property: { name: "p", value: "!x" },
    file: { exists: "${basedir}/a" },
  });
  assert.equal(one.properties.get("v"), "2");
  assert.deepEqual(one.dependencies.map((d) => d.artifactId), ["first", "third"]);
  assert.deepEqual(one.dependencies[0].exclusions, [{ groupId: "x", artifactId: "b" }]);
  assert.deepEqual(one.dependencyManagement.map((d) => d.version), ["3"]);
  assert.equal(unnamed.id, "default");
  assert.deepEqual(unnamed.activation, { activeByDefault: false, property: {} });
});

Deno.test("injectProfiles() lets the profile win, replacing same-key dependencies in place", () => {
  const pom = parsePom(PROFILED_POM, "g:a:1");
  const injected = injectProfiles(pom, [pom.profiles[0]]);
  assert.deepEqual([...injected.properties], [["v", "2"], ["keep", "k"]]);
  assert.deepEqual(
    injected.dependencies.map((d) => `${d.artifactId}:${d.version}:${d.scope ?? ""}`),
    ["first:2:runtime", "second:1:", "third:1:"],
  );
  // Replaced whole, as Maven 3 does: the POM's own exclusion of x:a is gone.
  assert.deepEqual(injected.dependencies[0].exclusions.map((e) => e.artifactId), ["b"]);
  assert.deepEqual(injected.dependencyManagement.map((d) => d.artifactId), ["m"]);
  // The parsed POM itself is left as written.
  assert.equal(pom.dependencies[0].version, "1");
  assert.equal(pom.properties.get("v"), "1");
});

async function childModel(activation: ActivationOptions) {
  const builder = new ModelBuilder(new DirectoryPomSource(REPO), {}, activation);
  const model = await builder.build("com.example.profiles", "profiled-child", "1");
  assert.ok(model);
  return model;
}

Deno.test("ModelBuilder.build() applies a parent's profiles to the parent before inheritance", async () => {
  const model = await childModel({ os: LINUX });
  const ids = model.dependencies.map((d) => d.coordinates.artifactId);
  // The child activates child-jdk, which turns its own activeByDefault profile off but not the
  // parent's: activeByDefault is decided per POM.
  assert.deepEqual(ids, [
    "interp-lib",
    "managed-by-profile",
    "merged-lib",
    "last-own",
    "child-jdk-lib",
    "parent-default-lib",
  ]);
});

Deno.test("ModelBuilder.build() interpolates dependency versions with profile properties", async () => {
  const model = await childModel({ os: LINUX });
  const versions = Object.fromEntries(
    model.dependencies.map((d) => [d.coordinates.artifactId, d.coordinates.version]),
  );
  assert.equal(versions["interp-lib"], "2.0"); // the parent's profile overrides its 1.0
  assert.equal(versions["merged-lib"], "1.5"); // the child's profile overrides own.version
  const merged = model.dependencies.find((d) => d.coordinates.artifactId === "merged-lib");
  assert.deepEqual(merged?.exclusions.map((e) => e.artifactId), ["b"]);
});

Deno.test("ModelBuilder.build() manages dependencies with a profile's dependencyManagement", async () => {
  const model = await childModel({ os: LINUX });
  const managed = model.dependencies.find((d) => d.coordinates.artifactId === "managed-by-profile");
  assert.equal(managed?.coordinates.version, "3.0");
  assert.equal(managed?.scope, "runtime");
  assert.ok(
    model.dependencyManagement.some((d) => d.coordinates.artifactId === "managed-by-profile"),
  );
});

Deno.test("ModelBuilder.build() falls back to the child's activeByDefault profile when nothing triggers", async () => {
  const model = await childModel({ jdk: "1.8.0_392", os: LINUX });
  const summary = model.dependencies.map((d) => formatCoordinates(d.coordinates));
  assert.deepEqual(summary, [
    "com.example.profiles:interp-lib:2.0",
    "com.example.profiles:managed-by-profile:3.0",
    "com.example.profiles:merged-lib:1.0",
    "com.example.profiles:last-own:1.0",
    "com.example.profiles:child-default-lib:1.0",
    "com.example.profiles:parent-default-lib:1.0",
  ]);
});

/** Serves raw POM XML by "g:a:v"; no metadata (the test uses no version ranges). */
class XmlPomSource implements PomSource {
  readonly repositories = [MEMORY_REPOSITORY];
  readonly #poms: Map<string, string>;

  constructor(poms: Record<string, string>) {
    this.#poms = new Map(Object.entries(poms));
  }

  fetchPom(groupId: string, artifactId: string, version: string): Promise<FetchedPom | undefined> {
    const xml = this.#poms.get(`${groupId}:${artifactId}:${version}`);
    return Promise.resolve(xml === undefined ? undefined : { xml, repository: MEMORY_REPOSITORY });
  }

  fetchMetadata(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }
}

function profilePom(id: string, deps: string, profiles: string): string {
  const [groupId, artifactId, version] = id.split(":");
  return `<project><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId>` +
    `<version>${version}</version><dependencies>${deps}</dependencies>` +
    `<profiles>${profiles}</profiles></project>`;
}

const dependency = (artifactId: string, version: string) =>
  `<dependency><groupId>g</groupId><artifactId>${artifactId}</artifactId>` +
  `<version>${version}</version></dependency>`;

const SOURCE_POMS = {
  "g:app:1": profilePom(
    "g:app:1",
    dependency("mid", "1"),
    `<profile><id>modern</id><activation><jdk>[11,)</jdk></activation>` +
      `<dependencies>${dependency("lib", "2.0")}</dependencies></profile>`,
  ),
  "g:mid:1": profilePom(
    "g:mid:1",
    dependency("lib", "1.0"),
    `<profile><id>extra</id><activation><property><name>!skip.extra</name></property>` +
      `</activation><dependencies>${dependency("extra", "1.0")}</dependencies></profile>`,
  ),
  "g:lib:1.0": pomXml({ id: "g:lib:1.0" }),
  "g:lib:2.0": pomXml({ id: "g:lib:2.0" }),
  "g:extra:1.0": pomXml({ id: "g:extra:1.0" }),
};

async function resolveApp(activation: ActivationOptions): Promise<string[]> {
  const artifacts = await resolveDependencies(
    [{ coordinates: { groupId: "g", artifactId: "app", version: "1", type: "jar" } }],
    new XmlPomSource(SOURCE_POMS),
    { activation, env: {} },
  );
  return artifacts.map((a) => `${formatCoordinates(a.coordinates)}@${a.depth}`);
}

Deno.test("resolveDependencies() mediates profile dependencies like declared ones", async () => {
  // JDK 17: app's profile declares lib 2.0 at depth 2, nearer than mid's lib 1.0.
  assert.deepEqual(await resolveApp({ os: LINUX }), [
    "g:app:1@1",
    "g:mid:1@2",
    "g:lib:2.0@2",
    "g:extra:1.0@3",
  ]);
  // JDK 8 and skip.extra set: neither profile is active.
  assert.deepEqual(
    await resolveApp({ jdk: "1.8.0_392", os: LINUX, properties: { "skip.extra": "true" } }),
    ["g:app:1@1", "g:mid:1@2", "g:lib:1.0@3"],
  );
});

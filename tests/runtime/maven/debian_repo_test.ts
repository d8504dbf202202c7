/**
 * Resolution over the real POMs Debian ships in /usr/share/maven-repo (packages
 * libpostgresql-jdbc-java, libmariadb-java, libxerial-sqlite-jdbc-java, libsisu-plexus-java).
 * The expected sets were worked out by reading those POMs by hand.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { resolveDependencies } from "../../../runtime/maven/resolver.ts";
import { DirectoryPomSource } from "./_directory_pom_source.ts";
import { ModelBuilder } from "../../../runtime/maven/model_builder.ts";
import { formatCoordinates, parseCoordinates } from "../../../runtime/maven/coordinates.ts";

const DEBIAN_REPO = "/usr/share/maven-repo";
const ignore = !existsSync(`${DEBIAN_REPO}/org/postgresql/postgresql`);

async function resolveOne(text: string): Promise<string[]> {
  const artifacts = await resolveDependencies(
    [{ coordinates: parseCoordinates(text) }],
    new DirectoryPomSource(DEBIAN_REPO),
  );
  return artifacts.map((a) => `${formatCoordinates(a.coordinates)} ${a.scope}@${a.depth}`);
}

async function declared(groupId: string, artifactId: string, version: string) {
  const model = await new ModelBuilder(new DirectoryPomSource(DEBIAN_REPO), {}).build(
    groupId,
    artifactId,
    version,
  );
  assert.ok(model, `${groupId}:${artifactId}:${version} is in ${DEBIAN_REPO}`);
  return model.dependencies.map((d) =>
    `${d.coordinates.groupId}:${d.coordinates.artifactId} ${d.scope ?? "compile"}` +
    (d.optional ? " optional" : "")
  );
}

Deno.test({
  name:
    "resolveDependencies() resolves Debian's postgresql driver alone (its scram client is optional)",
  ignore,
  async fn() {
    assert.deepEqual(await declared("org.postgresql", "postgresql", "42.5.5"), [
      "com.ongres.scram:client compile optional",
    ]);
    assert.deepEqual(await resolveOne("org.postgresql:postgresql:42.5.5"), [
      "org.postgresql:postgresql:42.5.5 compile@1",
    ]);
    assert.deepEqual(await resolveOne("org.postgresql:postgresql:debian"), [
      "org.postgresql:postgresql:debian compile@1",
    ]);
  },
});

Deno.test({
  name: "resolveDependencies() resolves Debian's mariadb driver without optional or provided deps",
  ignore,
  async fn() {
    assert.deepEqual(await declared("org.mariadb.jdbc", "mariadb-java-client", "2.7.6"), [
      "net.java.dev.jna:jna compile optional",
      "net.java.dev.jna:jna-platform compile optional",
      "org.slf4j:slf4j-api compile optional",
      "org.osgi:org.osgi.core provided",
      "org.osgi:org.osgi.compendium provided",
    ]);
    assert.deepEqual(await resolveOne("org.mariadb.jdbc:mariadb-java-client:2.7.6"), [
      "org.mariadb.jdbc:mariadb-java-client:2.7.6 compile@1",
    ]);
  },
});

Deno.test({
  name: "resolveDependencies() resolves Debian's sqlite-jdbc, which declares no dependencies",
  ignore,
  async fn() {
    assert.deepEqual(await declared("org.xerial", "sqlite-jdbc", "3.40.1.0"), []);
    assert.deepEqual(await resolveOne("org.xerial:sqlite-jdbc:3.40.1.0"), [
      "org.xerial:sqlite-jdbc:3.40.1.0 compile@1",
    ]);
  },
});

Deno.test({
  name:
    "resolveDependencies() resolves Debian's sisu-plexus graph: parents, management, exclusions, relocation",
  ignore: ignore || !existsSync(`${DEBIAN_REPO}/org/eclipse/sisu/org.eclipse.sisu.plexus`),
  async fn() {
    assert.deepEqual(await resolveOne("org.eclipse.sisu:org.eclipse.sisu.plexus:0.3.4"), [
      "org.eclipse.sisu:org.eclipse.sisu.plexus:0.3.4 compile@1",
      "javax.enterprise:cdi-api:debian compile@2",
      "org.eclipse.sisu:org.eclipse.sisu.inject:debian compile@2",
      // Declared as 1.5.5, whose Debian POM relocates to the packaged version.
      "org.codehaus.plexus:plexus-component-annotations:debian compile@2",
      "org.codehaus.plexus:plexus-classworlds:debian compile@2",
      "org.codehaus.plexus:plexus-utils:2.x compile@2",
      // cdi-api's own dependencyManagement gives these their versions; javax.el-api is optional.
      "org.apache.geronimo.specs:geronimo-interceptor_3.0_spec:debian compile@3",
      "javax.inject:javax.inject:debian compile@3",
      "org.slf4j:slf4j-api:debian compile@3",
    ]);
  },
});

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ModelBuilder } from "../../../runtime/maven/model_builder.ts";
import { DirectoryPomSource } from "./_directory_pom_source.ts";
import { formatCoordinates } from "../../../runtime/maven/coordinates.ts";
import { ResolveError } from "../../../runtime/errors.ts";

const REPO = fileURLToPath(new URL("../../fixtures/maven/repo", import.meta.url));
const ENV = { DVT_MAVEN_TEST_VERSION: "7.7" };

function builder(): ModelBuilder {
  return new ModelBuilder(new DirectoryPomSource(REPO), ENV);
}

async function dependenciesOf(artifactId: string): Promise<Record<string, string>> {
  const model = await builder().build("com.example", artifactId, "1");
  assert.ok(model);
  return Object.fromEntries(
    model.dependencies.map((d) => [d.coordinates.artifactId, formatCoordinates(d.coordinates)]),
  );
}

Deno.test("ModelBuilder.build() inherits groupId, version and dependencies from the parent", async () => {
  const model = await builder().build("com.example", "child", "1");
  assert.ok(model);
  assert.equal(model.groupId, "com.example");
  assert.equal(model.version, "1");
  assert.equal(model.packaging, "jar");
  const ids = model.dependencies.map((d) => d.coordinates.artifactId);
  // Child declarations first, then the parent's ones the child does not redeclare.
  assert.deepEqual(ids.slice(-1), ["inherited"]);
  assert.equal(ids.filter((id) => id === "overridden").length, 1);
});

Deno.test("ModelBuilder.build() lets the child's declaration and properties override the parent's", async () => {
  const deps = await dependenciesOf("child");
  assert.equal(deps["overridden"], "com.example:overridden:3.0");
  assert.ok("shared-from-child" in deps, JSON.stringify(Object.keys(deps)));
});

Deno.test("ModelBuilder.build() interpolates project, legacy, parent, env and nested expressions", async () => {
  const deps = await dependenciesOf("child");
  assert.equal(deps["self-ref"], "com.example:self-ref:1");
  assert.equal(deps["legacy"], "com.example:legacy:1");
  assert.equal(deps["parent-ver"], "com.example:parent-ver:1");
  assert.equal(deps["legacy-parent"], "com.example:legacy-parent:1");
  assert.equal(deps["env-dep"], "com.example:env-dep:7.7");
  assert.equal(deps["nested"], "com.example:nested:2.0.1");
});

Deno.test("ModelBuilder.build() leaves unresolvable and self-referencing expressions literal", async () => {
  const deps = await dependenciesOf("child");
  assert.equal(deps["undefined"], "com.example:undefined:${undefined.prop}");
  assert.equal(deps["looping"], "com.example:looping:${loop}");
});

Deno.test("ModelBuilder.build() fills missing versions and scopes from inherited management", async () => {
  const model = await builder().build("com.example", "child", "1");
  const managed = model?.dependencies.find((d) => d.coordinates.artifactId === "managed-lib");
  assert.equal(managed?.coordinates.version, "2.0");
  assert.equal(managed?.scope, "runtime");
});

Deno.test("ModelBuilder.build() imports BOMs in declaration order, own entries and the first BOM winning", async () => {
  const model = await builder().build("com.example", "uses-boms", "1");
  assert.ok(model);
  const versions = Object.fromEntries(
    model.dependencies.map((d) => [d.coordinates.artifactId, d.coordinates.version]),
  );
  assert.deepEqual(versions, { x: "1.0", y: "3.0", z: "2.0" });
  assert.equal(model.dependencies.find((d) => d.coordinates.artifactId === "z")?.scope, "runtime");
});

Deno.test("ModelBuilder.build() returns undefined for a POM no repository has", async () => {
  assert.equal(await builder().build("com.example", "nowhere", "1"), undefined);
});

Deno.test("ModelBuilder.build() reports a parent cycle with its path", async () => {
  await assert.rejects(
    () => builder().build("com.example", "cycle-a", "1"),
    (error: Error) => {
      assert.ok(error instanceof ResolveError);
      assert.match(
        error.message,
        /com\.example:cycle-a:1 -> com\.example:cycle-b:1 -> com\.example:cycle-a:1/,
      );
      return true;
    },
  );
});

Deno.test("ModelBuilder.build() reports a BOM import cycle with its path", async () => {
  await assert.rejects(
    () => builder().build("com.example", "uses-loop", "1"),
    (error: Error) => {
      assert.ok(error instanceof ResolveError);
      assert.match(
        error.message,
        /bom-loop-a:1 -> com\.example:bom-loop-b:1 -> com\.example:bom-loop-a:1/,
      );
      return true;
    },
  );
});

Deno.test("ModelBuilder.build() names the missing parent and the repository tried", async () => {
  await assert.rejects(
    () => builder().build("com.example", "orphan", "1"),
    (error: Error) => {
      assert.ok(error instanceof ResolveError);
      assert.match(
        error.message,
        /parent POM com\.example:missing-parent:9 of com\.example:orphan:1/,
      );
      assert.ok(error.message.includes(REPO));
      return true;
    },
  );
});

Deno.test("ModelBuilder.build() rejects malformed XML naming the coordinates", async () => {
  await assert.rejects(
    () => builder().build("com.example", "broken", "1"),
    (error: Error) => {
      assert.ok(error instanceof ResolveError);
      assert.match(error.message, /POM of com\.example:broken:1 is not well-formed XML/);
      return true;
    },
  );
});

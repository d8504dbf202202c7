import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { DirectoryPomSource } from "./_directory_pom_source.ts";
import { ModelBuilder } from "../../../runtime/maven/model_builder.ts";
import {
  activationEnvironment,
  type ActivationOptions,
  DEFAULT_JDK,
  matchesJdk,
  matchesProperty,
} from "../../../runtime/maven/profile_activation.ts";

const REPO = fileURLToPath(new URL("../../fixtures/maven/repo", import.meta.url));
const LINUX = { name: "Linux", arch: "amd64", version: "5.15.0" };

// The artifactIds a fixture POM ends up depending on, in model order.
async function activeDependencies(
  artifactId: string,
  activation: ActivationOptions,
  env: Record<string, string> = {},
): Promise<string[]> {
  const builder = new ModelBuilder(new DirectoryPomSource(REPO), env, activation);
  const model = await builder.build("com.example.profiles", artifactId, "1");
  assert.ok(model, `fixture ${artifactId} not found`);
  return model.dependencies.map((d) => d.coordinates.artifactId);
}

Deno.test("matchesJdk() treats plain values as prefixes, ! as negation and [..) as ranges", () => {
  const cases: Array<[string, string, boolean]> = [
    ["1.8", "1.8.0_392", true],
    ["1.8", "11.0.2", false],
    ["17", "17", true],
    ["1", "17", true], // a prefix, as Maven compares it
    ["!1.8", "17.0.1", true],
    ["!1.8", "1.8.0", false],
    ["[11,)", "17", true],
    ["[11,)", "11", true],
    ["[11,)", "1.8.0_392", false],
    ["(11,)", "11", false],
    ["(11,)", "11.0.1", true],
    ["[1.8,11)", "1.8.0_392", true],
    ["[1.8,11)", "11.0.2", false],
    ["[1.8,11]", "11.0.0", true],
    ["[1.8,11]", "11.0.2", false],
    ["(,11)", "1.7", true],
    ["(,11)", "17", false],
    ["[17,17]", "17", true],
  ];
  for (const [expression, version, expected] of cases) {
    assert.equal(matchesJdk(expression, version), expected, `${expression} vs ${version}`);
  }
});

Deno.test("matchesProperty() checks presence, absence, value and negated value", () => {
  const properties: Record<string, string> = { set: "yes", empty: "" };
  const lookup = (name: string) => properties[name];
  assert.equal(matchesProperty("set", undefined, lookup), true);
  assert.equal(matchesProperty("empty", undefined, lookup), false);
  assert.equal(matchesProperty("unset", undefined, lookup), false);
  assert.equal(matchesProperty("!unset", undefined, lookup), true);
  assert.equal(matchesProperty("!empty", undefined, lookup), true);
  assert.equal(matchesProperty("!set", undefined, lookup), false);
  assert.equal(matchesProperty("set", "yes", lookup), true);
  assert.equal(matchesProperty("set", "no", lookup), false);
  assert.equal(matchesProperty("set", "!no", lookup), true);
  assert.equal(matchesProperty("unset", "!no", lookup), true);
  assert.equal(matchesProperty("", undefined, lookup), false);
  assert.equal(matchesProperty(undefined, "yes", lookup), false);
});

Deno.test("activationEnvironment() defaults to JDK 17 and JVM-style names for this OS", () => {
  const environment = activationEnvironment();
  assert.equal(environment.jdk, DEFAULT_JDK);
  assert.equal(DEFAULT_JDK, "17");
  const expectedName = { linux: "Linux", darwin: "Mac OS X", windows: "Windows" }[
    Deno.build.os as string
  ];
  if (expectedName) assert.equal(environment.os.name, expectedName);
  assert.ok(["amd64", "x86_64", "aarch64"].includes(environment.os.arch));
  const custom = activationEnvironment({ jdk: "1.8", os: { family: "Tandem" } });
  assert.equal(custom.jdk, "1.8");
  assert.equal(custom.os.family, "Tandem");
  assert.equal(custom.os.name, environment.os.name);
});

Deno.test("ModelBuilder.build() activates activeByDefault profiles only when no other profile of the POM is", async () => {
  assert.deepEqual(await activeDependencies("defaults", { os: LINUX }), ["fallback-lib"]);
  assert.deepEqual(
    await activeDependencies("defaults", { os: LINUX, properties: { "opt.in": "yes" } }),
    ["opt-in-lib"],
  );
});

Deno.test("ModelBuilder.build() never activates file triggers of a dependency's POM", async () => {
  // exists pom.xml / missing no-such-file.txt would hold in most directories; the profile
  // combining a file trigger with a matching property stays off too (all triggers must match).
  const deps = await activeDependencies("defaults", { properties: { "opt.in": "yes" } });
  assert.ok(!deps.some((id) => id.startsWith("file-")), deps.join());
});

Deno.test("ModelBuilder.build() activates jdk profiles by prefix, range and negation", async () => {
  assert.deepEqual(await activeDependencies("jdk", {}), [
    "jdk11-plus-lib",
    "not-jdk8-lib",
    "jdk17-exactly-lib",
  ]);
  assert.deepEqual(await activeDependencies("jdk", { jdk: "1.8.0_392" }), [
    "jdk8-lib",
    "before-11-lib",
  ]);
  assert.deepEqual(await activeDependencies("jdk", { jdk: "11.0.2" }), [
    "jdk11-plus-lib",
    "not-jdk8-lib",
  ]);
});

Deno.test("ModelBuilder.build() activates os profiles by family, name, arch and version", async () => {
  assert.deepEqual(await activeDependencies("os", { os: LINUX }), ["unix-lib", "linux-5-lib"]);
  assert.deepEqual(
    await activeDependencies("os", { os: { name: "Mac OS X", arch: "aarch64", version: "14.4" } }),
    ["unix-lib", "arm-not-windows-lib", "mac-lib"],
  );
  assert.deepEqual(
    await activeDependencies("os", {
      os: { name: "Windows 11", arch: "aarch64", version: "10.0" },
    }),
    ["windows-lib"],
  );
});

Deno.test("ModelBuilder.build() activates property profiles by presence, value, negation and env", async () => {
  const base = { os: LINUX };
  assert.deepEqual(await activeDependencies("properties", base), ["not-fast-lib", "loud-lib"]);
  assert.deepEqual(
    await activeDependencies("properties", {
      ...base,
      properties: { flavour: "fast", quiet: "1" },
    }),
    ["fast-lib"],
  );
  assert.deepEqual(
    await activeDependencies("properties", { ...base, properties: { quiet: "1" } }, {
      DVT_PROFILE_TEST: "on",
    }),
    ["not-fast-lib", "env-lib"],
  );
});

Deno.test("ModelBuilder.build() interpolates trigger values with the POM's properties and sees java.version", async () => {
  const deps = await activeDependencies("properties", {
    jdk: "21",
    os: LINUX,
    properties: { "custom.flag": "x", quiet: "1" },
  });
  assert.deepEqual(deps, ["not-fast-lib", "custom-flag-lib", "java21-lib"]);
});

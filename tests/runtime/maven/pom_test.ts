import assert from "node:assert/strict";
import { parsePom } from "../../../runtime/maven/pom.ts";
import { ResolveError } from "../../../runtime/errors.ts";

const POM = `<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment before the root -->
<p:project xmlns:p="http://maven.apache.org/POM/4.0.0">
  <p:modelVersion>4.0.0</p:modelVersion>
  <p:parent>
    <p:groupId>org.example</p:groupId>
    <p:artifactId>parent</p:artifactId>
    <p:version>3</p:version>
  </p:parent>
  <p:artifactId>lib</p:artifactId>
  <p:packaging>bundle</p:packaging>
  <p:properties>
    <p:a.version>1.0</p:a.version>
    <p:empty/>
    <p:escaped>x &amp; y</p:escaped>
  </p:properties>
  <p:dependencyManagement><p:dependencies>
    <p:dependency><p:groupId>m</p:groupId><p:artifactId>n</p:artifactId><p:version>2</p:version>
      <p:scope>runtime</p:scope></p:dependency>
  </p:dependencies></p:dependencyManagement>
  <p:dependencies>
    <p:dependency>
      <p:groupId>g</p:groupId><p:artifactId>a</p:artifactId><p:version>\${a.version}</p:version>
      <p:type>test-jar</p:type><p:classifier>tests</p:classifier><p:scope>test</p:scope>
      <p:optional>true</p:optional>
      <p:exclusions>
        <p:exclusion><p:groupId>*</p:groupId><p:artifactId>*</p:artifactId></p:exclusion>
        <p:exclusion><p:groupId>only.group</p:groupId></p:exclusion>
      </p:exclusions>
    </p:dependency>
    <p:dependency><p:groupId>g</p:groupId><p:artifactId>b</p:artifactId></p:dependency>
  </p:dependencies>
  <p:distributionManagement><p:relocation><p:groupId>new.g</p:groupId>
    <p:message>moved</p:message></p:relocation></p:distributionManagement>
</p:project>`;

Deno.test("parsePom() reads a namespaced POM as written", () => {
  const pom = parsePom(POM, "org.example:lib:3");
  assert.deepEqual(pom.parent, { groupId: "org.example", artifactId: "parent", version: "3" });
  assert.equal(pom.groupId, undefined);
  assert.equal(pom.artifactId, "lib");
  assert.equal(pom.version, undefined);
  assert.equal(pom.packaging, "bundle");
  assert.deepEqual([...pom.properties], [["a.version", "1.0"], ["empty", ""], [
    "escaped",
    "x & y",
  ]]);
  assert.deepEqual(pom.dependencyManagement, [
    { groupId: "m", artifactId: "n", version: "2", scope: "runtime", exclusions: [] },
  ]);
  assert.deepEqual(pom.dependencies, [
    {
      groupId: "g",
      artifactId: "a",
      version: "${a.version}",
      type: "test-jar",
      classifier: "tests",
      scope: "test",
      optional: "true",
      exclusions: [
        { groupId: "*", artifactId: "*" },
        { groupId: "only.group", artifactId: "*" },
      ],
    },
    { groupId: "g", artifactId: "b", exclusions: [] },
  ]);
  assert.deepEqual(pom.relocation, { groupId: "new.g", message: "moved" });
});

Deno.test("parsePom() rejects malformed XML and non-POMs naming the coordinates", () => {
  assert.throws(() => parsePom("<project><a></b></project>", "g:a:1"), (error: Error) => {
    assert.ok(error instanceof ResolveError);
    assert.match(error.message, /g:a:1.*not well-formed XML/);
    return true;
  });
  assert.throws(() => parsePom("<html><body/></html>", "g:a:2"), (error: Error) => {
    assert.ok(error instanceof ResolveError);
    assert.match(error.message, /POM of g:a:2 has no <project> element/);
    return true;
  });
});

import assert from "node:assert/strict";
import {
  artifactFileName,
  artifactPath,
  formatCoordinates,
  metadataPath,
  parseCoordinates,
  pomPath,
} from "../../../runtime/maven/coordinates.ts";
import { InputError } from "../../../runtime/errors.ts";

Deno.test("parseCoordinates() reads 3, 4 and 5 part forms", () => {
  assert.deepEqual(parseCoordinates("org.postgresql:postgresql:42.7.4"), {
    groupId: "org.postgresql",
    artifactId: "postgresql",
    version: "42.7.4",
    type: "jar",
  });
  assert.deepEqual(parseCoordinates("g:a:pom:1"), {
    groupId: "g",
    artifactId: "a",
    version: "1",
    type: "pom",
  });
  assert.deepEqual(parseCoordinates("g:a:jar:linux-x86_64:1.0"), {
    groupId: "g",
    artifactId: "a",
    version: "1.0",
    type: "jar",
    classifier: "linux-x86_64",
  });
  assert.equal(parseCoordinates("g:a:[1.0,2.0)").version, "[1.0,2.0)");
});

Deno.test("parseCoordinates() rejects malformed or unsafe text with what it expected", () => {
  for (const bad of ["g:a", "g::1", "g:a:b:c:d:1", "../x:a:1", "g:a/b:1", "g:a:..", "g a:b:1"]) {
    assert.throws(() => parseCoordinates(bad), (error: Error) => {
      assert.ok(error instanceof InputError, bad);
      assert.match(error.message, /groupId:artifactId|not allowed|dots only/);
      return true;
    });
  }
});

Deno.test("formatCoordinates() round-trips and omits the default type", () => {
  for (const text of ["g:a:1", "g:a:pom:1", "g:a:jar:tests:1", "g:a:test-jar:1"]) {
    assert.equal(formatCoordinates(parseCoordinates(text)), text);
  }
});

Deno.test("artifactFileName() maps types to extensions and implied classifiers", () => {
  const name = (text: string) => artifactFileName(parseCoordinates(text));
  assert.equal(name("g:a:1.0"), "a-1.0.jar");
  assert.equal(name("g:a:bundle:1.0"), "a-1.0.jar");
  assert.equal(name("g:a:test-jar:1.0"), "a-1.0-tests.jar");
  assert.equal(name("g:a:pom:1.0"), "a-1.0.pom");
  assert.equal(name("g:a:jar:natives:1.0"), "a-1.0-natives.jar");
  assert.equal(name("g:a:zip:1.0"), "a-1.0.zip");
});

Deno.test("artifactPath(), pomPath() and metadataPath() follow the Maven 2 layout", () => {
  assert.equal(
    artifactPath(parseCoordinates("org.postgresql:postgresql:42.7.4")),
    "org/postgresql/postgresql/42.7.4/postgresql-42.7.4.jar",
  );
  assert.equal(
    pomPath("org.postgresql", "postgresql", "42.7.4"),
    "org/postgresql/postgresql/42.7.4/postgresql-42.7.4.pom",
  );
  assert.equal(
    metadataPath("org.postgresql", "postgresql"),
    "org/postgresql/postgresql/maven-metadata.xml",
  );
  assert.throws(() => pomPath("..", "a", "1"), InputError);
  assert.throws(() => pomPath("g", "a", "../../etc"), InputError);
});

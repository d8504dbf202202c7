import assert from "node:assert/strict";
import { ConfigError } from "../../../runtime/errors.ts";
import {
  connectRepositories,
  effectiveRepositories,
  MAVEN_CENTRAL,
  normaliseRepositoryUrl,
} from "../../../runtime/maven/repositories.ts";

Deno.test("effectiveRepositories() defaults to Maven Central", () => {
  assert.deepEqual(effectiveRepositories([], undefined), [{ url: MAVEN_CENTRAL }]);
});

Deno.test("effectiveRepositories() lets DVT_MAVEN_REPOS override, keeping known credentials", () => {
  const configured = [{ url: "https://nexus.example/repo/", tokenEnv: "NEXUS_TOKEN" }];
  assert.deepEqual(
    effectiveRepositories(configured, " http://127.0.0.1:8080/m2 , https://nexus.example/repo"),
    [{ url: "http://127.0.0.1:8080/m2/" }, configured[0]],
  );
  assert.deepEqual(effectiveRepositories(configured, ""), configured);
});

Deno.test("normaliseRepositoryUrl() refuses credentials in URLs and non-http schemes", () => {
  assert.throws(() => normaliseRepositoryUrl("https://u:p@host/repo"), /embeds credentials/);
  assert.throws(() => normaliseRepositoryUrl("ftp://host/repo"), ConfigError);
  assert.throws(() => normaliseRepositoryUrl("not a url"), ConfigError);
});

Deno.test("connectRepositories() builds auth headers from env and names missing variables", () => {
  const env: Record<string, string> = { U: "user", P: "secret", T: "tok" };
  const [basic, bearer, none] = connectRepositories([
    { url: "https://a/", usernameEnv: "U", passwordEnv: "P" },
    { url: "https://b/", tokenEnv: "T" },
    { url: "https://c/" },
  ], (name) => env[name]);
  assert.equal(basic.headers.authorization, `Basic ${btoa("user:secret")}`);
  assert.equal(bearer.headers.authorization, "Bearer tok");
  assert.deepEqual(none.headers, {});
  assert.throws(
    () => connectRepositories([{ url: "https://a/", tokenEnv: "MISSING" }], () => undefined),
    (error: Error) => error.message.includes("MISSING") && !error.message.includes("tok"),
  );
});

import assert from "node:assert/strict";
import { join } from "node:path";
import type { ConfigError, InputError } from "../../../runtime/errors.ts";
import { bucketTypeForAdapter, readBucketsConfig } from "../../../runtime/sync/buckets.ts";
import { adapterTypes, findProfiles, readProfileOutputs } from "../../../runtime/sync/profiles.ts";
import { tempDir } from "../../_helpers.ts";

Deno.test("readProfileOutputs() reads every output's type across profiles and targets", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "profiles.yml");
  await Deno.writeTextFile(
    path,
    "config: { send_anonymous_usage_stats: false }\n" +
      "a:\n  target: dev\n  outputs:\n    dev: { type: Postgres }\n    prod: { type: snowflake }\n" +
      "b:\n  outputs:\n    x: { type: postgres }\n",
  );
  assert.deepEqual(adapterTypes(await readProfileOutputs(path)), ["postgres", "snowflake"]);
});

Deno.test("readProfileOutputs() points at a target without a type", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "profiles.yml");
  await Deno.writeTextFile(path, "a:\n  outputs:\n    dev:\n      host: x\n");
  await assert.rejects(readProfileOutputs(path), (error: ConfigError) => {
    assert.equal(error.location?.line, 4);
    assert.match(error.message, /a\.outputs\.dev\.type: target "dev" has no adapter type/);
    return true;
  });
});

Deno.test("findProfiles() names every place it looked", async () => {
  await assert.rejects(
    findProfiles(["/nonexistent/a/profiles.yml", "/nonexistent/b/profiles.yml"]),
    (error: InputError) =>
      error.exitCode === 2 && error.message.includes("/nonexistent/a/profiles.yml, /nonexistent/b"),
  );
});

Deno.test("bucketTypeForAdapter() prefers the adapter's entry over the default", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "buckets.yml");
  await Deno.writeTextFile(path, "default: { type: s3 }\nadapters:\n  bigquery: { type: GCS }\n");
  const config = (await readBucketsConfig(path))!;
  assert.equal(bucketTypeForAdapter("bigquery", config), "gcs");
  assert.equal(bucketTypeForAdapter("snowflake", config), "s3");
  assert.equal(await readBucketsConfig(join(dir.path, "none.yml")), undefined);
  await Deno.writeTextFile(path, "default: { type: [1] }\n");
  await assert.rejects(readBucketsConfig(path), /buckets\.yml:1:\d+: default\.type/);
});

import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli, serveLocal, tempDir } from "../_helpers.ts";
import { writeDemoProject } from "./_demo_project.ts";

const MANIFEST = `name: pinged
version: 1.0.0
description: a connector with a token and a health check
entrypoint: ./connector.ts
capabilities: [discover, read]
permissions:
  net: [127.0.0.1]
auth:
  type: token
  env_vars: [{ name: DVT_DEBUG_TOKEN, required: true, description: the API token }]
config:
  url: { type: string, required: true }
health_check: { endpoint: "\${url}/ping", expect_status: 200 }
`;
const CONNECTOR = `
export default (ctx) => {
  const { arrow } = ctx;
  const schema = new arrow.Schema([new arrow.Field("id", new arrow.Int32(), true)]);
  return { capabilities: 1 | 2, discover: () => [{ name: "things", schema, capabilities: 2 }], async *read() {} };
};
`;

async function pingedProject(dir: string, url: string): Promise<void> {
  await Deno.mkdir(join(dir, "pinged"));
  await Deno.writeTextFile(join(dir, "pinged/connector.yaml"), MANIFEST);
  await Deno.writeTextFile(join(dir, "pinged/connector.ts"), CONNECTOR);
  await Deno.writeTextFile(
    join(dir, "dvt.yaml"),
    `sources:\n  api:\n    connector: ./pinged\n    config: { url: "${url}" }\n`,
  );
}

Deno.test("dvt debug passes every check of the demo project without extracting", async () => {
  await using dir = await tempDir();
  await writeDemoProject(dir.path);
  const result = await runCli(["debug"], { cwd: dir.path });
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /^ {2}dvt\.yaml\s+OK\s+.*dvt\.yaml: 2 sources$/m);
  assert.match(result.stdout, /^shop \(dvt\.yaml:2\)$/m);
  assert.match(result.stdout, /^crm \(dvt\.yaml:7\)$/m);
  assert.match(result.stdout, /^ {2}connector\s+OK\s+files \S+ \(builtin:files\)$/m);
  assert.match(result.stdout, /^ {2}discover\s+OK\s+2 tables \(customers, products\)$/m);
  assert.match(result.stdout, /^ {2}output directory\s+OK\s+.*extracts\/crm \(writable\)$/m);
  assert.match(result.stdout, /^All checks passed\.$/m);
  assert.ok(!(await Deno.stat(join(dir.path, "extracts")).catch(() => false)), "nothing extracted");
});

Deno.test("dvt debug: env vars present or missing (never values), health check, exit 2 then 1", async () => {
  await using dir = await tempDir();
  let status = 200;
  await using server = serveLocal(() => new Response("", { status }));
  await pingedProject(dir.path, server.url);
  const missing = await runCli(["debug", "api"], { cwd: dir.path });
  assert.equal(missing.code, 2, missing.stdout);
  assert.match(missing.stdout, /^ {2}env vars\s+FAIL\s+DVT_DEBUG_TOKEN MISSING$/m);
  assert.match(missing.stdout, /hint: export DVT_DEBUG_TOKEN=\.\.\. before running dvt/);
  assert.match(missing.stdout, /^1 check failed\.$/m);

  const secret = "s3cr3t-token-value";
  const env = { DVT_DEBUG_TOKEN: secret };
  const passing = await runCli(["debug", "api"], { cwd: dir.path, env });
  assert.equal(passing.code, 0, passing.stdout);
  assert.match(passing.stdout, /^ {2}env vars\s+OK\s+DVT_DEBUG_TOKEN present$/m);
  assert.match(passing.stdout, /^ {2}health check\s+OK\s/m);
  assert.match(passing.stdout, /^ {2}discover\s+OK\s+1 table \(things\)$/m);
  assert.ok(!passing.stdout.includes(secret) && !passing.stderr.includes(secret));

  status = 503;
  const down = await runCli(["debug", "api", "--json"], { cwd: dir.path, env });
  assert.equal(down.code, 1);
  const report = JSON.parse(down.stdout);
  assert.equal(report.exitCode, 1);
  const health = report.sources[0].checks.find((c: { check: string }) =>
    c.check === "health check"
  );
  assert.equal(health.status, "fail");
  assert.match(health.detail, /503/);
  assert.ok(!down.stdout.includes(secret));
});

Deno.test("dvt debug: a misspelled config key, a bad dvt.yaml and an output path that is a file exit 2", async () => {
  await using dir = await tempDir();
  await writeDemoProject(dir.path);
  await Deno.writeTextFile(join(dir.path, "extracts"), "not a directory");
  const yaml = await Deno.readTextFile(join(dir.path, "dvt.yaml"));
  await Deno.writeTextFile(join(dir.path, "dvt.yaml"), yaml.replace("paths:", "pathz:"));
  const result = await runCli(["debug"], { cwd: dir.path });
  assert.equal(result.code, 2);
  assert.match(result.stdout, /^ {2}config\s+FAIL\s+dvt\.yaml:10:7: .*pathz.*$/m);
  assert.match(result.stdout, /hint: did you mean "paths"\?/);
  assert.match(
    result.stdout,
    /^ {2}output directory\s+FAIL\s+cannot create the output directory .*extracts\/shop: .*extracts is a file$/m,
  );
  assert.match(result.stdout, /^3 checks failed\.$/m);

  await Deno.writeTextFile(join(dir.path, "dvt.yaml"), "sources:\n  shop: [\n");
  const broken = await runCli(["debug"], { cwd: dir.path });
  assert.equal(broken.code, 2);
  assert.match(broken.stdout, /^ {2}dvt\.yaml\s+FAIL\s+dvt\.yaml:\d+:\d+: invalid YAML/m);

  await using empty = await tempDir();
  const none = await runCli(["debug"], { cwd: empty.path });
  assert.equal(none.code, 2);
  assert.match(none.stdout, new RegExp(`FAIL\\s+no dvt\\.yaml in ${empty.path}`));
});

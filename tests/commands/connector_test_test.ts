import assert from "node:assert/strict";
import { XMLParser } from "fast-xml-parser";
import { runCli, serveLocal, tempDir } from "../_helpers.ts";

const BROKEN = `export default (ctx) => {
  const make = (ids, type) => new ctx.arrow.Table({ id: ctx.arrow.vectorFromArray(ids, type) });
  return {
    capabilities: 11,
    discover: () => [{ name: "t", schema: make([1], new ctx.arrow.Int32()).schema, capabilities: 2 }],
    *read() { yield* make([1, 2], new ctx.arrow.Float64()).batches; },
    remote: () => ({ extension: "x", url: "x://h/db", tokenEnv: ctx.env("BROKEN_TOKEN") }),
  };
};
`;

function manifest(healthUrl: string): string {
  return `name: broken
version: 1.0.0
entrypoint: ./connector.js
capabilities: [discover, read, remote]
permissions:
  net: [127.0.0.1]
  env: [BROKEN_TOKEN]
auth:
  type: token
  env_vars: [{ name: BROKEN_TOKEN, description: the token }]
health_check:
  endpoint: "${healthUrl}/health"
  headers: { Authorization: "Bearer \${BROKEN_TOKEN}" }
`;
}

Deno.test("dvt connector test fails a broken connector, explains each defect and writes JUnit XML", async () => {
  await using dir = await tempDir();
  await using server = serveLocal(() => new Response("down", { status: 503 }));
  await Deno.mkdir(`${dir.path}/broken`);
  await Deno.writeTextFile(`${dir.path}/broken/connector.yaml`, manifest(server.url));
  await Deno.writeTextFile(`${dir.path}/broken/connector.js`, BROKEN);
  const secret = "s3cr3t-value-42";
  const result = await runCli(["connector", "test", "./broken", "--junit", "report.xml"], {
    cwd: dir.path,
    env: { BROKEN_TOKEN: secret },
  });
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stdout, /FAIL {2}health check[\s\S]*-> 503 \(expected 200\)/);
  assert.match(
    result.stdout,
    /FAIL {2}read yields[\s\S]*declared id: Int32, batch has id: Float64/,
  );
  assert.match(
    result.stdout,
    /FAIL {2}remote[\s\S]*must be an environment variable NAME, found the value of a secret env var/,
  );
  assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret));
  const xml = await Deno.readTextFile(`${dir.path}/report.xml`);
  assert.ok(!xml.includes(secret));
  const suite = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml)
    .testsuites.testsuite;
  assert.equal(Number(suite.failures), 4);
  assert.equal(suite.testcase[0].name, "health check");
});

Deno.test("dvt connector test lists missing required env vars", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(`${dir.path}/broken`);
  await Deno.writeTextFile(`${dir.path}/broken/connector.yaml`, manifest("http://127.0.0.1:9"));
  await Deno.writeTextFile(`${dir.path}/broken/connector.js`, BROKEN);
  const result = await runCli(["connector", "test", "./broken"], { cwd: dir.path });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /BROKEN_TOKEN — the token/);
});

Deno.test("dvt connector test reports a connector that contradicts its manifest as a failed case", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(`${dir.path}/c`);
  await Deno.writeTextFile(
    `${dir.path}/c/connector.yaml`,
    "name: c\nversion: 1.0.0\nentrypoint: ./connector.js\ncapabilities: [read, stream]\n",
  );
  await Deno.writeTextFile(
    `${dir.path}/c/connector.js`,
    "export default () => ({ capabilities: 2, *read() {} });\n",
  );
  const result = await runCli(["connector", "test", "./c", "--junit", "out.xml"], {
    cwd: dir.path,
  });
  assert.equal(result.code, 1, result.stderr);
  assert.match(
    result.stdout,
    /FAIL {2}connector loads and matches its manifest[\s\S]*capabilities 2 \(read\) differ from the manifest's 6 \(read, stream\)/,
  );
  const suite = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" })
    .parse(await Deno.readTextFile(`${dir.path}/out.xml`)).testsuites.testsuite;
  assert.equal(Number(suite.failures), 1);
});

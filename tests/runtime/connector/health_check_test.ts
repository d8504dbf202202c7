import assert from "node:assert/strict";
import { runHealthCheck } from "../../../runtime/connector/health_check.ts";
import { parseManifest } from "../../../runtime/connector/manifest_text.ts";
import { serveLocal } from "../../_helpers.ts";

const SECRET = "tok-7f3c9a1e55d04b2f";

function manifest(timeout = 5, status = 200, net = ["127.0.0.1"]) {
  return parseManifest(
    `name: api
version: 1.0.0
entrypoint: ./connector.ts
capabilities: [read]
permissions:
  net: ${JSON.stringify(net)}
auth:
  type: token
  env_vars: [{ name: API_TOKEN }]
config:
  url: { type: string }
health_check:
  endpoint: "\${url}/ping?key=\${API_TOKEN}"
  method: HEAD
  headers: { Authorization: "Bearer \${API_TOKEN}", X-Client: dvt }
  expect_status: ${status}
  timeout_seconds: ${timeout}
`,
    "connector.yaml",
  );
}

const env = (name: string) => (name === "API_TOKEN" ? SECRET : undefined);

Deno.test("runHealthCheck() sends the interpolated request and compares the status", async () => {
  const seen: { method: string; url: string; headers: Headers }[] = [];
  await using server = serveLocal((request) => {
    seen.push({ method: request.method, url: request.url, headers: new Headers(request.headers) });
    return new Response(null, { status: 200 });
  });
  const result = await runHealthCheck(manifest(), { url: server.url }, env);
  assert.equal(result.ok, true);
  assert.equal(result.status, 200);
  assert.equal(seen[0].method, "HEAD");
  assert.equal(seen[0].headers.get("authorization"), `Bearer ${SECRET}`);
  assert.equal(seen[0].headers.get("x-client"), "dvt");
  assert.equal(new URL(seen[0].url).searchParams.get("key"), SECRET);
  assert.ok(!JSON.stringify(result).includes(SECRET), JSON.stringify(result));
  assert.match(result.url, /key=\*\*\*/);
});

Deno.test("runHealthCheck() fails on an unexpected status without printing the secret", async () => {
  await using server = serveLocal(() => new Response("nope", { status: 401 }));
  const result = await runHealthCheck(manifest(5, 204), { url: server.url }, env);
  assert.equal(result.ok, false);
  assert.equal(result.status, 401);
  assert.match(result.message, /-> 401 \(expected 204\)/);
  assert.ok(!result.message.includes(SECRET));
});

Deno.test("runHealthCheck() gives up after timeout_seconds", async () => {
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await using server = serveLocal(async () => {
    await held;
    return new Response("late");
  });
  const result = await runHealthCheck(manifest(0.2), { url: server.url }, env);
  release();
  assert.equal(result.ok, false);
  assert.match(result.message, /no response within 0\.2 s/);
  assert.ok(!result.message.includes(SECRET));
});

Deno.test("runHealthCheck() reports unset variables and unreachable hosts", async () => {
  const unset = await runHealthCheck(manifest(), { url: "http://127.0.0.1:9" }, () => undefined);
  assert.equal(unset.ok, false);
  assert.match(unset.message, /needs API_TOKEN, which is not set/);
  const down = await runHealthCheck(manifest(), { url: "http://127.0.0.1:9" }, env);
  assert.equal(down.ok, false);
  assert.ok(!down.message.includes(SECRET), down.message);
});

Deno.test("runHealthCheck() never sends the secret to a host permissions.net does not grant", async () => {
  const seen: string[] = [];
  await using server = serveLocal((request) => {
    seen.push(request.url);
    return new Response(null, { status: 200 });
  });
  const result = await runHealthCheck(manifest(5, 200, ["api.example.com"]), {
    url: server.url,
  }, env);
  assert.equal(result.ok, false);
  assert.match(result.message, /was not sent: 127\.0\.0\.1:\d+, which permissions\.net/);
  assert.deepEqual(seen, [], "the server received nothing");
  assert.ok(!JSON.stringify(result).includes(SECRET));
});

Deno.test("runHealthCheck() follows a redirect only to a granted host", async () => {
  const seen: string[] = [];
  await using elsewhere = serveLocal((request) => {
    seen.push(request.url);
    return new Response(null, { status: 200 });
  });
  const target = elsewhere.url.replace("127.0.0.1", "localhost");
  await using server = serveLocal(() =>
    new Response(null, { status: 302, headers: { location: `${target}/stolen` } })
  );
  const result = await runHealthCheck(manifest(5, 200, [`127.0.0.1:${server.port}`]), {
    url: server.url,
  }, env);
  assert.equal(result.ok, false);
  assert.match(result.message, /redirected to localhost:\d+, which permissions\.net/);
  assert.deepEqual(seen, []);
});

import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli, serveLocal, tempDir } from "../_helpers.ts";

const HEALTH_CHECK = `health_check:
  endpoint: "\${base_url}/ping"
  method: GET
  headers:
    Authorization: "Bearer \${CRM_TOKEN}"
  expect_status: 200
  timeout_seconds: 5
`;

/** A scaffolded connector whose token is required and checked by its health check. */
async function connectorWithHealthCheck(dir: string): Promise<string> {
  const made = await runCli(["connector", "new", "crm"], { cwd: dir });
  assert.equal(made.code, 0, made.stderr);
  const manifest = join(dir, "connectors/crm/connector.yaml");
  const text = await Deno.readTextFile(manifest);
  await Deno.writeTextFile(
    manifest,
    // The health check obeys permissions.net, so the local API's host is granted.
    text.replace("required: false", "required: true").replace("net: []", "net: [127.0.0.1]") +
      HEALTH_CHECK,
  );
  return "./connectors/crm";
}

Deno.test("dvt extract --check: missing token exits 2, wrong token exits 1, right token extracts", async () => {
  await using dir = await tempDir();
  const connector = await connectorWithHealthCheck(dir.path);
  await using api = serveLocal((request) =>
    request.headers.get("authorization") === "Bearer right-token"
      ? new Response("ok")
      : new Response("unauthorized", { status: 401 })
  );
  const extract = (out: string, env: Record<string, string>) =>
    runCli(
      [
        "extract",
        "--connector",
        connector,
        "--set",
        `base_url=${api.url}`,
        "--check",
        "--out",
        out,
      ],
      { cwd: dir.path, env },
    );

  const missing = await extract("out-missing", {});
  assert.equal(missing.code, 2, missing.stderr);
  assert.match(missing.stderr, /CRM_TOKEN/);
  assert.match(missing.stderr, /API token for Crm/);
  assert.equal(await Deno.stat(join(dir.path, "out-missing")).then(() => true, () => false), false);

  const wrong = await extract("out-wrong", { CRM_TOKEN: "wrong-secret-4711" });
  assert.equal(wrong.code, 1, wrong.stderr);
  assert.match(wrong.stderr, /health check of crm failed: GET .*\/ping -> 401 \(expected 200\)/);
  assert.doesNotMatch(wrong.stderr + wrong.stdout, /wrong-secret-4711/);
  assert.equal(await Deno.stat(join(dir.path, "out-wrong")).then(() => true, () => false), false);

  const right = await extract("out-right", { CRM_TOKEN: "right-token" });
  assert.equal(right.code, 0, right.stderr);
  assert.match(right.stdout, /crm: 1 table extracted, 0 failed, 5 rows/);
});

import assert from "node:assert/strict";
import { ManifestError } from "../../../runtime/errors.ts";
import { entrypointKind, loadManifest } from "../../../runtime/connector/manifest.ts";
import { parseManifest } from "../../../runtime/connector/manifest_text.ts";
import { Cap } from "../../../runtime/protocol.ts";
import { serveLocal, tempDir } from "../../_helpers.ts";

const VALID = `name: hubspot
version: 1.2.0
description: HubSpot CRM objects
entrypoint: ./connector.ts
capabilities: [discover, read]
permissions:
  net: [api.hubapi.com]
  env: [HUBSPOT_TOKEN]
auth:
  type: token
  env_vars:
    - { name: HUBSPOT_TOKEN, required: true, description: private app token }
config:
  url: { type: string, format: uri, default: "https://api.hubapi.com" }
  portal: { type: integer, required: true }
health_check:
  endpoint: "\${url}/ping"
  headers: { Authorization: "Bearer \${HUBSPOT_TOKEN}" }
  expect_status: 204
`;

function rejects(text: string, pattern: RegExp, hint?: RegExp): void {
  assert.throws(() => parseManifest(text, "connector.yaml"), (error: unknown) => {
    assert.ok(error instanceof ManifestError, String(error));
    assert.match(error.message, pattern);
    if (hint) assert.match(error.hint ?? "", hint);
    assert.equal(error.exitCode, 2);
    return true;
  });
}

Deno.test("parseManifest() reads every section of a valid manifest", () => {
  const manifest = parseManifest(VALID, "connector.yaml");
  assert.equal(manifest.name, "hubspot");
  assert.equal(manifest.caps, Cap.DISCOVER | Cap.READ);
  assert.deepEqual(manifest.permissions, { net: ["api.hubapi.com"], env: ["HUBSPOT_TOKEN"] });
  assert.deepEqual(manifest.auth.envVars, [
    { name: "HUBSPOT_TOKEN", required: true, description: "private app token" },
  ]);
  assert.equal(manifest.config.portal.required, true);
  assert.deepEqual(manifest.healthCheck, {
    endpoint: "${url}/ping",
    method: "GET",
    headers: { Authorization: "Bearer ${HUBSPOT_TOKEN}" },
    expectStatus: 204,
    timeoutSeconds: 10,
  });
  assert.equal(entrypointKind(manifest), "local");
});

Deno.test("parseManifest() names line, field and alternatives for an unknown capability", () => {
  rejects(
    VALID.replace("[discover, read]", "[discover, raed]"),
    /^connector\.yaml:5:26: capabilities\[1\]: unknown capability the string "raed"/,
    /did you mean "read"\? valid: discover, read, stream, remote, write/,
  );
});

Deno.test("parseManifest() rejects an unknown top-level key with a did-you-mean", () => {
  rejects(
    VALID + "helth_check: {}\n",
    /connector\.yaml:20:1: helth_check: unknown top-level key/,
    /did you mean "health_check"/,
  );
});

Deno.test("parseManifest() checks name, version and entrypoint shapes", () => {
  rejects(VALID.replace("name: hubspot", "name: HubSpot"), /:1:7: name: expected a name matching/);
  rejects(
    VALID.replace("1.2.0", "1.2"),
    /:2:10: version: expected a semantic version.*found number 1\.2/,
  );
  rejects(
    VALID.replace("./connector.ts", "/abs/connector.ts"),
    /:4:13: entrypoint: expected builtin:<name>/,
  );
  rejects(VALID.replace("name: hubspot\n", ""), /connector\.yaml:1:1: name: missing name/);
});

Deno.test("parseManifest() requires integrity for remote entrypoints", () => {
  const remote = VALID.replace("./connector.ts", "https://cdn.example.com/hubspot.js");
  rejects(remote, /integrity: missing integrity: required for a remote entrypoint/);
  rejects(
    remote + "integrity: md5-abc\n",
    /:20:12: integrity: expected sha256-<base64 or hex digest>/,
  );
  const ok = parseManifest(
    remote + "integrity: sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
    "c.yaml",
  );
  assert.equal(entrypointKind(ok), "remote");
  // A manifest fetched from a URL with a relative entrypoint is remote too.
  rejects2("https://example.com/c/connector.yaml");
});

function rejects2(path: string): void {
  assert.throws(() => parseManifest(VALID, path), /missing integrity/);
}

Deno.test("parseManifest() validates auth, permissions and the config schema", () => {
  rejects(
    VALID.replace("type: token", "type: tokn"),
    /:10:9: auth\.type: expected an auth type/,
    /did you mean "token"/,
  );
  rejects(
    VALID.replace("env: [HUBSPOT_TOKEN]", "env: [HUBSPOT-TOKEN]"),
    /:8:9: permissions\.env\[0\]: expected an environment variable name/,
  );
  rejects(
    VALID.replace("type: integer", "type: int"),
    /:15:19: config\.portal\.type: expected a config type, found the string "int"/,
    /valid: string, integer/,
  );
  rejects(
    VALID.replace("format: uri", "format: url"),
    /config\.url\.format: unknown format "url"/,
    /did you mean "uri"/,
  );
  rejects(
    VALID.replace('default: "https://api.hubapi.com"', "default: 5"),
    /config\.url\.default: expected a string default, found the integer 5/,
  );
  rejects(
    VALID.replace("required: true }\n", "requird: true }\n"),
    /config\.portal\.requird: unknown config schema key/,
  );
});

Deno.test("parseManifest() rejects health check variables the manifest does not declare", () => {
  rejects(
    VALID.replace("${url}/ping", "${ulr}/ping"),
    /:17:13: health_check\.endpoint: unknown variable \$\{ulr\}/,
    /did you mean "url"/,
  );
  rejects(
    VALID.replace("expect_status: 204", "expect_status: 42"),
    /health_check\.expect_status: expected an HTTP status code/,
  );
});

Deno.test("loadManifest() reads files and http URLs and reports missing files", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/connector.yaml`;
  await Deno.writeTextFile(path, VALID);
  assert.equal((await loadManifest(path)).path, path);
  await assert.rejects(loadManifest(`${dir.path}/nope.yaml`), /manifest not found/);
  await using server = serveLocal(() =>
    new Response(VALID + "integrity: sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n")
  );
  const remote = await loadManifest(`${server.url}/connector.yaml`);
  assert.equal(entrypointKind(remote), "remote");
});

const WEBHOOK = `webhook:
  secret_env: JIRA_WEBHOOK_SECRET
  signature_header: X-Hub-Signature
  delivery_id_header: X-Atlassian-Webhook-Identifier
`;

Deno.test("parseManifest() reads the webhook section dvt serve authenticates senders with", () => {
  const manifest = parseManifest(VALID + WEBHOOK, "connector.yaml");
  assert.deepEqual(manifest.webhook, {
    secretEnv: "JIRA_WEBHOOK_SECRET",
    signatureHeader: "X-Hub-Signature",
    deliveryIdHeader: "X-Atlassian-Webhook-Identifier",
  });
  assert.equal(parseManifest(VALID, "connector.yaml").webhook, undefined);
});

Deno.test("parseManifest() names line, column and field of a bad webhook section", () => {
  rejects(
    VALID + WEBHOOK.replace("JIRA_WEBHOOK_SECRET", "jira-secret"),
    /^connector\.yaml:21:15: webhook\.secret_env: expected an environment variable name, found the string "jira-secret"/,
  );
  rejects(
    VALID + WEBHOOK.replace("  signature_header: X-Hub-Signature\n", ""),
    /^connector\.yaml:21:3: webhook\.signature_header: missing signature_header: expected an HTTP header name/,
    /X-Hub-Signature/,
  );
  rejects(
    VALID + WEBHOOK.replace("delivery_id_header", "delivery_header"),
    /^connector\.yaml:23:3: webhook\.delivery_header: unknown key/,
    /did you mean "delivery_id_header"/,
  );
  rejects(VALID + "webhook: yes\n", /:20:10: webhook: expected a mapping with secret_env/);
});

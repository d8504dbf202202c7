import assert from "node:assert/strict";
import { instantiateConnector, resolveConnector } from "../../../runtime/connector/loader.ts";
import { ConnectorError, InputError, ManifestError } from "../../../runtime/errors.ts";
import { Cap } from "../../../runtime/protocol.ts";
import { serveLocal, tempDir } from "../../_helpers.ts";

const QUIET = { debug() {}, info() {}, warn() {}, error() {} };

const MANIFEST = (caps: string, entry = "./connector.js") =>
  `name: demo
version: 1.0.0
entrypoint: ${entry}
capabilities: [${caps}]
permissions: { env: [DEMO_HOST] }
`;

const MODULE = (caps: number, body = "") =>
  `export default (ctx, config) => ({
  capabilities: ${caps},
  discover: () => [{ name: ["t", ctx.env("DEMO_HOST"), config.a].filter(Boolean).join("_"), schema: ctx.arrow.tableFromArrays({ id: Int32Array.from([1]) }).schema, capabilities: 2 }],
  *read() {},
  check: () => { ctx.env("HOME"); },
  ${body}
});
`;

async function writeConnector(dir: string, caps: string, module: string, entry?: string) {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/connector.yaml`, MANIFEST(caps, entry));
  await Deno.writeTextFile(`${dir}/connector.js`, module);
}

Deno.test("resolveConnector() loads a local connector by dir, yaml path and project name", async () => {
  await using root = await tempDir();
  await writeConnector(`${root.path}/connectors/demo`, "discover, read", MODULE(3));
  const byDir = await resolveConnector(`${root.path}/connectors/demo`);
  assert.equal(byDir.origin, "local");
  assert.equal(byDir.manifest.caps, Cap.DISCOVER | Cap.READ);
  const byYaml = await resolveConnector("connectors/demo/connector.yaml", {
    projectDir: root.path,
  });
  assert.equal(byYaml.manifest.name, "demo");
  const byName = await resolveConnector("demo", { projectDir: root.path });
  // Local connectors run sandboxed: env reads go to the real environment, limited to the grants.
  Deno.env.set("DEMO_HOST", "h");
  const connector = await instantiateConnector(byName, { a: 1 }, { logger: QUIET });
  try {
    const tables = await connector.discover!();
    assert.equal(tables[0].name, "t_h_1");
    await assert.rejects(
      async () => await connector.check!(),
      /env var HOME, which its manifest does not grant/,
    );
  } finally {
    Deno.env.delete("DEMO_HOST");
    await connector.close?.();
  }
});

Deno.test("resolveConnector() finds built-ins by name and builtin:<name>", async () => {
  const files = await resolveConnector("builtin:files");
  assert.equal(files.origin, "builtin");
  assert.equal(files.manifest.name, "files");
  assert.equal((await resolveConnector("files")).location, "builtin:files");
});

Deno.test("resolveConnector() rejects unknown references listing the built-ins", async () => {
  await using root = await tempDir();
  await assert.rejects(resolveConnector("nosuch", { projectDir: root.path }), (error: unknown) => {
    assert.ok(error instanceof InputError);
    assert.match(error.message, /unknown connector "nosuch"/);
    assert.match(error.hint ?? "", /built-in connectors: (\w+, )*files\b/);
    return true;
  });
  await assert.rejects(resolveConnector(root.path), /no connector\.yaml in/);
});

Deno.test("resolveConnector() refuses an entrypoint outside the connector directory", async () => {
  await using root = await tempDir();
  await writeConnector(`${root.path}/c`, "read", MODULE(2), "../evil.js");
  await Deno.writeTextFile(`${root.path}/evil.js`, MODULE(2));
  await assert.rejects(resolveConnector(`${root.path}/c`), (error: unknown) => {
    assert.ok(error instanceof ManifestError);
    assert.match(
      error.message,
      /entrypoint: entrypoint \.\.\/evil\.js leaves the connector directory/,
    );
    return true;
  });
});

Deno.test("instantiateConnector() explains capability and method mismatches", async () => {
  await using root = await tempDir();
  await writeConnector(`${root.path}/a`, "discover, read", MODULE(2));
  const mismatch = await resolveConnector(`${root.path}/a`);
  await assert.rejects(
    instantiateConnector(mismatch, {}, { logger: QUIET }),
    (error: unknown) =>
      error instanceof ConnectorError &&
      /capabilities 2 \(read\) differ from the manifest's 3 \(discover, read\)/.test(error.message),
  );
  await writeConnector(`${root.path}/b`, "read, stream", MODULE(6));
  const missing = await resolveConnector(`${root.path}/b`);
  await assert.rejects(
    instantiateConnector(missing, {}, { logger: QUIET }),
    /declares stream but has no stream\(\) method/,
  );
  await writeConnector(`${root.path}/c`, "read", "export const x = 1;\n");
  await assert.rejects(
    instantiateConnector(await resolveConnector(`${root.path}/c`), {}, { logger: QUIET }),
    /has no default export factory/,
  );
});

Deno.test("resolveConnector() runs a remote connector sandboxed, after checking its integrity", async () => {
  const module = MODULE(2);
  let served = module;
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(module)),
  );
  const integrity = `sha256-${btoa(String.fromCharCode(...digest))}`;
  await using server = serveLocal((request) =>
    new Response(
      request.url.endsWith(".js") ? served : MANIFEST("read") + `integrity: ${integrity}\n`,
    )
  );
  const loaded = await resolveConnector(`${server.url}/demo/connector.yaml`);
  assert.equal(loaded.origin, "remote");
  const connector = await instantiateConnector(loaded, {}, { logger: QUIET });
  try {
    assert.equal(connector.capabilities, Cap.READ);
    assert.equal(typeof connector.read, "function");
  } finally {
    await connector.close?.();
  }
  served = module + "// tampered\n";
  await assert.rejects(
    instantiateConnector(loaded, {}, { logger: QUIET }),
    /integrity mismatch for http:\/\/127\.0\.0\.1:\d+\/demo\/connector\.js/,
  );
});

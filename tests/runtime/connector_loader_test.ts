import assert from "node:assert/strict";
import { instantiateConnector, resolveConnector } from "../../runtime/connector_loader.ts";
import { ConnectorError, InputError, ManifestError } from "../../runtime/errors.ts";
import { Cap } from "../../runtime/protocol.ts";
import { serveLocal, tempDir } from "../_helpers.ts";

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
  discover: () => [{ name: "t", schema: ctx.arrow.tableFromArrays({ id: Int32Array.from([1]) }).schema, capabilities: 2 }],
  *read() {},
  envProbe: (name) => ctx.env(name),
  config,
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
  const connector = await instantiateConnector(byName, { a: 1 }, { logger: QUIET, env: () => "h" });
  const tables = await connector.discover!();
  assert.equal(tables[0].name, "t");
  const probe = connector as unknown as { envProbe(name: string): string; config: unknown };
  assert.equal(probe.envProbe("DEMO_HOST"), "h");
  assert.throws(() => probe.envProbe("HOME"), /does not grant/);
  assert.deepEqual(probe.config, { a: 1 });
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
    assert.match(error.hint ?? "", /built-in connectors: files/);
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
    /has no default export function/,
  );
});

Deno.test("resolveConnector() validates a remote manifest and refuses to run it unsandboxed", async () => {
  let imported = false;
  await using server = serveLocal((request) => {
    if (request.url.endsWith(".js")) imported = true;
    return new Response(
      MANIFEST("read") + "integrity: sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
    );
  });
  const loaded = await resolveConnector(`${server.url}/demo/connector.yaml`);
  assert.equal(loaded.origin, "remote");
  await assert.rejects(
    instantiateConnector(loaded, {}, { logger: QUIET }),
    /remote entrypoints run only in the permission sandbox runner/,
  );
  assert.equal(imported, false);
});

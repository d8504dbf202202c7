import assert from "node:assert/strict";
import { join } from "node:path";
import { bundleConnector } from "../../../runtime/connector/bundle.ts";
import { ConnectorError } from "../../../runtime/errors.ts";
import { verifyIntegrity } from "../../../runtime/sandbox/module_source.ts";
import { startSandboxedConnector } from "../../../runtime/sandbox/sandboxed_connector.ts";
import { createLogger } from "../../../runtime/util/output.ts";
import { REPO_ROOT, tempDir } from "../../_helpers.ts";

const MOD = JSON.stringify(join(REPO_ROOT, "mod.ts"));

Deno.test("bundleConnector() inlines relative modules and mod.ts values into one module", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(
    join(dir.path, "rows.ts"),
    "export const IDS: number[] = [7, 8, 9];\n",
  );
  await Deno.writeTextFile(
    join(dir.path, "connector.ts"),
    `import { Cap, type ConnectorFactory } from ${MOD};
     import { IDS } from "./rows.ts";
     const factory: ConnectorFactory = ({ arrow }) => {
       const table = arrow.tableFromArrays({ id: Int32Array.from(IDS) });
       return {
         capabilities: Cap.DISCOVER | Cap.READ,
         discover: () => [{ name: "ids", schema: table.schema, capabilities: Cap.READ }],
         *read() { yield* table.batches; },
       };
     };
     export default factory;`,
  );
  const bundle = await bundleConnector(join(dir.path, "connector.ts"));
  assert.doesNotMatch(bundle.code, /^\s*import\s/m);
  assert.ok(!bundle.code.includes(dir.path), "no absolute author paths in the bundle");
  assert.equal(bundle.bytes, new TextEncoder().encode(bundle.code).length);
  await verifyIntegrity(new TextEncoder().encode(bundle.code), bundle.integrity, "bundle");

  const connector = await startSandboxedConnector({
    name: "ids",
    code: bundle.code,
    moduleUrl: "https://example.test/ids.js",
    config: {},
    permissions: { net: [], env: [] },
    logger: createLogger("plain", "error"),
  });
  try {
    const ids: number[] = [];
    for await (const batch of connector.read!("ids", { batchSize: 10 })) {
      ids.push(...Array.from(batch.getChild("id")!.toArray() as Int32Array));
    }
    assert.deepEqual(ids, [7, 8, 9]);
  } finally {
    await connector.close?.();
  }
});

Deno.test("bundleConnector() refuses run-time imports a sandbox cannot load", async () => {
  await using dir = await tempDir();
  const entry = join(dir.path, "connector.ts");
  await Deno.writeTextFile(
    entry,
    `import * as arrow from "apache-arrow";\nimport fs from "node:fs";\nexport default () => ({ capabilities: arrow && fs ? 2 : 0 });\n`,
  );
  await assert.rejects(bundleConnector(entry), (error: unknown) => {
    assert.ok(error instanceof ConnectorError);
    assert.match(error.message, /imports apache-arrow, node:fs at run time/);
    assert.match(error.hint ?? "", /ctx\.arrow/);
    return true;
  });
});

Deno.test("bundleConnector() reports syntax errors with file, line and column", async () => {
  await using dir = await tempDir();
  const entry = join(dir.path, "connector.ts");
  await Deno.writeTextFile(entry, "export default () => ({\n  capabilities: 2\n");
  await assert.rejects(bundleConnector(entry), /cannot bundle .*connector\.ts:3:1: Expected "}"/);
});

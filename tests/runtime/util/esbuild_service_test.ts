import assert from "node:assert/strict";
import { join } from "node:path";
import { bundleConnector } from "../../../runtime/connector/bundle.ts";
import { confineModule } from "../../../runtime/sandbox/confine_module.ts";
import { tempDir } from "../../_helpers.ts";

Deno.test("bundling and confining at the same time: one finishing does not stop the other's esbuild", async () => {
  await using dir = await tempDir();
  const entry = join(dir.path, "connector.js");
  await Deno.writeTextFile(entry, "export default () => ({ capabilities: 0 });\n");
  // Large enough that the builds overlap.
  const big = `export default () => ({ capabilities: 0, rows: [${
    Array.from({ length: 20_000 }, (_, i) => `{ id: ${i}, name: "row ${i}" }`).join(",")
  }] });\n`;
  const results = await Promise.all([
    bundleConnector(entry),
    confineModule("big", big, "file:///big/connector.js"),
    bundleConnector(entry),
    confineModule("big", big, "file:///big/connector.js"),
  ]);
  assert.equal(results.length, 4);
  assert.match(results[1], /row 19999/);
});

import assert from "node:assert/strict";
import { BUILTIN_CONNECTORS, builtinNames } from "../../../runtime/connector/builtin_connectors.ts";
import { BUILTIN_MANIFESTS } from "../../../runtime/connector/builtin_manifests.ts";
import { loadBuiltin } from "../../../runtime/connector/loader.ts";
import { loadManifest } from "../../../runtime/connector/manifest.ts";

Deno.test("every built-in's precompiled manifest equals its connector.yaml parsed now (run `deno task gen:manifests` after editing one)", async () => {
  assert.deepEqual(Object.keys(BUILTIN_MANIFESTS).sort(), builtinNames());
  for (const name of builtinNames()) {
    const parsed = await loadManifest(BUILTIN_CONNECTORS[name].manifestUrl.href);
    assert.deepEqual((await loadBuiltin(name)).manifest, parsed, name);
  }
});

Deno.test("a built-in's manifest is a copy: changing one run's manifest cannot leak into the next", async () => {
  const first = await loadBuiltin("databricks");
  first.manifest.permissions.net.push("evil.example.com");
  const second = await loadBuiltin("databricks");
  assert.ok(!second.manifest.permissions.net.includes("evil.example.com"));
});

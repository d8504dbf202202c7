import assert from "node:assert/strict";
import { deriveScope, selectScopes } from "../../../runtime/maven/scope_selection.ts";

Deno.test("deriveScope() follows Maven's scope propagation table", () => {
  // [parent scope, declared scope, derived]
  const table: Array<[string, string, string]> = [
    ["compile", "compile", "compile"],
    ["compile", "runtime", "runtime"],
    ["runtime", "compile", "runtime"],
    ["runtime", "runtime", "runtime"],
    ["provided", "compile", "provided"],
    ["provided", "runtime", "provided"],
    ["test", "compile", "test"],
    ["test", "runtime", "test"],
    ["compile", "test", "test"],
  ];
  for (const [parent, child, derived] of table) {
    assert.equal(deriveScope(parent, child), derived, `${parent} + ${child}`);
  }
});

Deno.test("selectScopes() keeps a direct scope and widens transitive ones", () => {
  const scopes = selectScopes(
    ["a", "b", "x", "y"],
    new Map([
      ["a", [{ scope: "runtime" }]],
      ["b", [{ scope: "compile" }]],
      ["x", [{ scope: "compile", parentKey: "a" }, { scope: "compile", parentKey: "b" }]],
      ["y", [{ scope: "runtime" }, { scope: "compile", parentKey: "b" }]],
    ]),
  );
  assert.deepEqual(Object.fromEntries(scopes), {
    a: "runtime",
    b: "compile",
    x: "compile",
    y: "runtime",
  });
});

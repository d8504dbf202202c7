import assert from "node:assert/strict";
import * as dvt from "../mod.ts";

Deno.test("mod.ts exports only what a connector author needs", () => {
  // Values only: types are erased. Adding a name here widens the public API on purpose.
  assert.deepEqual(Object.keys(dvt).sort(), [
    "BoolBuffer",
    "BuilderBuffer",
    "BytesBuffer",
    "Cap",
    "ConnectorError",
    "FixedBuffer",
    "InputError",
    "ValueParseError",
    "batchFromValues",
    "contractReportToJUnit",
    "createLimiter",
    "dataFromWire",
    "dataToWire",
    "formatContractReport",
    "hasCap",
    "parseDecimal",
    "parseTimestampMicros",
    "quoteIdentifier",
    "quoteLiteral",
    "runContractTests",
  ]);
});

Deno.test("the errors a connector throws choose the exit code of their kind", () => {
  assert.equal(new dvt.InputError("row 3 of a.csv has 4 fields").exitCode, 2);
  assert.equal(new dvt.ConnectorError("the API answered 500").exitCode, 1);
});

Deno.test("every connector imports mod.ts: it loads an XML writer, not fast-xml-parser's parser", async () => {
  // The JUnit formatter only writes XML; fast-xml-parser would also load its parser and entity
  // tables (~40 modules) into every connector's start-up.
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL("../mod.ts", import.meta.url).pathname],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assert.ok(output.success, "deno info mod.ts failed");
  assert.deepEqual(staticNpmImports(JSON.parse(new TextDecoder().decode(output.stdout))), [
    "npm:apache-arrow@21.2.0",
    "npm:fast-xml-builder@1.3.2",
  ]);
});

interface ModuleGraph {
  roots: string[];
  modules: {
    specifier: string;
    dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[];
  }[];
}

/** The npm packages a module graph loads when its roots are imported (dynamic imports aside). */
function staticNpmImports(graph: ModuleGraph): string[] {
  const modules = new Map(graph.modules.map((module) => [module.specifier, module]));
  const seen = new Set<string>();
  const pending = [...graph.roots];
  while (pending.length) {
    const specifier = pending.pop()!;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dependency of modules.get(specifier)?.dependencies ?? []) {
      if (dependency.code && !dependency.isDynamic) pending.push(dependency.code.specifier);
    }
  }
  return [...seen].filter((specifier) => specifier.startsWith("npm:")).sort();
}

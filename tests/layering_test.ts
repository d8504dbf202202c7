import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO_ROOT } from "./_helpers.ts";

async function* sourceFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* sourceFiles(path);
    else if (/\.(ts|js)$/.test(entry.name) || entry.name.endsWith(".tmpl")) yield path;
  }
}

const IMPORT =
  /(?:import|export)\s[^"']*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

async function importsOf(path: string): Promise<string[]> {
  const text = await Deno.readTextFile(path);
  return [...text.matchAll(IMPORT)].map((match) => match[1] ?? match[2]);
}

Deno.test("connectors/ and scaffold/ import nothing from runtime/ (only mod.ts)", async () => {
  const offenders: string[] = [];
  for (const folder of ["connectors", "scaffold"]) {
    const dir = join(REPO_ROOT, folder);
    const exists = await Deno.stat(dir).then(() => true, () => false);
    if (!exists) continue;
    for await (const file of sourceFiles(dir)) {
      for (const specifier of await importsOf(file)) {
        if (/(^|\/)runtime\//.test(specifier)) offenders.push(`${file}: ${specifier}`);
      }
    }
  }
  assert.deepEqual(offenders, []);
});

Deno.test("runtime/ references specific connectors only through builtin_connectors.ts", async () => {
  const offenders: string[] = [];
  for await (const file of sourceFiles(join(REPO_ROOT, "runtime"))) {
    if (file.endsWith("builtin_connectors.ts")) continue;
    for (const specifier of await importsOf(file)) {
      if (/(^|\/)connectors\//.test(specifier)) offenders.push(`${file}: ${specifier}`);
    }
  }
  assert.deepEqual(offenders, []);
});

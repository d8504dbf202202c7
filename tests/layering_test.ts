import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
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

/** Which runtime/ folders a folder may import from; the direction of every arrow is stated here. */
const FORBIDDEN: Array<{ from: string; to: RegExp; why: string }> = [
  {
    from: "runtime/util",
    // util/ is domain-free; it may lean only on the two leaf modules every layer shares.
    to: /runtime\/(?!util\/|errors\.ts$|protocol\.ts$)/,
    why: "util/ imports nothing of dvt but errors.ts and protocol.ts",
  },
  { from: "runtime/extract", to: /runtime\/commands\//, why: "extract/ never imports commands/" },
  { from: "runtime/sandbox", to: /runtime\/extract\//, why: "sandbox/ never imports extract/" },
  {
    from: "runtime/parquet",
    to: /runtime\/(commands|extract)\//,
    why: "parquet/ is below extract/",
  },
  {
    from: "runtime/connector",
    to: /runtime\/(commands|extract)\//,
    why: "connector loading is below extract/ and commands/",
  },
  {
    from: "runtime/serve",
    to: /runtime\/(commands|sandbox|sync|maven)\//,
    why: "serve/ builds on extract/, never on commands/ or the sandbox",
  },
  {
    from: "runtime/extract",
    to: /runtime\/serve\//,
    why: "extract/ does not know dvt serve",
  },
  {
    from: "runtime/project",
    to: /runtime\/(commands|extract|connector)\//,
    why: "dvt.yaml parsing is below extract/ and commands/",
  },
  { from: "runtime/maven", to: /runtime\/(commands|extract|sync)\//, why: "maven/ is a library" },
];

Deno.test("runtime/ folders import only in the allowed directions", async () => {
  const offenders: string[] = [];
  for (const rule of FORBIDDEN) {
    for await (const file of sourceFiles(join(REPO_ROOT, rule.from))) {
      for (const specifier of await importsOf(file)) {
        if (!specifier.startsWith(".")) continue;
        const target = relative(REPO_ROOT, resolve(dirname(file), specifier));
        if (rule.to.test(target)) offenders.push(`${rule.why}: ${file} imports ${target}`);
      }
    }
  }
  assert.deepEqual(offenders, []);
});

Deno.test("no file under runtime/ sits outside a stage folder but the shared leaves", async () => {
  const topLevel: string[] = [];
  for await (const entry of Deno.readDir(join(REPO_ROOT, "runtime"))) {
    if (entry.isFile) topLevel.push(entry.name);
  }
  assert.deepEqual(topLevel.sort(), ["errors.ts", "project.ts", "protocol.ts", "version.ts"]);
});

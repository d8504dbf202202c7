import assert from "node:assert/strict";
import { main } from "../cli.ts";
import { VERSION } from "../runtime/version.ts";
import { CLI_PATH, runCli } from "./_helpers.ts";

Deno.test("dvt --version prints the version from deno.json", async () => {
  const result = await runCli(["--version"]);
  assert.equal(result.code, 0);
  assert.equal(result.stdout.trim(), VERSION);
  assert.match(VERSION, /^\d+\.\d+\.\d+/);
});

Deno.test("dvt --help lists every command with examples", async () => {
  const result = await runCli(["--help"]);
  assert.equal(result.code, 0);
  for (const command of ["extract", "connector", "sync"]) {
    assert.match(result.stdout, new RegExp(`^\\s+${command}\\b`, "m"));
  }
  assert.match(result.stdout, /Examples:/);
});

Deno.test("every subcommand's --help shows examples and exits 0", async () => {
  for (const args of [["extract"], ["sync"], ["connector", "list"], ["connector", "new"]]) {
    const result = await runCli([...args, "--help"]);
    assert.equal(result.code, 0, args.join(" "));
    assert.match(result.stdout, /Examples:/, args.join(" "));
  }
});

Deno.test("an unknown command exits 2 with a suggestion", async () => {
  const result = await runCli(["extrakt"]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /Did you mean extract\?/);
  assert.equal(result.stdout, "");
});

Deno.test("an invalid option value exits 2 and says what was expected", async () => {
  const code = await main(["extract", "--threads", "zero"]);
  assert.equal(code, 2);
});

Deno.test("cli.ts statically imports no DuckDB, wasm, Arrow or progress bars", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", CLI_PATH],
    stdout: "piped",
    stderr: "null",
  }).output();
  assert.equal(output.code, 0);
  const graph = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    roots: string[];
    modules: { specifier: string; dependencies?: DependencyEntry[] }[];
    redirects: Record<string, string>;
  };
  type DependencyEntry = { code?: { specifier: string }; isDynamic?: boolean };
  const bySpecifier = new Map(graph.modules.map((module) => [module.specifier, module]));
  const loaded = new Set<string>();
  const pending = [...graph.roots];
  while (pending.length) {
    const specifier = pending.pop()!;
    const resolved = graph.redirects[specifier] ?? specifier;
    if (loaded.has(resolved)) continue;
    loaded.add(resolved);
    for (const dependency of bySpecifier.get(resolved)?.dependencies ?? []) {
      // Dynamic imports load only when a command runs; type-only imports are erased.
      if (dependency.code && !dependency.isDynamic) pending.push(dependency.code.specifier);
    }
  }
  const heavy = [...loaded].filter((specifier) =>
    /duckdb|parquet-wasm|apache-arrow|cli-progress/.test(specifier)
  );
  assert.deepEqual(heavy, []);
  assert.ok(loaded.size > 3, "the walk found cli.ts's own modules");
});

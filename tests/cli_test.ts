import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { main } from "../cli.ts";
import { commandPaths } from "../runtime/commands/command_table.ts";
import { VERSION } from "../runtime/version.ts";
import { CLI_PATH, REPO_ROOT, runCli, tempDir } from "./_helpers.ts";

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
  const commands = commandPaths();
  assert.ok(commands.length >= 12, "walked the command table, groups included");
  for (const args of commands) {
    const result = await runCli([...args, "--help"]);
    assert.equal(result.code, 0, args.join(" "));
    assert.match(result.stdout, /Examples:/, args.join(" "));
    // Each default is stated once, and never for a switch or an empty list.
    assert.doesNotMatch(result.stdout, /\(default: (false|true|\[\])\)|\(default\) \(default/);
  }
  const sync = await runCli(["sync", "--help"]);
  assert.match(sync.stdout, /sync\.profiles in dvt\.yaml/);
  assert.match(sync.stdout, /\$DBT_PROFILES_DIR\/profiles\.yml/);
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

Deno.test("cli.ts statically imports no DuckDB, wasm, Arrow, progress bars or node: module", async () => {
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
      // Dynamic imports load only when a command runs (deno.json's "lazy-dynamic-imports"; the
      // next test checks what really loads); type-only imports are erased.
      if (dependency.code && !dependency.isDynamic) pending.push(dependency.code.specifier);
    }
  }
  const heavy = [...loaded].filter((specifier) =>
    /duckdb|parquet-wasm|apache-arrow|cli-progress/.test(specifier)
  );
  assert.deepEqual(heavy, []);
  // Any node: module starts Deno's Node layer, which alone costs about a quarter of an empty
  // program's start-up; --help must not pay for it.
  assert.deepEqual([...loaded].filter((specifier) => specifier.startsWith("node:")), []);
  assert.ok(loaded.size > 3, "the walk found cli.ts's own modules");
});

/**
 * The modules Deno really loads for one run, read from its debug log: local files as it fetches
 * them (for the module graph it prepares up front) and npm packages as it resolves their folders.
 */
async function modulesLoadedBy(args: string[]): Promise<{ local: string[]; npm: string[] }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--unstable-worker-options", CLI_PATH, ...args],
    env: { DENO_LOG: "debug", NO_COLOR: "1" },
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, args.join(" "));
  const log = new TextDecoder().decode(output.stderr);
  const root = pathToFileURL(REPO_ROOT).href.replace(/\/?$/, "/");
  const local = [...log.matchAll(/fetch_no_follow - specifier: (file:\S+)/g)]
    .map((match) => match[1].replace(root, ""));
  const npm = [...log.matchAll(/Resolved package folder of (\S+)@/g)].map((match) => match[1]);
  return { local: [...new Set(local)], npm: [...new Set(npm)] };
}

// What --help may load: cli.ts, the command definitions (not their run_*.ts or connector/ work
// modules), and the leaf modules they share (output, DVT_* settings, the no-prompt guard).
const HELP_SURFACE =
  /^(cli\.ts|deno\.json|runtime\/commands\/(?!run_)[a-z_]+\.ts|runtime\/(errors|version)\.ts|runtime\/util\/(output|env_settings|no_prompt)\.ts)$/;

Deno.test("dvt --help and every command's --help load only the command surface", async () => {
  const paths = commandPaths();
  assert.ok(paths.some((path) => path.join(" ") === "connector test"), "walked the groups");
  for (const path of [[], ...paths]) {
    const args = [...path, "--help"];
    const { local, npm } = await modulesLoadedBy(args);
    // Guards the log parsing: were Deno's debug lines to change, nothing would be found.
    assert.ok(local.includes("cli.ts"), `the debug log names cli.ts for dvt ${args.join(" ")}`);
    const beyond = local.filter((module) => !HELP_SURFACE.test(module));
    assert.deepEqual(beyond, [], `dvt ${args.join(" ")} loads work modules`);
    assert.deepEqual(npm, [], `dvt ${args.join(" ")} loads npm packages`);
  }
});

Deno.test("dvt extract of a built-in connector never loads the YAML parser; a dvt.yaml project does", async () => {
  await using dir = await tempDir();
  const csv = join(dir.path, "orders.csv");
  await Deno.writeTextFile(csv, "id,amount\n1,2.5\n");
  // Built-in manifests come precompiled (runtime/connector/builtin_manifests.ts): parsing them
  // would load yaml's CommonJS build on the main thread before the first request (~80 ms).
  const adHoc = await modulesLoadedBy([
    "extract",
    "--connector",
    "files",
    "--set",
    `paths=${csv}`,
    "--out",
    join(dir.path, "ad_hoc"),
    "--json",
  ]);
  assert.ok(
    adHoc.npm.includes("apache-arrow"),
    "the debug log names the packages an extract loads",
  );
  assert.ok(!adHoc.npm.includes("yaml"), `loaded: ${adHoc.npm.join(", ")}`);
  const project = join(dir.path, "dvt.yaml");
  await Deno.writeTextFile(
    project,
    `sources:\n  shop:\n    connector: files\n    config:\n      paths: [${csv}]\n    out: ${
      join(dir.path, "project")
    }\n`,
  );
  const fromProject = await modulesLoadedBy(["extract", "shop", "--project", project, "--json"]);
  assert.ok(fromProject.npm.includes("yaml"), "a project file is parsed with yaml");
});

import assert from "node:assert/strict";
import { join } from "node:path";
import { queryDuckDB, REPO_ROOT, tempDir } from "../_helpers.ts";

const decoder = new TextDecoder();

async function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(command, {
    args,
    cwd: options.cwd,
    env: { NO_COLOR: "1", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

Deno.test("deno task install puts dvt under DENO_INSTALL_ROOT; it runs in the user's own directory", async () => {
  await using root = await tempDir("dvt-install-root-");
  await using work = await tempDir("dvt-install-work-");
  const env = { DENO_INSTALL_ROOT: root.path, DENO_NO_PROMPT: "1" };
  const install = await run(Deno.execPath(), ["task", "install"], { cwd: REPO_ROOT, env });
  assert.equal(install.code, 0, install.stderr);
  const dvt = join(root.path, "bin", "dvt");
  assert.ok((await Deno.stat(dvt)).isFile, "the dvt command exists");

  // A project of the user's own, outside the checkout, with paths relative to it.
  await Deno.mkdir(join(work.path, "data"));
  await Deno.copyFile(
    join(REPO_ROOT, "demo/data/customers.csv"),
    join(work.path, "data/customers.csv"),
  );
  await Deno.writeTextFile(
    join(work.path, "dvt.yaml"),
    "sources:\n  shop:\n    connector: files\n    config:\n      paths: [data/customers.csv]\n",
  );
  const extract = await run(dvt, ["extract", "shop"], { cwd: work.path, env });
  assert.equal(extract.code, 0, extract.stderr);
  assert.match(extract.stdout, /shop: 1 table extracted, 0 failed, 12 rows/);
  const rows = await queryDuckDB(
    join(work.path, "extracts/shop/extract.duckdb"),
    "SELECT count(*)::INTEGER AS n FROM customers",
  );
  assert.deepEqual(rows, [{ n: 12 }]);

  // Without dvt.yaml, the error says which directory was searched.
  await using empty = await tempDir("dvt-install-empty-");
  const missing = await run(dvt, ["extract", "shop"], { cwd: empty.path, env });
  assert.equal(missing.code, 2);
  assert.match(
    missing.stderr,
    new RegExp(`error: no dvt\\.yaml in ${empty.path} to find source "shop" in`),
  );
  assert.match(missing.stderr, /hint: create a dvt\.yaml with sources:, pass --project FILE/);
  const missingProject = await run(dvt, ["extract", "--project", "nope.yaml"], {
    cwd: empty.path,
    env,
  });
  assert.equal(missingProject.code, 2);
  assert.match(
    missingProject.stderr,
    new RegExp(`error: file not found: nope\\.yaml \\(looked in ${empty.path}\\)`),
  );
});

/**
 * Ordinary mistakes with `dvt extract`: each exits 2 with one sentence saying what is wrong and
 * a hint saying how to fix it, before anything is written.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli, tempDir } from "../_helpers.ts";
import { DEMO_PROJECT, writeDemoProject } from "./_demo_project.ts";

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test("an output directory that is a file exits 2 naming it", async () => {
  await using dir = await tempDir();
  await writeDemoProject(dir.path);
  await Deno.writeTextFile(join(dir.path, "taken"), "a file");
  for (const out of ["taken", "taken/sub"]) {
    const result = await runCli(["extract", "shop", "--out", out], { cwd: dir.path });
    assert.equal(result.code, 2, result.stderr);
    const expected = out === "taken"
      ? `error: source "shop" (dvt.yaml:2) failed: the output directory ${
        join(dir.path, "taken")
      } is a file`
      : `error: source "shop" (dvt.yaml:2) failed: cannot create the output directory ${
        join(dir.path, out)
      }: ${join(dir.path, "taken")} is a file`;
    assert.ok(result.stderr.startsWith(expected), result.stderr);
    assert.match(result.stderr, /hint: choose another directory with out: in dvt\.yaml or --out/);
    assert.doesNotMatch(result.stderr, /unexpected error/);
  }
});

Deno.test("an output directory on a read-only file system exits 2", async (t) => {
  await using dir = await tempDir();
  await writeDemoProject(dir.path);
  const mountPoint = join(dir.path, "ro");
  await Deno.mkdir(mountPoint);
  const mount = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", "ro", "tmpfs", mountPoint],
    stdout: "null",
    stderr: "null",
  }).output().catch(() => ({ success: false }));
  if (!mount.success) {
    t.step({ name: "skipped: mounting a read-only tmpfs needs root", ignore: true, fn() {} });
    return;
  }
  try {
    const result = await runCli(["extract", "shop", "--out", "ro/shop"], { cwd: dir.path });
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /^error: source "shop" \(dvt\.yaml:2\) failed: cannot write the output directory .*\/ro\/shop: the file system is read-only \(in .*\/ro\)$/m,
    );
    assert.match(
      result.stderr,
      /hint: choose a writable directory with out: in dvt\.yaml or --out/,
    );
  } finally {
    await new Deno.Command("umount", { args: [mountPoint] }).output();
  }
});

Deno.test("--set sample_size=-5 exits 2 with one message and the fix", async () => {
  await using dir = await tempDir();
  await writeDemoProject(dir.path);
  const result = await runCli(
    ["extract", "--connector", "files", "--set", "paths=data/*.csv", "--set", "sample_size=-5"],
    { cwd: dir.path },
  );
  assert.equal(result.code, 2, result.stderr);
  assert.equal(
    result.stderr,
    "error: sample_size must be a number of rows (1 or more) or -1 for the whole file, found -5\n" +
      "  hint: e.g. --set sample_size=100000, or --set sample_size=-1 to read every row\n",
  );
});

Deno.test("paths written as one string in dvt.yaml is read like --set reads it", async () => {
  await using dir = await tempDir();
  await writeDemoProject(
    dir.path,
    "sources:\n  shop:\n    connector: files\n    config:\n      paths: data/*.csv\n",
  );
  const result = await runCli(["extract", "shop"], { cwd: dir.path });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^shop: 2 tables extracted, 0 failed, 72 rows$/m);
});

Deno.test("a misspelled cursor column exits 2 before extracting, with its dvt.yaml line", async () => {
  await using dir = await tempDir();
  await writeDemoProject(dir.path, DEMO_PROJECT.replace("orders: updated_at", "orders: updatd_at"));
  const result = await runCli(["extract", "shop"], { cwd: dir.path });
  assert.equal(result.code, 2, result.stderr);
  assert.match(
    result.stderr,
    /^error: source "shop" \(dvt\.yaml:2\) failed: dvt\.yaml:6:28: sources\.shop\.incremental\.orders: table "orders" has no column "updatd_at" to use as its incremental cursor$/m,
  );
  assert.match(result.stderr, /^ {2}hint: did you mean "updated_at"\? valid: order_id, /m);
  assert.ok(!await exists(join(dir.path, "extracts/shop/extract.duckdb")));
});

Deno.test("a run refused by another run's lock names the output directory", async () => {
  await using dir = await tempDir();
  await writeDemoProject(dir.path);
  const state = join(dir.path, "extracts/shop/.dvt");
  await Deno.mkdir(state, { recursive: true });
  // This test process is alive on this host: its lock is held.
  await Deno.writeTextFile(
    join(state, "lock"),
    JSON.stringify({ pid: Deno.pid, hostname: Deno.hostname(), startedAt: "2026-01-01T00:00:00Z" }),
  );
  const result = await runCli(["extract", "shop"], { cwd: dir.path });
  assert.equal(result.code, 1, result.stderr);
  assert.match(
    result.stderr,
    new RegExp(
      `^error: source "shop" \\(dvt\\.yaml:2\\) failed: another dvt extract \\(pid ${Deno.pid} on .*\\) is writing ${
        join(dir.path, "extracts/shop")
      }$`,
      "m",
    ),
  );
  assert.match(result.stderr, /hint: wait for it to finish; if it is not running, delete .*lock/);
});

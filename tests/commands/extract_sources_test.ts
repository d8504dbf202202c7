import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli, tempDir } from "../_helpers.ts";
import { DEMO_PROJECT, writeDemoProject } from "./_demo_project.ts";

Deno.test("dvt extract over every source names the failing one with its dvt.yaml line and goes on", async () => {
  await using dir = await tempDir();
  // shop (line 2) reads a file that does not exist; crm (line 7) is fine.
  await writeDemoProject(dir.path, DEMO_PROJECT.replace("data/orders.csv", "data/missing.csv"));
  const result = await runCli(["extract"], { cwd: dir.path });
  assert.equal(result.code, 2, result.stderr);
  assert.match(
    result.stderr,
    /^error: source "shop" \(dvt\.yaml:2\) failed: .*file not found: data\/missing\.csv/m,
  );
  assert.match(result.stderr, /^ {2}hint: fix the path in tables\.orders/m);
  assert.match(result.stderr, /\(continuing with the other sources\)/);
  assert.match(result.stdout, /^crm: 2 tables extracted, 0 failed, 18 rows$/m);
  assert.doesNotMatch(result.stdout, /^shop:/m);

  const json = await runCli(["extract", "--json"], { cwd: dir.path });
  assert.equal(json.code, 2);
  const [shop, crm] = JSON.parse(json.stdout);
  assert.equal(shop.source, "shop");
  assert.match(shop.error.message, /file not found: data\/missing\.csv/);
  assert.match(shop.error.hint, /fix the path/);
  assert.equal(shop.error.exitCode, 2);
  assert.equal(crm.source, "crm");
  assert.equal(crm.tablesExtracted, 2);
  const events = json.stderr.trim().split("\n").map((line) => JSON.parse(line));
  const starts = events.filter((e) => e.event === "extract.start").map((e) => e.source);
  assert.deepEqual(starts, ["shop", "crm"]);
  const ends = events.filter((e) => e.event === "extract.end");
  assert.deepEqual(
    ends.map((e) => [e.source, e.status, e.exitCode, e.rows]),
    [["shop", "failed", 2, 0], ["crm", "ok", 0, 18]],
  );
  assert.ok(ends.every((e) => typeof e.seconds === "number"));
});

Deno.test("dvt extract <source> that fails names the source and its dvt.yaml line", async () => {
  await using dir = await tempDir();
  await writeDemoProject(dir.path, DEMO_PROJECT.replace("data/orders.csv", "data/missing.csv"));
  const result = await runCli(["extract", "shop"], { cwd: dir.path });
  assert.equal(result.code, 2, result.stderr);
  assert.match(
    result.stderr,
    /^error: source "shop" \(dvt\.yaml:2\) failed: .*file not found: data\/missing\.csv/m,
  );
  assert.match(result.stderr, /^ {2}hint: fix the path in tables\.orders/m);
  assert.doesNotMatch(result.stderr, /continuing with the other sources/);
});

Deno.test("with --json an error is a JSON object on stdout: message, hint, location, exit code", async () => {
  await using dir = await tempDir();
  await writeDemoProject(dir.path);
  const unknown = await runCli(["extract", "shpo", "--json"], { cwd: dir.path });
  assert.equal(unknown.code, 2);
  const { error } = JSON.parse(unknown.stdout);
  assert.equal(error.message, 'dvt.yaml:1:1: unknown source "shpo"');
  assert.equal(error.hint, 'did you mean "shop"? valid: shop, crm');
  assert.deepEqual(error.location, { file: "dvt.yaml", line: 1, column: 1 });
  assert.equal(error.exitCode, 2);
  assert.match(unknown.stderr, /error: dvt\.yaml:1:1: unknown source "shpo"/);

  const usage = await runCli(["extract", "--json", "--threads", "zero"], { cwd: dir.path });
  assert.equal(usage.code, 2);
  assert.match(JSON.parse(usage.stdout).error.message, /expected a positive integer, got "zero"/);
  assert.equal(JSON.parse(usage.stdout).error.exitCode, 2);
});

Deno.test("bare dvt prints help on stdout and exits 0", async () => {
  const result = await runCli([]);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /^Usage: dvt \[options\] \[command\]/);
  assert.match(result.stdout, /Examples:/);
  assert.equal(result.stderr, "");
});

Deno.test("a single failing source still fails as the command did, with no JSON list", async () => {
  await using dir = await tempDir();
  await writeDemoProject(dir.path, DEMO_PROJECT.replace("data/orders.csv", "data/missing.csv"));
  const result = await runCli(["extract", "shop", "--json"], { cwd: dir.path });
  assert.equal(result.code, 2);
  assert.match(JSON.parse(result.stdout).error.message, /file not found: data\/missing\.csv/);
  assert.ok(!(await Deno.stat(join(dir.path, "extracts/shop")).catch(() => false)));
});

Deno.test("an ad-hoc run from a connector.yaml is labelled with the manifest's name", async () => {
  await using dir = await tempDir();
  await writeDemoProject(dir.path);
  await Deno.mkdir(join(dir.path, "conn"));
  await Deno.writeTextFile(
    join(dir.path, "conn/connector.yaml"),
    "name: csvs\nversion: 1.0.0\ndescription: files under another name\nentrypoint: builtin:files\n" +
      "capabilities: [discover, read]\nconfig:\n  paths: { type: array, items: { type: string } }\n" +
      "  base_dir: { type: string }\n",
  );
  const result = await runCli(
    ["extract", "--connector", "./conn/connector.yaml", "--set", "paths=data/customers.csv"],
    { cwd: dir.path },
  );
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^csvs: 1 table extracted, 0 failed, 12 rows$/m);
  assert.match(result.stdout, new RegExp(`^extract: ${join(dir.path, "extracts/conn")}$`, "m"));
});

import assert from "node:assert/strict";
import { runCli, tempDir } from "../_helpers.ts";

const CAPS = ["discover", "read", "stream", "remote"];

/** Every subset of CAPS that includes at least one of read, stream, remote. */
function combinations(): string[][] {
  const combos: string[][] = [];
  for (let mask = 1; mask < 1 << CAPS.length; mask++) {
    const caps = CAPS.filter((_, bit) => mask & (1 << bit));
    if (caps.some((cap) => cap !== "discover")) combos.push(caps);
  }
  return combos;
}

Deno.test("dvt connector new scaffolds connectors that pass `dvt connector test` for every capability mix", async () => {
  await using dir = await tempDir();
  for (const caps of combinations()) {
    const name = `c-${caps.join("-")}`;
    const created = await runCli([
      "connector",
      "new",
      name,
      "--caps",
      caps.join(","),
      "--dir",
      dir.path,
    ]);
    assert.equal(created.code, 0, created.stderr);
    const args = ["connector", "test", `${dir.path}/${name}`, "--json"];
    if (!caps.includes("discover")) args.push("--tables", "orders");
    const tested = await runCli(args);
    assert.equal(tested.code, 0, `${caps}: ${tested.stdout}${tested.stderr}`);
    const report = JSON.parse(tested.stdout);
    assert.equal(report.failed, 0);
    const passed = report.results.filter((r: { status: string }) => r.status === "passed")
      .map((r: { name: string }) => r.name.split(" ")[0]);
    for (const cap of caps) {
      if (cap === "stream" && !caps.includes("discover")) continue;
      assert.ok(passed.includes(cap), `${caps}: ${cap} check did not pass: ${tested.stdout}`);
    }
    assert.ok(passed.includes("full"), `${caps}: pipeline did not pass`);
  }
});

Deno.test("dvt connector new writes a readable README and a test file that runs the contract tests", async () => {
  await using dir = await tempDir();
  const created = await runCli(["connector", "new", "shop", "--dir", dir.path]);
  assert.equal(created.code, 0, created.stderr);
  assert.deepEqual(
    created.stdout.trim().split("\n").map((line) => line.split("/").pop()),
    ["connector.yaml", "connector.ts", "connector_test.ts", "dvt.ts", "README.md"],
  );
  const readme = await Deno.readTextFile(`${dir.path}/shop/README.md`);
  assert.match(readme, /dvt connector test .*shop/);
  const connector = await Deno.readTextFile(`${dir.path}/shop/connector.ts`);
  assert.match(connector, /capabilities: Cap\.DISCOVER \| Cap\.READ,/);
  assert.match(connector, /from "\.\/dvt\.ts";/);
  // Outside the checkout, with no deno.json: every generated file type-checks on its own.
  const check = await new Deno.Command(Deno.execPath(), {
    args: ["check", "connector.ts", "connector_test.ts", "dvt.ts"],
    cwd: `${dir.path}/shop`,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(check.code, 0, new TextDecoder().decode(check.stderr));
  // connector_test.ts runs the dvt command (here this checkout's cli.ts, through DVT_BIN).
  const command = new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "connector_test.ts"],
    env: {
      DVT_BIN: `${Deno.execPath()} run -A --unstable-worker-options ${
        new URL("../../cli.ts", import.meta.url).pathname
      }`,
    },
    cwd: `${dir.path}/shop`,
    stdout: "piped",
    stderr: "piped",
  });
  const output = await command.output();
  const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, text);
  assert.match(text, /shop connector passes the dvt contract tests \.\.\. .*ok/);
});

Deno.test("dvt connector new refuses bad names, bad caps and existing files without writing", async () => {
  await using dir = await tempDir();
  const bad = await runCli(["connector", "new", "Bad Name", "--dir", dir.path]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /invalid connector name "Bad Name"/);
  const caps = await runCli([
    "connector",
    "new",
    "ok",
    "--caps",
    "discover,raed",
    "--dir",
    dir.path,
  ]);
  assert.equal(caps.code, 2);
  assert.match(caps.stderr, /unknown capability "raed"[\s\S]*did you mean "read"/);
  const onlyDiscover = await runCli([
    "connector",
    "new",
    "ok",
    "--caps",
    "discover",
    "--dir",
    dir.path,
  ]);
  assert.equal(onlyDiscover.code, 2);
  assert.deepEqual([...Deno.readDirSync(dir.path)], []);
  await Deno.mkdir(`${dir.path}/shop`);
  await Deno.writeTextFile(`${dir.path}/shop/README.md`, "mine");
  const exists = await runCli(["connector", "new", "shop", "--dir", dir.path]);
  assert.equal(exists.code, 2);
  assert.match(exists.stderr, /README\.md already exists; nothing was written/);
  assert.deepEqual([...Deno.readDirSync(`${dir.path}/shop`)].map((entry) => entry.name), [
    "README.md",
  ]);
  assert.equal(await Deno.readTextFile(`${dir.path}/shop/README.md`), "mine");
});

Deno.test("the generated dvt.ts types ctx.arrow with the apache-arrow release dvt uses", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  await using dir = await tempDir();
  const created = await runCli(["connector", "new", "shop", "--dir", dir.path]);
  assert.equal(created.code, 0, created.stderr);
  const dvt = await Deno.readTextFile(`${dir.path}/shop/dvt.ts`);
  const arrow = String(config.imports["apache-arrow"]);
  assert.ok(dvt.includes(`from "${arrow}"`), `${arrow} in dvt.ts`);
  assert.match(dvt, /DISCOVER: 1,\n {2}READ: 2,/);
});

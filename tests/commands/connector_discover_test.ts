import assert from "node:assert/strict";
import { runCli, tempDir } from "../_helpers.ts";

Deno.test("dvt connector discover prints tables with Arrow schemas, keys and capabilities", async () => {
  await using dir = await tempDir();
  await runCli(["connector", "new", "shop", "--caps", "discover,read,stream"], { cwd: dir.path });
  const json = await runCli(["connector", "discover", "./connectors/shop", "--json"], {
    cwd: dir.path,
  });
  assert.equal(json.code, 0, json.stderr);
  const [table] = JSON.parse(json.stdout).tables;
  assert.equal(table.name, "orders");
  assert.deepEqual(table.capabilities, ["read", "stream"]);
  assert.deepEqual(table.primaryKey, ["id"]);
  assert.equal(table.cursorField, "updated_at");
  assert.deepEqual(table.fields[0], { name: "id", type: "Int32", nullable: true });
  const text = await runCli(["connector", "discover", "shop"], { cwd: dir.path });
  assert.match(
    text.stdout,
    /^orders {2}\[read, stream\]\n[\s\S]*primary key: id\n {2}cursor: updated_at\n {4}id +Int32/,
  );
});

Deno.test("dvt connector discover applies a dvt.yaml source's config and --set", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/a.csv`, "id,name\n1,x\n2,y\n");
  await Deno.writeTextFile(
    `${dir.path}/dvt.yaml`,
    "sources:\n  raw:\n    connector: files\n    config:\n      paths: [a.csv]\n",
  );
  const result = await runCli(["connector", "discover", "raw", "--json"], { cwd: dir.path });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout).tables.map((t: { name: string }) => t.name), ["a"]);
  const bad = await runCli(["connector", "discover", "raw", "--set", "pahts=a.csv"], {
    cwd: dir.path,
  });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--set pahts: unknown config key "pahts"[\s\S]*did you mean "paths"/);
  await Deno.writeTextFile(
    `${dir.path}/dvt.yaml`,
    "sources:\n  raw:\n    connector: files\n    config:\n      paths: a.csv\n",
  );
  // A list written as one string is read as --set reads it (issue 10), not refused.
  const single = await runCli(["connector", "discover", "raw", "--json"], { cwd: dir.path });
  assert.equal(single.code, 0, single.stderr);
  assert.deepEqual(JSON.parse(single.stdout).tables.map((t: { name: string }) => t.name), ["a"]);
});

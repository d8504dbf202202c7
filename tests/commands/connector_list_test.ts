import assert from "node:assert/strict";
import { runCli, tempDir } from "../_helpers.ts";

Deno.test("dvt connector list shows built-in, project and dvt.yaml connectors, invalid ones with their error", async () => {
  await using dir = await tempDir();
  const made = await runCli(["connector", "new", "shop", "--caps", "discover,read,remote"], {
    cwd: dir.path,
  });
  assert.equal(made.code, 0, made.stderr);
  await Deno.mkdir(`${dir.path}/connectors/broken`);
  await Deno.writeTextFile(
    `${dir.path}/connectors/broken/connector.yaml`,
    "name: broken\nversion: 1.0.0\nentrypoint: ./c.ts\ncapabilities: [reed]\n",
  );
  await runCli(["connector", "new", "extra", "--dir", "vendor"], { cwd: dir.path });
  await Deno.writeTextFile(
    `${dir.path}/dvt.yaml`,
    "sources:\n  raw:\n    connector: files\n  other:\n    connector: ./vendor/extra\n  mine:\n    connector: shop\n",
  );
  const listed = await runCli(["connector", "list", "--json"], { cwd: dir.path });
  assert.equal(listed.code, 0, listed.stderr);
  const rows = JSON.parse(listed.stdout) as Record<string, unknown>[];
  const byName = Object.fromEntries(rows.map((row) => [row.name, row]));
  assert.equal(byName.files.origin, "builtin");
  assert.deepEqual(byName.files.usedBy, ["raw"]);
  assert.deepEqual(byName.shop.capabilities, ["discover", "read", "remote"]);
  assert.equal(byName.shop.origin, "project");
  assert.deepEqual(byName.shop.usedBy, ["mine"]);
  assert.equal(byName.extra.origin, "source");
  assert.equal(byName.extra.version, "0.1.0");
  assert.match(
    String(byName.broken.error),
    /connector\.yaml:4:16: capabilities\[0\]: unknown capability/,
  );
  const text = await runCli(["connector", "list"], { cwd: dir.path });
  assert.equal(text.code, 0);
  assert.match(text.stdout, /^NAME\s+VERSION\s+CAPABILITIES\s+ORIGIN\s+LOCATION/);
  assert.match(text.stdout, /shop\s+0\.1\.0\s+discover,read,remote\s+project \(mine\)/);
  assert.match(text.stdout, /broken\s+-\s+INVALID/);
});

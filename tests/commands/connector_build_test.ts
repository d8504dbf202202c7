import assert from "node:assert/strict";
import { join } from "node:path";
import { verifyIntegrity } from "../../runtime/sandbox/module_source.ts";
import { queryDuckDB, runCli, serveLocal, tempDir } from "../_helpers.ts";

Deno.test("dvt connector build bundles a scaffolded connector and prints its integrity", async () => {
  await using dir = await tempDir();
  const made = await runCli(["connector", "new", "shop", "--caps", "discover,read"], {
    cwd: dir.path,
  });
  assert.equal(made.code, 0, made.stderr);

  const built = await runCli(["connector", "build", "connectors/shop", "--json"], {
    cwd: dir.path,
  });
  assert.equal(built.code, 0, built.stderr);
  const result = JSON.parse(built.stdout);
  assert.equal(result.name, "shop");
  assert.equal(result.file, join(dir.path, "connectors/shop/dist/shop.js"));
  const bytes = await Deno.readFile(result.file);
  assert.equal(result.bytes, bytes.length);
  await verifyIntegrity(bytes, result.integrity, result.file);
  assert.doesNotMatch(new TextDecoder().decode(bytes), /^\s*import\s/m);

  const text = await runCli(["connector", "build", "connectors/shop", "--out", "out/shop.js"], {
    cwd: dir.path,
  });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^Built shop 0\.1\.0 -> out\/shop\.js \(\d+ bytes\)$/m);
  assert.match(text.stdout, new RegExp(`integrity: ${result.integrity.replace(/[+/]/g, "\\$&")}`));
});

Deno.test("dvt connector build refuses built-ins and missing directories with exit 2", async () => {
  await using dir = await tempDir();
  const missing = await runCli(["connector", "build", "nowhere"], { cwd: dir.path });
  assert.equal(missing.code, 2);
  assert.match(
    missing.stderr,
    /error: no connector directory nowhere \(looked for .*\/nowhere and .*\/connectors\/nowhere\)/,
  );
  assert.match(missing.stderr, /hint: pass the directory that holds connector\.yaml, or the name/);
  const bareBuiltin = await runCli(["connector", "build", "files"], { cwd: dir.path });
  assert.equal(bareBuiltin.code, 2);
  assert.match(bareBuiltin.stderr, /error: files is a built-in connector/);
  await Deno.mkdir(join(dir.path, "wrap"));
  await Deno.writeTextFile(
    join(dir.path, "wrap/connector.yaml"),
    "name: wrap\nversion: 1.0.0\ndescription: files wrapper\nentrypoint: builtin:files\ncapabilities: [discover, read]\n",
  );
  const builtin = await runCli(["connector", "build", "wrap"], { cwd: dir.path });
  assert.equal(builtin.code, 2, builtin.stderr);
  assert.match(builtin.stderr, /built-in connectors ship inside dvt/);
});

Deno.test("a built connector published over HTTP extracts through dvt extract --connector URL", async () => {
  await using dir = await tempDir();
  await runCli(["connector", "new", "shop", "--caps", "discover,read"], { cwd: dir.path });
  const built = await runCli(["connector", "build", "connectors/shop", "--json"], {
    cwd: dir.path,
  });
  assert.equal(built.code, 0, built.stderr);
  const { file, integrity } = JSON.parse(built.stdout);
  const bundle = await Deno.readFile(file);
  const local = await Deno.readTextFile(join(dir.path, "connectors/shop/connector.yaml"));
  const published = local
    .replace(/^entrypoint:.*$/m, "entrypoint: ./shop.js")
    .concat(`\nintegrity: ${integrity}\n`);
  const requests: string[] = [];
  await using server = serveLocal((request) => {
    const path = new URL(request.url).pathname;
    requests.push(path);
    if (path === "/shop/connector.yaml") return new Response(published);
    if (path === "/shop/shop.js") return new Response(bundle);
    return new Response("not found", { status: 404 });
  });

  const out = join(dir.path, "remote-extract");
  const extract = await runCli(
    ["extract", "--connector", `${server.url}/shop/connector.yaml`, "--out", out, "--json"],
    { cwd: dir.path },
  );
  assert.equal(extract.code, 0, extract.stderr);
  assert.deepEqual(requests, ["/shop/connector.yaml", "/shop/shop.js"]);
  const result = JSON.parse(extract.stdout);
  assert.equal(result.tablesFailed, 0);
  assert.ok(result.totalRows > 0);
  const meta = await queryDuckDB(join(out, "extract.duckdb"), "SELECT table_name, rows FROM _meta");
  assert.equal(
    meta.reduce((sum, row) => sum + Number(row.rows), 0),
    result.totalRows,
  );
});

Deno.test("dvt connector build accepts the bare name of a connector in ./connectors/", async () => {
  await using dir = await tempDir();
  const created = await runCli(["connector", "new", "shop"], { cwd: dir.path });
  assert.equal(created.code, 0, created.stderr);
  const built = await runCli(["connector", "build", "shop"], { cwd: dir.path });
  assert.equal(built.code, 0, built.stderr);
  assert.match(built.stdout, /^Built shop 0\.1\.0 -> connectors\/shop\/dist\/shop\.js/m);
});

/**
 * Escape suite: files, programs, native code, modules, workers, exit, the Cache API and the
 * bundler. What is asserted is what happened on disk and in the output, not what the connector
 * reports.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli, serveLocal, tempDir } from "../../_helpers.ts";
import {
  everything,
  extractGood,
  extractProbe,
  probeProject,
  publishedIds,
  runCliWithin,
} from "./_probe.ts";

const SECRET = "file-secret-5c1e0b7a";

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test("a connector can neither read nor write files, nor run programs, nor load native code", async () => {
  await using outside = await tempDir();
  const secretFile = join(outside.path, "creds.txt");
  await Deno.writeTextFile(secretFile, SECRET);
  const attacks = {
    read: `ctx.log.info(Deno.readTextFileSync(${JSON.stringify(secretFile)}));`,
    fetchFile: `ctx.log.info(await (await fetch("file://${secretFile}")).text());`,
    write: `Deno.writeTextFileSync(${JSON.stringify(join(outside.path, "written"))}, "x");`,
    run: `new Deno.Command("touch", { args: [${
      JSON.stringify(join(outside.path, "ran"))
    }] }).outputSync();`,
    ffi: `Deno.dlopen("libc.so.6", { getpid: { parameters: [], result: "i32" } });`,
    exit: `Deno.exit(0);`,
  };
  for (const [name, attack] of Object.entries(attacks)) {
    await using project = await probeProject({ attack: `${attack}\nyield rows([4, 5, 6]);` });
    await extractGood(project);
    const run = await extractProbe(project, { timeoutMs: 60_000 });
    assert.equal(run.code, 1, `${name}: ${run.stderr}`);
    assert.ok(!everything(run).includes(SECRET), `${name} read the file`);
    assert.doesNotMatch(run.stderr, /--allow-/, name);
    assert.deepEqual(await publishedIds(project), [1, 2, 3, 4, 5, 6], name);
  }
  assert.equal(await exists(join(outside.path, "written")), false, "no file was written");
  assert.equal(await exists(join(outside.path, "ran")), false, "no program ran");
});

Deno.test("denied operations say which connector tried what, and how grants work", async () => {
  await using server = serveLocal(() => new Response("never"));
  await using project = await probeProject({
    attack: `const attempt = config.attempt;
      if (attempt === "read") Deno.readTextFileSync("/etc/hostname");
      if (attempt === "net") await fetch(${JSON.stringify(server.url)});
      if (attempt === "env") Deno.env.get("HOME");
      yield rows([4, 5, 6]);`,
    manifestExtra: "  attempt: { type: string, default: none }\n",
  });
  const expected = {
    read:
      /connector probe tried to read the file \/etc\/hostname; a connector may never do that \(only network hosts and env vars can be granted, in connector\.yaml permissions\)/,
    net:
      /connector probe tried to reach 127\.0\.0\.1:\d+, which its manifest does not grant; add the host to permissions\.net in connector\.yaml/,
    env:
      /connector probe tried to read env var HOME, which its manifest does not grant; add it to permissions\.env in connector\.yaml/,
  };
  for (const [attempt, message] of Object.entries(expected)) {
    const run = await extractProbe(project, { args: ["--set", `attempt=${attempt}`] });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, message);
    assert.doesNotMatch(run.stderr, /run again with|--allow-/);
  }
});

Deno.test("imports and nested workers load nothing, even from a server the connector may reach", async () => {
  const requests: string[] = [];
  await using server = serveLocal((request) => {
    requests.push(new URL(request.url).pathname);
    return new Response(
      `await fetch(${JSON.stringify("http://127.0.0.1:1/")}); export default 1;`,
      {
        headers: { "content-type": "application/javascript" },
      },
    );
  });
  for (
    const attack of [
      `await import(${JSON.stringify(`${server.url}/module.js`)});`,
      `new Worker(${JSON.stringify(`${server.url}/worker.js`)}, { type: "module" });`,
    ]
  ) {
    await using project = await probeProject({
      net: [`127.0.0.1:${server.port}`],
      attack: `${attack}\nyield rows([4, 5, 6]);`,
    });
    const run = await extractProbe(project);
    assert.equal(run.code, 1, `${attack}: ${run.stderr}`);
  }
  assert.deepEqual(requests, [], "no module or worker script was fetched");
});

Deno.test("the Cache API is gone: nothing reaches disk for another connector to read", async () => {
  const key = `http://cache.invalid/${crypto.randomUUID()}`;
  await using writer = await probeProject({
    attack: `const cache = await caches.open("dvt-escape");
      await cache.put(${JSON.stringify(key)}, new Response(${JSON.stringify(SECRET)}));
      yield rows([4, 5, 6]);`,
  });
  const wrote = await extractProbe(writer);
  assert.equal(wrote.code, 1, wrote.stderr);
  assert.match(wrote.stderr, /caches is not defined|Cannot read properties of undefined/);
  await using reader = await probeProject({
    attack: `let found = "nothing";
      try {
        const hit = await (await caches.open("dvt-escape")).match(${JSON.stringify(key)});
        found = hit ? await hit.text() : "nothing";
      } catch (error) { found = "no cache: " + error.message; }
      ctx.log.info("cache holds " + found);
      yield rows([4, 5, 6]);`,
  });
  const read = await extractProbe(reader);
  assert.equal(read.code, 0, read.stderr);
  assert.ok(!everything(read).includes(SECRET));
  assert.match(
    read.stderr,
    /cache holds no cache: (caches is not defined|Cannot read properties of undefined)/,
  );
});

Deno.test("bundling reads only files inside the connector directory", async () => {
  for (
    const [name, top, extraFile] of [
      [
        "absolute text import",
        (dir: string) =>
          `import notes from ${JSON.stringify(join(dir, "notes.txt"))} with { type: "text" };
         globalThis.leak = notes;`,
        undefined,
      ],
      [
        "parent json import",
        () =>
          `import creds from "../../private/creds.json" with { type: "json" };
         globalThis.leak = JSON.stringify(creds);`,
        undefined,
      ],
      ["symlink out of the directory", () =>
        `import notes from "./link.txt" with { type: "text" };
         globalThis.leak = notes;`, "link"],
    ] as const
  ) {
    await using project = await probeProject({
      attack: `ctx.log.info("leak " + globalThis.leak);\nyield rows([4, 5, 6]);`,
    });
    await Deno.writeTextFile(join(project.dir, "notes.txt"), SECRET);
    await Deno.mkdir(join(project.dir, "private"));
    await Deno.writeTextFile(join(project.dir, "private", "creds.json"), `{"k":"${SECRET}"}`);
    if (extraFile) {
      await Deno.symlink(join(project.dir, "notes.txt"), join(project.connectorDir, "link.txt"));
    }
    const module = join(project.connectorDir, "connector.js");
    await Deno.writeTextFile(module, `${top(project.dir)}\n${await Deno.readTextFile(module)}`);
    const run = await extractProbe(project);
    assert.equal(run.code, 1, `${name}: ${run.stderr}`);
    assert.ok(!everything(run).includes(SECRET), `${name} inlined the file`);
    assert.match(run.stderr, /is outside the connector directory/, name);
    const built = await runCli(["connector", "build", "connectors/probe"], { cwd: project.dir });
    assert.notEqual(built.code, 0, name);
    const dist = join(project.connectorDir, "dist", "probe.js");
    assert.equal(await exists(dist), false, `${name}: no bundle written`);
  }
});

Deno.test("a file next to the module may be imported (it is the connector's own)", async () => {
  await using project = await probeProject({
    top: `import greeting from "./greeting.txt" with { type: "text" };`,
    attack: `ctx.log.info("greeting " + greeting.trim());\nyield rows([4, 5, 6]);`,
    files: { "greeting.txt": "hello from the connector directory\n" },
  });
  const run = await extractProbe(project);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /greeting hello from the connector directory/);
});

Deno.test("a remote connector.yaml may not name a built-in connector", async () => {
  await using project = await probeProject();
  await Deno.writeTextFile(join(project.dir, "local.csv"), `id\n${SECRET}\n`);
  await using server = serveLocal(() =>
    new Response(`name: sneaky
version: 1.0.0
entrypoint: builtin:files
capabilities: [discover, read]
config:
  paths: { type: string, default: "${join(project.dir, "local.csv")}" }
`)
  );
  const run = await runCliWithin(
    ["extract", "--connector", `${server.url}/connector.yaml`, "--out", project.out],
    project.dir,
  );
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /a remote connector\.yaml may not name a built-in connector/);
  assert.equal(await exists(join(project.out, "extract.duckdb")), false, "nothing extracted");
  assert.ok(!everything(run).includes(SECRET));
});

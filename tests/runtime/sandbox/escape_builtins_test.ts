/**
 * Escape suite: Node's built-in modules and code made from strings. Deno lets any module import
 * `node:` built-ins without a permission, and some reach past the lock-down (`node:process`
 * names dvt's executable, `node:fs` writes dvt's stdout through file descriptor 1); so a
 * sandboxed connector loads no module at all, whichever way it spells the import. Each run is
 * the real CLI as a child process; what is asserted is what reached the output.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO_ROOT, serveLocal } from "../../_helpers.ts";
import {
  everything,
  extractGood,
  extractProbe,
  probeProject,
  publishedIds,
  runCliWithin,
} from "./_probe.ts";

const MARKER = "escaped-through-a-node-builtin";

/** Host facts and writes a connector attempts through node: built-ins, each spelled `spelling`. */
function builtinAttack(spelling: (module: string) => string): string {
  return `const seen = {};
    const attempts = {
      execPath: async () => (await ${spelling("process")}).default.execPath,
      title: async () => (await ${spelling("process")}).default.title,
      pid: async () => (await ${spelling("process")}).default.pid,
      env: async () => JSON.stringify((await ${spelling("process")}).default.env),
      homedir: async () => (await ${spelling("os")}).homedir(),
      hostname: async () => (await ${spelling("os")}).hostname(),
      stdoutFd: async () => (await ${spelling("fs")}).writeSync(1, "${MARKER} fd 1\\n"),
      stderrFd: async () => (await ${spelling("fs")}).writeSync(2, "${MARKER} fd 2\\n"),
      stdinFd: async () => (await ${spelling("fs")}).readFileSync(0, "utf8"),
      worker: async () => new (await ${
    spelling("worker_threads")
  }).Worker("data:text/javascript,1"),
    };
    for (const [name, attempt] of Object.entries(attempts)) {
      try { seen[name] = "got " + String(await attempt()); }
      catch (error) { seen[name] = "hidden: " + error.message; }
    }
    ctx.log.info("attempts", seen);
    yield rows([4, 5, 6]);`;
}

const SPELLINGS: Record<string, (module: string) => string> = {
  "a computed import()": (module) => `import(["node", "${module}"].join(":"))`,
  "eval": (module) => `eval("import('node:${module}')")`,
  "new Function": (module) => `new Function("return import('node:${module}')")()`,
  "the AsyncFunction constructor": (module) =>
    `(async () => {}).constructor("return await import('node:${module}')")()`,
};

for (const [how, spelling] of Object.entries(SPELLINGS)) {
  Deno.test(`node: built-ins stay out of reach through ${how}: no host fact, no stdio`, async () => {
    await using project = await probeProject({ attack: builtinAttack(spelling) });
    const run = await extractProbe(project, { json: true, stdin: `${MARKER} on stdin` });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).totalRows, 6, "stdout is dvt's one JSON document");
    const events = run.stderr.trim().split("\n").map((line) => JSON.parse(line));
    const attempts = events.find((event) => event.message === "attempts");
    assert.ok(attempts, run.stderr);
    for (const name of ["execPath", "title", "pid", "env", "homedir", "stdoutFd", "stdinFd"]) {
      assert.match(String(attempts[name]), /^hidden: /, `${how}: ${name}`);
    }
    const output = everything(run);
    // (dvt itself prints the project's out directory, so cwd is checked by its own test.)
    for (const fact of [Deno.execPath(), MARKER]) {
      assert.ok(!output.includes(fact), `${how}: ${fact} leaked: ${output}`);
    }
  });
}

Deno.test("a remote connector that imports node: built-ins is refused before it runs", async () => {
  const module = `import process from "node:process";
import { writeSync } from "node:fs";
writeSync(1, "${MARKER}\\n");
export default (ctx) => ({
  capabilities: 3,
  discover: () => { ctx.log.info(process.execPath); return []; },
});
`;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(module));
  const integrity = `sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}`;
  await using server = serveLocal((request) =>
    new Response(
      request.url.endsWith(".js") ? module : `name: remote
version: 1.0.0
entrypoint: ./connector.js
integrity: ${integrity}
capabilities: [discover, read]
`,
    )
  );
  await using project = await probeProject();
  const run = await runCliWithin(
    ["extract", "--connector", `${server.url}/connector.yaml`, "--out", project.out],
    project.dir,
  );
  assert.equal(run.code, 1, run.stderr);
  assert.match(
    run.stderr,
    /connector remote cannot run in the sandbox: .*connector\.js line 1:\d+: imports "node:process"/,
  );
  assert.ok(!everything(run).includes(MARKER), everything(run));
  assert.ok(!everything(run).includes(Deno.execPath()), everything(run));
});

Deno.test("a connector cannot load a module of its own through the worker's message handler", async () => {
  await using project = await probeProject({
    attack: `self.onmessage({ data: {
        kind: "init", name: "probe", moduleUrl: "file:///probe.js", config: {},
        code: 'import { writeSync } from "node:fs"; writeSync(1, "${MARKER}\\\\n"); export default () => ({ capabilities: 0 });',
      } });
      await new Promise((resolve) => setTimeout(resolve, 500));
      yield rows([4, 5, 6]);`,
  });
  await extractGood(project);
  const run = await extractProbe(project);
  assert.ok(!everything(run).includes(MARKER), everything(run));
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /the connector is already loaded/);
  assert.deepEqual(await publishedIds(project), [1, 2, 3, 4, 5, 6]);
});

Deno.test("stack traces name no file of dvt's, and a connector cannot read the frames itself", async () => {
  await using project = await probeProject({
    attack: `const plain = new Error("where am I").stack;
      let custom;
      try { Error.prepareStackTrace = (_error, frames) => frames.map((frame) => frame.getFileName()).join("|"); }
      catch (error) { custom = "refused: " + error.message; }
      const after = new Error("and now").stack;
      ctx.log.info("stacks", { plain, custom, after });
      yield rows([4, 5, 6]);`,
  });
  const run = await extractProbe(project, { json: true });
  assert.equal(run.code, 0, run.stderr);
  const events = run.stderr.trim().split("\n").map((line) => JSON.parse(line));
  const stacks = events.find((event) => event.message === "stacks");
  assert.ok(stacks, run.stderr);
  // (Log fields escape newlines.)
  assert.match(stacks.plain, /^Error: where am I\\n {4}at read \(connector:\d+:\d+\)/);
  assert.match(stacks.plain, /\(dvt:\d+:\d+\)/);
  assert.match(stacks.custom, /^refused: /);
  assert.match(stacks.after, /^Error: and now\\n/);
  for (const path of [REPO_ROOT, join(REPO_ROOT, "runtime"), "worker_main", "file://"]) {
    assert.ok(!everything(run).includes(path), `${path} leaked: ${everything(run)}`);
  }
});

Deno.test("code made from strings still runs when it imports nothing (Arrow compiles null checks)", async () => {
  await using project = await probeProject({
    attack: `const sum = new Function("a", "b", "return a + b")(2, 3) + (0, eval)("1 + 1");
      const names = ctx.arrow.vectorFromArray(["a", null, "b"], new ctx.arrow.Utf8());
      ctx.log.info("made", { sum, nulls: names.nullCount, isFunction: (() => {}) instanceof Function });
      yield rows([4, 5, 6]);`,
  });
  const run = await extractProbe(project, { json: true });
  assert.equal(run.code, 0, run.stderr);
  const events = run.stderr.trim().split("\n").map((line) => JSON.parse(line));
  const made = events.find((event) => event.message === "made");
  assert.deepEqual([made?.sum, made?.nulls, made?.isFunction], [7, 1, true], run.stderr);
});

Deno.test("Deno's own host facts stay hidden: host name, home, user, network, system", async () => {
  await using project = await probeProject({
    attack: `const seen = {};
      const attempts = {
        hostname: () => Deno.hostname(),
        home: () => Deno.env.get("HOME"),
        environment: () => JSON.stringify(Deno.env.toObject()),
        uid: () => Deno.uid(),
        interfaces: () => JSON.stringify(Deno.networkInterfaces()),
        osRelease: () => Deno.osRelease(),
        memory: () => JSON.stringify(Deno.systemMemoryInfo()),
        loadavg: () => Deno.loadavg(),
        pid: () => Deno.pid,
        ppid: () => Deno.ppid,
      };
      for (const [name, attempt] of Object.entries(attempts)) {
        try { seen[name] = "got " + String(attempt()); }
        catch (error) { seen[name] = "hidden: " + error.message; }
      }
      ctx.log.info("attempts", seen);
      yield rows([4, 5, 6]);`,
  });
  const run = await extractProbe(project, { json: true });
  assert.equal(run.code, 0, run.stderr);
  const events = run.stderr.trim().split("\n").map((line) => JSON.parse(line));
  const attempts = events.find((event) => event.message === "attempts");
  assert.ok(attempts, run.stderr);
  for (const [name, value] of Object.entries(attempts)) {
    if (["time", "event", "level", "message", "connector"].includes(name)) continue;
    assert.match(String(value), /^hidden: /, name);
  }
  const output = everything(run);
  // (A fact too short to be told from other text, such as a host name "vm", is checked above.)
  const facts = [Deno.hostname(), Deno.env.get("HOME") ?? "", Deno.osRelease()];
  for (const fact of facts.filter((fact) => fact.length >= 5)) {
    assert.ok(!output.includes(fact), `${fact} leaked: ${output}`);
  }
});

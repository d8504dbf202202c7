/**
 * Escape suite: dvt's own terminal. A connector cannot write dvt's stdout, read its stdin, forge
 * log lines or fields, print a granted secret, learn where dvt runs, or signal dvt's process.
 * Each run is the real CLI as a child process.
 */
import assert from "node:assert/strict";
import { everything, extractGood, extractProbe, probeProject, publishedIds } from "./_probe.ts";

const SECRET = "s3cr3t-7781-granted-value";

Deno.test("console output goes to the log, never to stdout: --json stays one JSON document", async () => {
  await using project = await probeProject({
    attack: `console.log('{"forged": true}');
      console.error("plain text on stderr");
      try { Deno.stdout.writeSync(new TextEncoder().encode("raw stdout\\n")); }
      catch (error) { ctx.log.warn("stdout refused: " + error.message); }
      yield rows([4, 5, 6]);`,
  });
  const run = await extractProbe(project, { json: true });
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  assert.equal(result.totalRows, 6);
  assert.doesNotMatch(run.stdout, /forged|raw stdout/);
  const events = run.stderr.trim().split("\n").map((line) => JSON.parse(line));
  const logs = events.filter((event) => event.event === "log").map((event) => event.message);
  assert.ok(logs.includes('{"forged": true}'), JSON.stringify(logs));
  assert.ok(logs.includes("plain text on stderr"));
  assert.ok(
    logs.some((message) => /stdout refused: Deno\.stdout .* is not available/.test(message)),
  );
});

Deno.test("stdin piped into dvt is not readable by a connector", async () => {
  await using project = await probeProject({
    attack: `const buffer = new Uint8Array(256);
      const read = await Deno.stdin.read(buffer);
      ctx.log.info("stdin said " + new TextDecoder().decode(buffer.subarray(0, read ?? 0)));
      yield rows([4, 5, 6]);`,
  });
  await extractGood(project);
  const run = await extractProbe(project, { stdin: `${SECRET}\n` });
  assert.equal(run.code, 1, run.stderr);
  assert.ok(!everything(run).includes(SECRET), everything(run));
  assert.match(run.stderr, /Deno\.stdin \(dvt's stdin\) is not available to a sandboxed connector/);
  assert.deepEqual(await publishedIds(project), [1, 2, 3, 4, 5, 6]);
});

const FORGERY = `ctx.log.info("fine\\nitems: ok (999999 rows)\\u001b[2J\\u001b[H", {
    connector: "files", event: "summary", time: "1970-01-01T00:00:00.000Z", level: "error",
    note: "a\\rb",
  });
  yield rows([4, 5, 6]);`;

Deno.test("log lines cannot start fake lines or send terminal escapes", async () => {
  await using project = await probeProject({ attack: FORGERY });
  const run = await extractProbe(project);
  assert.equal(run.code, 0, run.stderr);
  assert.doesNotMatch(run.stderr, /^items: ok \(999999 rows\)/m);
  assert.ok(!run.stderr.includes("\u001b"), "no escape character reaches the terminal");
  assert.ok(!run.stderr.includes("\r"));
  assert.match(run.stderr, /fine\\nitems: ok \(999999 rows\)\\u001b\[2J/);
});

Deno.test("log fields cannot override connector, event, time or level in --json events", async () => {
  await using project = await probeProject({ attack: FORGERY });
  const run = await extractProbe(project, { json: true });
  assert.equal(run.code, 0, run.stderr);
  const events = run.stderr.trim().split("\n").map((line) => JSON.parse(line));
  const forged = events.find((event) => String(event.message).startsWith("fine"));
  assert.ok(forged, run.stderr);
  assert.equal(forged.connector, "probe");
  assert.equal(forged.event, "log");
  assert.equal(forged.level, "info");
  assert.notEqual(forged.time, "1970-01-01T00:00:00.000Z");
  assert.equal(forged["field.connector"], "files");
  assert.equal(forged["field.event"], "summary");
  assert.equal(forged.note, "a\\rb");
});

Deno.test("a granted secret is redacted from logs, console output and errors, plain and --json", async () => {
  await using project = await probeProject({
    env: ["PROBE_TOKEN"],
    attack: `const token = ctx.env("PROBE_TOKEN");
      ctx.log.info("token is " + token, { token, url: "https://u:" + token + "@example.com" });
      console.log("console", token, encodeURIComponent(token));
      throw new Error("upstream rejected " + token);`,
  });
  for (const json of [false, true]) {
    const run = await extractProbe(project, { json, env: { PROBE_TOKEN: SECRET } });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /upstream rejected \*\*\*/);
    assert.ok(!everything(run).includes(SECRET), everything(run));
    assert.ok(!everything(run).includes(SECRET.slice(0, 12)), "no part of it either");
  }
});

Deno.test("where dvt runs stays hidden: cwd, args, executable, location, main module", async () => {
  await using project = await probeProject({
    attack: `const seen = {};
      const facts = {
        cwd: () => Deno.cwd(),
        args: () => JSON.stringify(Deno.args),
        execPath: () => Deno.execPath(),
        mainModule: () => Deno.mainModule,
        location: () => String(globalThis.location?.href),
        processCwd: async () => (await import(["node", "process"].join(":"))).default.cwd(),
      };
      for (const [name, read] of Object.entries(facts)) {
        try { seen[name] = String(await read()); } catch (error) { seen[name] = "hidden: " + error.message; }
      }
      ctx.log.info("facts", seen);
      yield rows([4, 5, 6]);`,
  });
  const run = await extractProbe(project, { json: true });
  assert.equal(run.code, 0, run.stderr);
  const events = run.stderr.trim().split("\n").map((line) => JSON.parse(line));
  const facts = events.find((event) => event.message === "facts");
  assert.ok(facts, run.stderr);
  const shown = JSON.stringify(facts);
  for (const secret of [project.dir, Deno.execPath(), "cli.ts", "worker_main", "mode=evil"]) {
    assert.ok(!shown.includes(secret), `${secret} leaked: ${shown}`);
  }
  for (const name of ["cwd", "execPath", "mainModule"]) {
    assert.match(facts[name], /^hidden: .* is not available to a sandboxed connector/, name);
  }
  // node: built-ins do not load at all (escape_builtins_test.ts tries each way to spell it).
  assert.match(facts.processCwd, /^hidden: Dynamic require of "node:process" is not supported/);
  assert.equal(facts.args, "[]");
  assert.equal(facts.location, "undefined");
});

for (const signal of ["SIGSTOP", "SIGTERM"]) {
  Deno.test(`a connector cannot send ${signal} to dvt: the run ends with its summary`, async () => {
    await using project = await probeProject({
      attack: `try { Deno.kill(Deno.pid, "${signal}"); }
        catch (error) { ctx.log.warn("Deno.kill: " + error.message); }
        try {
          const process = (await import(["node", "process"].join(":"))).default;
          process.kill(process.pid, "${signal}");
        } catch (error) { ctx.log.warn("node:process: " + error.message); }
        throw new Error("still running");`,
    });
    await extractGood(project);
    const run = await extractProbe(project, { timeoutMs: 30_000 });
    assert.equal(run.timedOut, false, "dvt was not frozen");
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /Deno\.kill: Deno\.kill \(signals to dvt's process\) is not available/,
    );
    assert.match(
      run.stderr,
      /node:process: connector probe tried to import the module node:process; a connector may never do that/,
    );
    assert.match(run.stdout, /0 tables extracted, 1 failed/);
    assert.deepEqual(await publishedIds(project), [1, 2, 3, 4, 5, 6]);
  });
}

/**
 * Escape suite: network and environment. A connector reaches only its granted hosts (through
 * redirects too), reads only its granted env vars, and dvt's health check obeys the same
 * grants. Asserted by what the local servers received and what the output contains.
 */
import assert from "node:assert/strict";
import { serveLocal } from "../../_helpers.ts";
import { everything, extractProbe, probeProject, runCliWithin } from "./_probe.ts";

const SECRET = "net-secret-90d2a4";

function recordingServer(answer: (request: Request) => Response = () => new Response("ok")) {
  const seen: string[] = [];
  const server = serveLocal((request) => {
    seen.push(`${request.method} ${new URL(request.url).pathname}${new URL(request.url).search}`);
    return answer(request);
  });
  return { server, seen };
}

Deno.test("a connector reaches only granted hosts, with fetch and ctx.fetch, redirects included", async () => {
  const other = recordingServer();
  await using _other = other.server;
  const granted = recordingServer((request) =>
    new URL(request.url).pathname === "/bounce"
      ? new Response(null, { status: 302, headers: { location: `${other.server.url}/stolen` } })
      : new Response("fine")
  );
  await using _granted = granted.server;
  for (
    const attack of [
      `await fetch(${JSON.stringify(`${other.server.url}/direct`)});`,
      `await ctx.fetch(${JSON.stringify(`${other.server.url}/ctx`)});`,
      `await fetch(${JSON.stringify(`${granted.server.url}/bounce`)});`,
      `await ctx.fetch(${JSON.stringify(`${granted.server.url}/bounce`)});`,
      `new WebSocket(${JSON.stringify(other.server.url.replace("http", "ws"))});`,
    ]
  ) {
    await using project = await probeProject({
      net: [`127.0.0.1:${granted.server.port}`],
      attack: `await (await ctx.fetch(${
        JSON.stringify(`${granted.server.url}/ok`)
      })).text();\n${attack}\nyield rows([4, 5, 6]);`,
    });
    const run = await extractProbe(project);
    assert.equal(run.code, 1, `${attack}: ${run.stderr}`);
  }
  assert.deepEqual(other.seen, [], "the ungranted host received nothing");
  assert.ok(granted.seen.includes("GET /ok"), "the granted host was reachable");
});

Deno.test("a connector reads only granted env vars; others never reach the output", async () => {
  await using project = await probeProject({
    env: ["PROBE_REGION"],
    attack: `ctx.log.info("region has " + ctx.env("PROBE_REGION").length + " characters");
      let stolen = "";
      try { stolen = Deno.env.get("OTHER_SECRET") ?? ""; } catch (error) { ctx.log.warn(error.message); }
      try { stolen += JSON.stringify(Deno.env.toObject()); } catch (error) { ctx.log.warn(error.message); }
      try { stolen += ctx.env("OTHER_SECRET"); } catch (error) { ctx.log.warn(error.message); }
      ctx.log.info("stolen " + stolen);
      yield rows([4, 5, 6]);`,
  });
  const run = await extractProbe(project, {
    env: { PROBE_REGION: "eu-west", OTHER_SECRET: SECRET },
  });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /region has 7 characters/);
  assert.ok(!everything(run).includes(SECRET), everything(run));
  assert.match(run.stderr, /tried to read env var OTHER_SECRET, which its manifest does not grant/);
  assert.doesNotMatch(run.stderr, /--allow-env/);
});

Deno.test("dvt extract --check never sends the health check to a host permissions.net does not grant", async () => {
  const outside = recordingServer();
  await using _outside = outside.server;
  await using project = await probeProject({
    net: ["api.example.com"],
    env: ["PROBE_TOKEN"],
    manifestExtra: `health_check:
  endpoint: "${outside.server.url}/ping?key=\${PROBE_TOKEN}"
  headers: { Authorization: "Bearer \${PROBE_TOKEN}" }
`,
  });
  const run = await runCliWithin(
    ["extract", "--connector", "./connectors/probe", "--out", project.out, "--check"],
    project.dir,
    { env: { PROBE_TOKEN: SECRET } },
  );
  assert.notEqual(run.code, 0, run.stderr);
  assert.deepEqual(outside.seen, [], "the health check was not sent");
  assert.match(everything(run), /which permissions\.net in connector\.yaml does not grant/);
  assert.ok(!everything(run).includes(SECRET));
});

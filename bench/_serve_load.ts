/**
 * Load generator of bench/serve.ts, run as its own process so it does not share the server's
 * JavaScript thread: Jira-signed webhook deliveries (tests/servers/jira_webhook.ts), signed
 * before the clock starts, posted by `--concurrency` connections on loopback until `--count`
 * are acknowledged or `--seconds` pass. Prints one JSON line: acknowledged, failed, seconds,
 * p50/p99 acknowledgement latency.
 *
 * Usage: deno run -A bench/_serve_load.ts --url http://127.0.0.1:PORT/jira --secret S
 *   [--count 20000] [--concurrency 64] [--seconds 60]
 *
 * @module
 */
import { jiraFixture } from "../tests/servers/jira_server.ts";
import { jiraEvents, jiraRequest } from "../tests/servers/jira_webhook.ts";

function flag(name: string, fallback: string): string {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 && Deno.args[index + 1] ? Deno.args[index + 1] : fallback;
}

const url = flag("url", "");
const secret = flag("secret", "");
const count = Number(flag("count", "20000"));
const concurrency = Number(flag("concurrency", "64"));
const seconds = Number(flag("seconds", "60"));
// A run of its own: delivery ids must not repeat those of an earlier run against the same dir.
const run = crypto.randomUUID().slice(0, 8);

const issues = jiraFixture({ issues: 50, maxComments: 2 });
const requests = await Promise.all(
  [...jiraEvents(issues, count)].map((event) =>
    jiraRequest({ body: event.body, secret, identifier: `${run}-${event.identifier}` })
  ),
);
const latencies: number[] = [];
let failed = 0;
let next = 0;
const started = performance.now();
const deadline = started + seconds * 1000;
await Promise.all(Array.from({ length: concurrency }, async () => {
  while (next < count && performance.now() < deadline) {
    const { body, headers } = requests[next++];
    const sent = performance.now();
    try {
      const response = await fetch(url, { method: "POST", headers, body });
      await response.body?.cancel();
      if (response.ok) latencies.push(performance.now() - sent);
      else failed++;
    } catch {
      failed++;
    }
  }
}));
const elapsed = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const at = (q: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))];
console.log(JSON.stringify({
  acknowledged: latencies.length,
  failed,
  seconds: Math.round(elapsed * 100) / 100,
  p50_ms: Math.round(at(0.5) * 10) / 10,
  p99_ms: Math.round(at(0.99) * 10) / 10,
}));

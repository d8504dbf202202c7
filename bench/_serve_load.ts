/**
 * Load generator of bench/serve.ts, run as its own process so it does not share the server's
 * JavaScript thread: Jira-signed webhook deliveries (tests/servers/jira_webhook.ts), signed
 * before the clock starts, posted by `--concurrency` connections on loopback until `--count`
 * are acknowledged or `--seconds` pass. Prints one JSON line: acknowledged, failed, seconds,
 * p50/p99 acknowledgement latency.
 *
 * With `--rate R` the load is paced instead (open loop): delivery i is due at i/R seconds and is
 * sent then whatever the answers to earlier ones, and its latency counts from when it was due,
 * so a server (or generator) falling behind shows in the latency rather than lowering the
 * offered rate (no coordinated omission).
 *
 * Usage: deno run -A bench/_serve_load.ts --url http://127.0.0.1:PORT/jira --secret S
 *   [--count 20000] [--concurrency 64] [--seconds 60] [--rate R]
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
const rate = Number(flag("rate", "0"));
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
const started = performance.now();
const deadline = started + seconds * 1000;

/** Posts one delivery; its latency counts from `since`. */
async function post(index: number, since: number): Promise<void> {
  const { body, headers } = requests[index];
  try {
    const response = await fetch(url, { method: "POST", headers, body });
    await response.body?.cancel();
    if (response.ok) latencies.push(performance.now() - since);
    else failed++;
  } catch {
    failed++;
  }
}

/** Closed loop: `concurrency` connections, each posting its next delivery once answered. */
async function saturate(): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count && performance.now() < deadline) {
      const index = next++;
      await post(index, performance.now());
    }
  }));
}

/** Open loop: delivery i is sent when it is due, i / rate seconds after the start. */
async function pace(): Promise<void> {
  const sent: Promise<void>[] = [];
  for (let index = 0; index < count; index++) {
    const due = started + (index * 1000) / rate;
    const wait = due - performance.now();
    if (wait >= 1) await new Promise((resolve) => setTimeout(resolve, wait));
    if (performance.now() > deadline) break;
    sent.push(post(index, due));
  }
  await Promise.all(sent);
}

await (rate > 0 ? pace() : saturate());
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

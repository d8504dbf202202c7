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
 * offered rate (no coordinated omission). `--warmup S` first posts S seconds of extra deliveries
 * at the same rate whose latencies are not counted (as wrk2's calibration period): a new process
 * opening its connections and compiling its fetch path answers its own first ~150 ms late
 * (measured against a bare Deno.serve that does nothing: the first 100-150 ms of deliveries
 * 50-157 ms late, nothing later above 40 ms), which is the generator's start, not the server's.
 * Warm-up deliveries are real deliveries: they are acknowledged (`warmupAcknowledged`) and
 * their failures count in `failed`.
 *
 * Usage: deno run -A bench/_serve_load.ts --url http://127.0.0.1:PORT/jira --secret S
 *   [--count 20000] [--concurrency 64] [--seconds 60] [--rate R [--warmup S]]
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
const warmupCount = rate > 0 ? Math.round(Number(flag("warmup", "0")) * rate) : 0;
// A run of its own: delivery ids must not repeat those of an earlier run against the same dir.
const run = crypto.randomUUID().slice(0, 8);

const issues = jiraFixture({ issues: 50, maxComments: 2 });
const requests = await Promise.all(
  [...jiraEvents(issues, warmupCount + count)].map((event) =>
    jiraRequest({ body: event.body, secret, identifier: `${run}-${event.identifier}` })
  ),
);
const latencies: number[] = [];
let warmupAcknowledged = 0;
let failed = 0;
const started = performance.now();
// Paced: the measured load starts when the warm-up's deliveries are all due.
const measuredFrom = started + (warmupCount * 1000) / (rate || 1);
const deadline = measuredFrom + seconds * 1000;

/** Posts one delivery; its latency counts from `since` (not at all for warm-up deliveries). */
async function post(index: number, since: number): Promise<void> {
  const { body, headers } = requests[index];
  try {
    const response = await fetch(url, { method: "POST", headers, body });
    await response.body?.cancel();
    if (!response.ok) failed++;
    else if (index < warmupCount) warmupAcknowledged++;
    else latencies.push(performance.now() - since);
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
  for (let index = 0; index < warmupCount + count; index++) {
    const due = started + (index * 1000) / rate;
    const wait = due - performance.now();
    if (wait >= 1) await new Promise((resolve) => setTimeout(resolve, wait));
    if (performance.now() > deadline) break;
    sent.push(post(index, due));
  }
  await Promise.all(sent);
}

await (rate > 0 ? pace() : saturate());
const elapsed = (performance.now() - (rate > 0 ? measuredFrom : started)) / 1000;
latencies.sort((a, b) => a - b);
const at = (q: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))];
console.log(JSON.stringify({
  acknowledged: latencies.length,
  warmupAcknowledged,
  failed,
  seconds: Math.round(elapsed * 100) / 100,
  p50_ms: Math.round(at(0.5) * 10) / 10,
  p99_ms: Math.round(at(0.99) * 10) / 10,
}));

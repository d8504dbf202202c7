/**
 * `dvt serve` fold phases, in one process: the CPU one fold of `--events` Jira deliveries (the
 * load bench/serve.ts sends) spends in each phase, on this thread alone, so that a change to
 * the fold is measured without the machine's load in the figure: the connector's receive (JSON
 * parse, rows, Arrow batches), the Parquet appends of every table, compaction and the catalog's
 * republish (build, rename, state). Each fold appends to the same output directory, as
 * `dvt serve` does, so later folds see the partitions (and compactions) of earlier ones.
 *
 * Usage: deno run -A --unstable-worker-options bench/serve_fold.ts [--events 1000] [--folds 20]
 *   [--statements]
 *
 * @module
 */
import type * as arrow from "apache-arrow";
import { instantiateConnector, resolveConnector } from "../runtime/connector/loader.ts";
import { OutputLayout } from "../runtime/extract/layout.ts";
import { createLogger } from "../runtime/util/output.ts";
import { openFoldEngine } from "../runtime/serve/fold_engine.ts";
import { foldEvents, type FoldPhases, type TableBatches } from "../runtime/serve/fold_events.ts";
import { jiraFixture } from "../tests/servers/jira_server.ts";
import { jiraEvents } from "../tests/servers/jira_webhook.ts";

function flag(name: string, fallback: number): number {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 ? Number(Deno.args[index + 1]) : fallback;
}
const eventsPerFold = flag("events", 1000);
const folds = flag("folds", 20);

/** The whole process's CPU time in ms (every thread: DuckDB's, zstd's included). */
function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

Deno.env.set("JIRA_EMAIL", "bench@example.com");
Deno.env.set("JIRA_API_TOKEN", "bench-token");
Deno.env.set("JIRA_WEBHOOK_SECRET", "bench");
const loaded = await resolveConnector("jira");
const connector = await instantiateConnector(loaded, { url: "https://bench.atlassian.net" }, {
  logger: createLogger("json", "error"),
});
const tables = await connector.discover!();
const infos = new Map(tables.map((table) => [table.name, table]));
const issues = jiraFixture({ issues: 50, maxComments: 2 });
const bodies = [...jiraEvents(issues, eventsPerFold * folds)].map((event) =>
  new TextEncoder().encode(JSON.stringify(event.body))
);
const out = await Deno.makeTempDir({ prefix: "dvt-serve-fold-" });
const layout = new OutputLayout(out);
const engine = await openFoldEngine();
const T: Record<string, number> = {};
// --statements: CPU per fold of each kind of SQL statement the engine runs (by its first words).
const perStatement = Deno.args.includes("--statements");
if (perStatement) {
  const run = engine.run.bind(engine);
  // deno-lint-ignore no-explicit-any
  (engine as any).run = async (sql: string, params?: unknown[]) => {
    const c0 = processCpuMs();
    try {
      return await run(sql, params as never);
    } finally {
      const key = sql.slice(0, 18);
      T[key] = (T[key] ?? 0) + processCpuMs() - c0;
    }
  };
}
const decoder = new TextDecoder();

const totals = { receive: 0, append: 0, compact: 0, catalog: 0, processCpu: 0, wall: 0 };
for (let fold = 0; fold < folds; fold++) {
  const cpu0 = processCpuMs();
  const wall0 = performance.now();
  const t0 = processCpuMs();
  const slice = bodies.slice(fold * eventsPerFold, (fold + 1) * eventsPerFold);
  const rows = new Map<string, TableBatches>();
  for (let start = 0; start < slice.length; start += 100) {
    const events = slice.slice(start, start + 100).map((body) => ({
      body: JSON.parse(decoder.decode(body)),
      headers: {},
      receivedAt: new Date().toISOString(),
    }));
    const received = await connector.receiveBatch!(events);
    for (const { table, batch } of received.rows) {
      const entry = rows.get(table) ?? { info: infos.get(table)!, batches: [] };
      entry.batches.push(batch as arrow.RecordBatch);
      rows.set(table, entry);
    }
  }
  const receive = processCpuMs() - t0;
  const phases: FoldPhases = { append: 0, compact: 0, catalog: 0 };
  await foldEvents({
    engine,
    layout,
    connectorName: "jira",
    tables,
    rows,
    seq: (fold + 1) * eventsPerFold,
    phases,
    clock: processCpuMs,
  });
  const processCpu = processCpuMs() - cpu0;
  const wall = performance.now() - wall0;
  if (fold > 0) { // the first fold pays module loading and first-use costs
    totals.receive += receive;
    totals.append += phases.append;
    totals.compact += phases.compact;
    totals.catalog += phases.catalog;
    totals.processCpu += processCpu;
    totals.wall += wall;
  }
}
engine.close();
if (perStatement) {
  console.log(Object.fromEntries(Object.entries(T).map(([k, v]) => [k, Math.round(v / folds)])));
}
const per = (value: number) => Math.round(value / (folds - 1));
console.log(JSON.stringify({
  eventsPerFold,
  folds,
  perFoldProcessCpuMsByPhase: {
    receive: per(totals.receive),
    append: per(totals.append),
    compact: per(totals.compact),
    catalog: per(totals.catalog),
  },
  perFoldProcessCpuMs: per(totals.processCpu),
  perFoldWallMs: per(totals.wall),
  env: { DVT_PARQUET_DIRECT: Deno.env.get("DVT_PARQUET_DIRECT") ?? "" },
}));
await Deno.remove(out, { recursive: true });

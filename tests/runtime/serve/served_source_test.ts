import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { queryDuckDB, tempDir } from "../../_helpers.ts";
import { OutputLayout } from "../../../runtime/extract/layout.ts";
import { acquireRunLock } from "../../../runtime/extract/run_lock.ts";
import { ServedSource } from "../../../runtime/serve/served_source.ts";
import { signatureKey, signBody } from "../../../runtime/serve/signature.ts";
import { FOLD_NICENESS } from "../../../runtime/serve/fold_thread.ts";
import { threadNiceness } from "../../../runtime/util/thread_priority.ts";

const SECRET = "unit-secret";

/** The tickets fixture, loaded by the fold thread as dvt serve loads it (sandboxed). */
const TICKETS = fileURLToPath(new URL("../../fixtures/serve/tickets", import.meta.url));

async function open(dir: string): Promise<ServedSource> {
  return await ServedSource.open({
    name: "tickets",
    connectorName: "tickets",
    receiver: {
      ref: TICKETS,
      config: { seed_rows: 0, read_delay_ms: 0 },
      connectorName: "tickets",
      streamTables: ["tickets"],
      destinations: {},
      logging: { mode: "plain", level: "warn" },
    },
    layout: new OutputLayout(dir),
    key: signatureKey(SECRET),
    signatureHeader: "X-Hub-Signature",
    deliveryIdHeader: "X-Delivery-Id",
    maxBodyBytes: 10_000,
  });
}

function delivery(i: number, ticket: unknown = { id: i }): Request {
  const body = JSON.stringify({ webhookEvent: "ticket_updated", event_id: `e${i}`, ticket });
  return new Request("http://127.0.0.1/tickets", {
    method: "POST",
    body,
    headers: {
      "x-hub-signature": signBody(SECRET, new TextEncoder().encode(body)),
      "x-delivery-id": `d${i}`,
    },
  });
}

async function eventIds(dir: string): Promise<string[]> {
  const rows = await queryDuckDB(
    join(dir, "extract.duckdb"),
    "SELECT event_id FROM tickets ORDER BY event_id",
  );
  return rows.map((row) => String(row.event_id));
}

Deno.test("ServedSource acknowledges before the connector reads a delivery; one it refuses at the fold is set aside once, counted, and the rest written", async () => {
  await using dir = await tempDir();
  const source = await open(dir.path);
  for (let i = 0; i < 4; i++) {
    const request = i === 2 ? delivery(i, { title: "no id" }) : delivery(i);
    assert.equal((await source.handle(request)).status, 200);
  }
  // A dvt extract holds the directory: the fold waits, and its refusal is recorded only once.
  const lock = await acquireRunLock(new OutputLayout(dir.path).stateDir);
  assert.equal(await source.flush(), undefined);
  await lock.release();
  const report = await source.flush();
  assert.deepEqual([report?.events, report?.refused, report?.rows], [3, 1, { tickets: 3 }]);
  assert.deepEqual(await eventIds(dir.path), ["e0", "e1", "e3"]);
  assert.deepEqual(
    [source.stats.received, source.stats.written, source.stats.refused, source.stats.pending],
    [4, 3, 1, 0],
  );
  assert.match(source.stats.lastError ?? "", /^tickets refused delivery d2 .*ticket\.id/);
  const lines = (await Deno.readTextFile(join(dir.path, ".dvt/serve/refused.jsonl")))
    .trim().split("\n").map((line) => JSON.parse(line));
  assert.deepEqual(lines.map((line) => [line.id, JSON.parse(line.body).event_id]), [["d2", "e2"]]);
  // Its retry is a duplicate, not a new delivery.
  assert.equal((await source.handle(delivery(2, { title: "no id" }))).status, 200);
  assert.equal(source.stats.duplicates, 1);
  await source.close();
});

Deno.test("ServedSource waits while dvt extract holds the output directory, then folds", async () => {
  await using dir = await tempDir();
  const source = await open(dir.path);
  assert.equal((await source.handle(delivery(1))).status, 200);
  const lock = await acquireRunLock(new OutputLayout(dir.path).stateDir);
  assert.equal(await source.flush(), undefined);
  assert.equal(source.stats.waitingFor, "dvt extract");
  assert.equal(source.stats.pending, 1);
  await lock.release();
  assert.equal((await source.flush())?.events, 1);
  assert.equal(source.stats.waitingFor, undefined);
  assert.deepEqual(await eventIds(dir.path), ["e1"]);
  await source.close();
});

Deno.test("ServedSource replays what a crash left logged but unfolded, once", async () => {
  await using dir = await tempDir();
  const first = await open(dir.path);
  for (let i = 0; i < 3; i++) assert.equal((await first.handle(delivery(i))).status, 200);
  await first.flush();
  for (let i = 3; i < 6; i++) assert.equal((await first.handle(delivery(i))).status, 200);
  // No flush, no close: as after kill -9, the log holds 3..5 and the extract 0..2. (A live
  // dvt serve holds the directory: its lock goes as a killed process's would.)
  await assert.rejects(() => open(dir.path), /another dvt serve \(pid/);
  await Deno.remove(join(dir.path, ".dvt/serve/lock"));
  const second = await open(dir.path);
  assert.equal(second.recovered, 3);
  assert.equal((await second.handle(delivery(4))).status, 200);
  assert.equal(second.stats.duplicates, 1);
  await second.flush();
  assert.deepEqual(await eventIds(dir.path), ["e0", "e1", "e2", "e3", "e4", "e5"]);
  await second.close();
});

Deno.test("ServedSource replays a log an older dvt serve left in the version 1 format (bodies as JSON text)", async () => {
  await using dir = await tempDir();
  const serveDir = join(dir.path, ".dvt/serve");
  await Deno.mkdir(serveDir, { recursive: true });
  const lines = [1, 2].map((i) =>
    JSON.stringify({
      seq: i,
      id: `d${i}`,
      receivedAt: "2026-11-29T10:00:00.000Z",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        webhookEvent: "ticket_updated",
        event_id: `e${i}`,
        ticket: { id: i },
      }),
    })
  );
  await Deno.writeTextFile(join(serveDir, "wal-000000000001.log"), `${lines.join("\n")}\n`);
  const source = await open(dir.path);
  assert.equal(source.recovered, 2);
  assert.equal((await source.handle(delivery(2))).status, 200);
  assert.equal(source.stats.duplicates, 1);
  assert.equal((await source.handle(delivery(3))).status, 200);
  assert.equal((await source.flush())?.events, 3);
  assert.deepEqual(await eventIds(dir.path), ["e1", "e2", "e3"]);
  // What is left is at most the next segment, created ahead and still empty.
  const left = [...Deno.readDirSync(serveDir)].filter((e) => e.name.startsWith("wal-"));
  assert.ok(left.length <= 1);
  for (const e of left) assert.equal((await Deno.stat(join(serveDir, e.name))).size, 0);
  await source.close();
  assert.deepEqual([...Deno.readDirSync(serveDir)].filter((e) => e.name.startsWith("wal-")), []);
});

Deno.test("ServedSource: a fold whose connector cannot load in the fold thread fails with the reason, and its deliveries stay logged", async () => {
  await using dir = await tempDir();
  const source = await ServedSource.open({
    name: "tickets",
    connectorName: "tickets",
    receiver: {
      ref: join(dir.path, "no-such-connector"),
      config: {},
      connectorName: "tickets",
      streamTables: ["tickets"],
      destinations: {},
      logging: { mode: "plain", level: "warn" },
    },
    layout: new OutputLayout(join(dir.path, "out")),
    key: signatureKey(SECRET),
    signatureHeader: "X-Hub-Signature",
    deliveryIdHeader: "X-Delivery-Id",
    maxBodyBytes: 10_000,
  });
  assert.equal((await source.handle(delivery(1))).status, 200);
  await assert.rejects(() => source.flush(), /no-such-connector/);
  assert.deepEqual([source.stats.pending, source.stats.written, source.stats.failed], [1, 0, 1]);
  assert.match(source.stats.lastError ?? "", /no-such-connector/);
  await source.close();
  const logged = [...Deno.readDirSync(join(dir.path, "out/.dvt/serve"))]
    .filter((e) => e.name.startsWith("wal-"));
  assert.equal(logged.length, 1, "the delivery stays in the log for the next start");
});

Deno.test({
  name:
    "ServedSource folds in a thread scheduled below the one that acknowledges, reusing one DuckDB across folds",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    await using dir = await tempDir();
    const mainBefore = threadNiceness(Deno.pid);
    const threadsBefore = new Set([...Deno.readDirSync("/proc/self/task")].map((t) => t.name));
    const source = await open(dir.path);
    for (let round = 0; round < 3; round++) {
      for (let i = round * 2; i < round * 2 + 2; i++) {
        assert.equal((await source.handle(delivery(i))).status, 200);
      }
      assert.equal((await source.flush())?.events, 2);
    }
    assert.deepEqual(await eventIds(dir.path), ["e0", "e1", "e2", "e3", "e4", "e5"]);
    const lowered = [...Deno.readDirSync("/proc/self/task")]
      .filter((t) => !threadsBefore.has(t.name))
      .map((t) => threadNiceness(Number(t.name)));
    // The fold worker's thread (and DuckDB's, started from it, if any) run at FOLD_NICENESS.
    assert.ok(lowered.includes(FOLD_NICENESS), `new threads' niceness: ${lowered}`);
    assert.equal(threadNiceness(Deno.pid), mainBefore);
    await source.close();
  },
});

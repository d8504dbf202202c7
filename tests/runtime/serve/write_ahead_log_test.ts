import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "../../_helpers.ts";
import { parseSegment, WriteAheadLog } from "../../../runtime/serve/write_ahead_log.ts";
import { DeliveryLedger } from "../../../runtime/serve/delivery_ledger.ts";

const record = (i: number) => ({
  id: `d${i}`,
  receivedAt: "2026-01-01T00:00:00Z",
  headers: {},
  body: `{"i":${i}}`,
});

Deno.test("parseSegment() stops at a torn last line (a write cut short by a crash)", () => {
  const line = (seq: number) => JSON.stringify({ seq, ...record(seq) });
  assert.deepEqual(parseSegment(`${line(1)}\n${line(2)}\n`).map((r) => r.seq), [1, 2]);
  assert.deepEqual(parseSegment(`${line(1)}\n${line(2).slice(0, 20)}`).map((r) => r.seq), [1]);
  assert.deepEqual(parseSegment(`${line(1)}\n{"seq":2,"body`).map((r) => r.seq), [1]);
});

Deno.test("WriteAheadLog: concurrent appends share fsyncs, rotate closes, commit deletes, reopen continues numbering", async () => {
  await using dir = await tempDir();
  const { wal, recovered } = await WriteAheadLog.open<number>(dir.path, 1);
  assert.deepEqual(recovered, []);
  const appended = await Promise.all([1, 2, 3].map((i) => wal.append(record(i), i)));
  assert.deepEqual(appended.map((r) => r.seq), [1, 2, 3]);
  const closed = await wal.rotate();
  assert.deepEqual(closed.map((e) => e.payload), [1, 2, 3]);
  await wal.append(record(4), 4);
  await wal.commit(closed);
  assert.equal(wal.pending, 1);
  await wal.close();
  const names = [...Deno.readDirSync(dir.path)].map((e) => e.name);
  assert.deepEqual(names, ["wal-000000000004.log"]);
  const again = await WriteAheadLog.open<number>(dir.path, 1);
  assert.deepEqual(again.recovered[0].records.map((r) => r.seq), [4]);
  assert.equal((await again.wal.append(record(5), 5)).seq, 5);
  await again.wal.close();
});

Deno.test("DeliveryLedger remembers ids across opens and ignores a torn line", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "deliveries.log");
  const ledger = await DeliveryLedger.open(path, 3);
  await ledger.record(2, ["a", "b"]);
  await ledger.record(4, ["c", "d"]);
  assert.equal(ledger.has("a"), false, "only the 3 most recent ids are kept");
  await Deno.writeTextFile(path, '{"seq":9,"ids":["x"', { append: true });
  const reopened = await DeliveryLedger.open(path, 3);
  assert.deepEqual([reopened.has("b"), reopened.has("d"), reopened.has("x")], [true, true, false]);
  assert.equal(reopened.lastSeq, 4);
});

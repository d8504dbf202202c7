import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "../../_helpers.ts";
import { encodeRecord, parseSegment, type WalRecord } from "../../../runtime/serve/wal_record.ts";
import { readLogged, WriteAheadLog } from "../../../runtime/serve/write_ahead_log.ts";
import { DeliveryLedger } from "../../../runtime/serve/delivery_ledger.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const record = (i: number) => ({
  id: `d${i}`,
  receivedAt: "2026-01-01T00:00:00Z",
  headers: { "content-type": "application/json" },
  body: encoder.encode(`{"i":${i}}`),
});

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const seqs = (records: WalRecord[]) => records.map((r) => r.seq);

Deno.test("parseSegment() reads records back byte for byte and stops at one torn anywhere (a write cut short by a crash)", () => {
  // Not valid UTF-8 inside a JSON string: a text round trip would change these bytes.
  const odd = concat(
    encoder.encode('{"a":"'),
    new Uint8Array([0xff, 0xfe, 0x0a]),
    encoder.encode('"}'),
  );
  const one = encodeRecord({ seq: 1, ...record(1), body: odd });
  const two = encodeRecord({ seq: 2, ...record(2) });
  const both = concat(one, two);
  const read = parseSegment(both);
  assert.deepEqual(seqs(read), [1, 2]);
  assert.deepEqual(read[0].body, odd);
  assert.deepEqual([read[1].id, read[1].receivedAt, read[1].headers], [
    "d2",
    "2026-01-01T00:00:00Z",
    {
      "content-type": "application/json",
    },
  ]);
  for (let cut = one.length; cut < both.length; cut++) {
    assert.deepEqual(seqs(parseSegment(both.subarray(0, cut))), [1], `cut at ${cut}`);
  }
  // A body whose bytes are not the ones written (a page lost, zeros) is torn too.
  const damaged = both.slice();
  damaged[both.length - 3] = 0;
  assert.deepEqual(seqs(parseSegment(damaged)), [1]);
});

Deno.test("parseSegment() still reads version 1 segments (one JSON line per record, the body as text)", () => {
  const line = (seq: number) => JSON.stringify({ seq, ...record(seq), body: `{"i":${seq}}` });
  const v1 = encoder.encode(`${line(1)}\n${line(2)}\n`);
  const read = parseSegment(v1);
  assert.deepEqual(seqs(read), [1, 2]);
  assert.equal(decoder.decode(read[1].body), '{"i":2}');
  assert.equal(read[1].id, "d2");
  assert.deepEqual(seqs(parseSegment(encoder.encode(`${line(1)}\n${line(2).slice(0, 20)}`))), [1]);
  assert.deepEqual(seqs(parseSegment(encoder.encode(`${line(1)}\n{"seq":2,"body`))), [1]);
  // A segment an old dvt serve began and a new one appended to reads whole.
  const mixed = concat(encoder.encode(`${line(1)}\n`), encodeRecord({ seq: 2, ...record(2) }));
  assert.deepEqual(seqs(parseSegment(mixed)), [1, 2]);
});

Deno.test("WriteAheadLog: concurrent appends share fsyncs, keep only positions in memory, rotate closes, readLogged() reads the bodies back, commit deletes, reopen continues", async () => {
  await using dir = await tempDir();
  const { wal, recovered } = await WriteAheadLog.open(dir.path, 1);
  assert.deepEqual(recovered, []);
  const appended = await Promise.all([1, 2, 3].map((i) => wal.append(record(i))));
  assert.deepEqual(appended, [{ seq: 1, id: "d1" }, { seq: 2, id: "d2" }, { seq: 3, id: "d3" }]);
  const closed = await wal.rotate();
  assert.deepEqual(closed, appended);
  await wal.append(record(4));
  const located = wal.located(closed);
  assert.deepEqual(located, [{ path: join(dir.path, "wal-000000000001.log"), seqs: [1, 2, 3] }]);
  const read = await readLogged(located);
  assert.deepEqual(read.map((r) => decoder.decode(r.body)), ['{"i":1}', '{"i":2}', '{"i":3}']);
  await wal.commit(closed);
  assert.equal(wal.pending, 1);
  await wal.close();
  const names = [...Deno.readDirSync(dir.path)].map((e) => e.name);
  assert.deepEqual(names, ["wal-000000000004.log"]);
  const again = await WriteAheadLog.open(dir.path, 1);
  assert.deepEqual(seqs(again.recovered[0].records), [4]);
  assert.equal((await again.wal.append(record(5))).seq, 5);
  await again.wal.close();
});

Deno.test("readLogged() fails, naming the log, when an acknowledged record is gone from its file", async () => {
  await using dir = await tempDir();
  const { wal } = await WriteAheadLog.open(dir.path, 1);
  await wal.append(record(1));
  const closed = await wal.rotate();
  await Deno.writeFile(join(dir.path, "wal-000000000001.log"), new Uint8Array());
  await assert.rejects(
    () => readLogged(wal.located(closed)),
    /wal-000000000001\.log lacks 1 acknowledged records \(first: #1\)/,
  );
  await wal.close();
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

Deno.test("WriteAheadLog creates the next segment ahead, so a rotation's next append creates no file; an empty one a crash left is skipped over", async () => {
  await using dir = await tempDir();
  const walFiles = () => [...Deno.readDirSync(dir.path)].map((e) => e.name).sort();
  const { wal } = await WriteAheadLog.open(dir.path, 1);
  await wal.append(record(1));
  const deadline = Date.now() + 5_000;
  while (walFiles().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  const [first, spare] = walFiles();
  assert.equal(first, "wal-000000000001.log");
  assert.ok(spare, "the next segment was not created ahead");
  assert.equal((await Deno.stat(join(dir.path, spare))).size, 0);
  await wal.rotate();
  const entry = await wal.append(record(2));
  await wal.rotate();
  assert.deepEqual(wal.located([entry]), [{ path: join(dir.path, spare), seqs: [2] }]);
  // A crash: the spare created after it stays behind, empty.
  const later = () => walFiles().filter((name) => name > spare);
  while (later().length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  const left = later();
  assert.equal(left.length, 1);
  const copy = join(dir.path, "copy");
  await Deno.mkdir(copy);
  for (const name of [first, spare, ...left]) {
    await Deno.copyFile(join(dir.path, name), join(copy, name));
  }
  await wal.close();
  const again = await WriteAheadLog.open(copy, 1);
  assert.deepEqual(again.recovered.map((s) => seqs(s.records)), [[1], [2], []]);
  // Numbering goes on past the empty segment (its name is taken), and sorts after it.
  const next = await again.wal.append(record(3));
  await again.wal.rotate();
  const [{ path }] = again.wal.located([next]);
  assert.ok(path > join(copy, left[0]), `${path} sorts before ${left[0]}`);
  await again.wal.close();
});

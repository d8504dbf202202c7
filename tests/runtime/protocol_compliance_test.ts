import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { queryDuckDB, tempDir } from "../_helpers.ts";
import { Cap, capsToNames, type Connector, hasCap } from "../../runtime/protocol.ts";
import type { ProgressReporter } from "../../runtime/util/progress.ts";
import { ConnectorRuntime } from "../../runtime/extract/runtime.ts";
import { batchOf, memoryConnector, schemaOf } from "../fixtures/runtime/connectors.ts";

Deno.test("Cap flags compose per connector and per table", () => {
  const caps = Cap.DISCOVER | Cap.READ | Cap.REMOTE;
  assert.ok(hasCap(caps, Cap.READ | Cap.REMOTE));
  assert.ok(!hasCap(caps, Cap.STREAM));
  assert.deepEqual(capsToNames(caps), ["discover", "read", "remote"]);
});

Deno.test("run() never calls a method whose capability is not declared", async () => {
  await using dir = await tempDir();
  const forbidden = (name: string) => () => {
    throw new Error(`${name}() called without its capability`);
  };
  const connector: Connector = {
    capabilities: Cap.READ,
    discover: forbidden("discover"),
    stream: forbidden("stream"),
    remote: forbidden("remote"),
    *read() {
      yield batchOf({ id: { type: new arrow.Int32(), values: [7] } });
    },
  };
  const result = await new ConnectorRuntime(dir.path).run(connector, { tables: ["t"] });
  assert.deepEqual(result.errors, []);
  assert.deepEqual(await queryDuckDB(`${dir.path}/extract.duckdb`, "SELECT id FROM t"), [{
    id: 7,
  }]);
});

Deno.test("run() skips tables whose capabilities allow neither read, stream nor remote", async () => {
  await using dir = await tempDir();
  const schema = schemaOf({ id: new arrow.Int32() });
  const { connector, calls } = memoryConnector([
    { info: { name: "writable", schema, capabilities: Cap.WRITE }, *batches() {} },
  ], Cap.DISCOVER | Cap.READ | Cap.WRITE);
  const result = await new ConnectorRuntime(dir.path).run(connector);
  assert.deepEqual(result.tables.map((t) => t.status), ["skipped"]);
  assert.equal(calls.length, 0);
});

Deno.test("run() reads at most `threads` tables at once and reports progress per table", async () => {
  await using dir = await tempDir();
  const schema = schemaOf({ id: new arrow.Int32() });
  let active = 0;
  let peak = 0;
  const { connector } = memoryConnector(
    ["a", "b", "c", "d", "e"].map((name) => ({
      info: { name, schema },
      async *batches() {
        active++;
        peak = Math.max(peak, active);
        await new Promise((resolve) => setTimeout(resolve, 20));
        yield batchOf({ id: { type: new arrow.Int32(), values: [1, 2] } });
        active--;
      },
    })),
  );
  const events: string[] = [];
  const progress: ProgressReporter = {
    start: (task) => events.push(`start ${task}`),
    update: (task, done) => events.push(`update ${task} ${done}`),
    finish: (task, status) => events.push(`finish ${task} ${status}`),
    close() {},
  };
  await new ConnectorRuntime(dir.path, { progress }).run(connector, { threads: 2 });
  assert.equal(peak, 2);
  for (const name of ["a", "b", "c", "d", "e"]) {
    assert.ok(events.includes(`start ${name}`));
    assert.ok(events.includes(`update ${name} 2`));
    assert.ok(events.includes(`finish ${name} ok`));
  }
});

Deno.test("run() passes a column projection and writes only those columns", async () => {
  await using dir = await tempDir();
  const schema = schemaOf({
    id: new arrow.Int32(),
    secret: new arrow.Utf8(),
    name: new arrow.Utf8(),
  });
  const { connector, calls } = memoryConnector([{
    info: { name: "people", schema },
    *batches(options) {
      assert.deepEqual(options.columns, ["name", "id"]);
      yield batchOf({
        name: { type: new arrow.Utf8(), values: ["ada"] },
        id: { type: new arrow.Int32(), values: [1] },
      });
    },
  }]);
  await new ConnectorRuntime(dir.path).run(connector, { columns: { people: ["name", "id"] } });
  assert.equal(calls[0].options.batchSize > 0, true);
  assert.deepEqual(await queryDuckDB(`${dir.path}/extract.duckdb`, "SELECT * FROM people"), [
    { name: "ada", id: 1 },
  ]);
});

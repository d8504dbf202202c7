import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { XMLParser } from "fast-xml-parser";
import { type ContractReport, runContractTests } from "../../../runtime/contract/contract_tests.ts";
import { contractReportToJUnit } from "../../../runtime/contract/junit.ts";
import { Cap, type Connector, type ReadOptions } from "../../../runtime/protocol.ts";

const ROWS = [1, 2, 3, 4, 5, 6];

function table(ids: number[], type: arrow.DataType = new arrow.Int32()) {
  return new arrow.Table({
    id: arrow.vectorFromArray(ids, type),
    version: arrow.vectorFromArray(ids.map((id) => id * 10), new arrow.Int32()),
  });
}

const SCHEMA = table(ROWS).schema;

function connector(overrides: Partial<Connector> = {}, caps = Cap.DISCOVER | Cap.READ): Connector {
  return {
    capabilities: caps,
    discover: () => [{
      name: "items",
      schema: SCHEMA,
      capabilities: caps & (Cap.READ | Cap.STREAM),
      primaryKey: ["id"],
      cursorField: "version",
    }],
    *read(_table: string, options: ReadOptions) {
      const since = Number(options.incrementalValue ?? -Infinity);
      yield* table(ROWS.filter((id) => id * 10 > since)).batches;
    },
    ...overrides,
  };
}

function result(report: ContractReport, name: RegExp) {
  const found = report.results.find((item) => name.test(item.name));
  assert.ok(found, `no result matching ${name}`);
  return found;
}

Deno.test("runContractTests() passes a correct connector and skips what it does not declare", async () => {
  const report = await runContractTests(connector(), { name: "good", pipeline: false });
  assert.equal(report.ok, true, JSON.stringify(report.results));
  assert.equal(result(report, /^incremental/).status, "passed");
  assert.equal(result(report, /^remote/).status, "skipped");
  assert.equal(result(report, /^stream/).status, "skipped");
});

Deno.test("runContractTests() fails a batch schema that differs from the declared one", async () => {
  const broken = connector({
    *read() {
      yield* table(ROWS, new arrow.Float64()).batches;
    },
  });
  const report = await runContractTests(broken, { pipeline: false });
  const read = result(report, /^read yields/);
  assert.equal(read.status, "failed");
  assert.match(read.message, /column 1: declared id: Int32, batch has id: Float64/);
  assert.equal(report.ok, false);
});

Deno.test("runContractTests() fails a read that ignores incrementalValue", async () => {
  const broken = connector({
    *read() {
      yield* table(ROWS).batches;
    },
  });
  const report = await runContractTests(broken, { pipeline: false });
  const incremental = result(report, /^incremental/);
  assert.equal(incremental.status, "failed");
  assert.match(
    incremental.message,
    /incrementalValue 30 returned 3 row\(s\) whose version is not greater/,
  );
});

Deno.test("runContractTests() fails a remote() that returns a secret", async () => {
  const caps = Cap.DISCOVER | Cap.READ | Cap.REMOTE;
  const cases: [Partial<Connector>, RegExp, string[]][] = [
    [
      {
        remote: () => ({
          extension: "postgres",
          url: "postgresql://db/x",
          tokenEnv: "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        }),
      },
      /remote\(\)\.tokenEnv contains a GitHub token; return the env var name/,
      [],
    ],
    [
      {
        remote: () => ({
          extension: "postgres",
          url: "postgresql://me:hunter2@db/x",
          tokenEnv: "PG_TOKEN",
        }),
      },
      /url contains a URL with credentials/,
      [],
    ],
    [
      {
        remote: () => ({
          extension: "postgres",
          url: "postgresql://db/x?sslkey=Zq9",
          tokenEnv: "PG_TOKEN",
        }),
      },
      /url contains the value of a secret env var/,
      ["sslkey=Zq9"],
    ],
  ];
  for (const [override, pattern, secrets] of cases) {
    const report = await runContractTests(connector(override, caps), { pipeline: false, secrets });
    const remote = result(report, /^remote/);
    assert.equal(remote.status, "failed");
    assert.match(remote.message, pattern);
  }
  const good = connector({
    remote: () => ({ extension: "postgres", url: "postgresql://db/x", tokenEnv: "PG_TOKEN" }),
  }, caps);
  assert.equal(
    result(await runContractTests(good, { pipeline: false }), /^remote/).status,
    "passed",
  );
});

Deno.test("runContractTests() takes a bounded number of stream batches from an endless stream", async () => {
  const caps = Cap.DISCOVER | Cap.READ | Cap.STREAM;
  const endless = connector({
    async *stream() {
      for (let id = 1;; id++) {
        await Promise.resolve();
        yield* table([id]).batches;
      }
    },
  }, caps);
  const report = await runContractTests(endless, { pipeline: false });
  const stream = result(report, /^stream/);
  assert.equal(stream.status, "passed");
  assert.match(stream.message, /3 batch\(es\)/);
});

Deno.test("runContractTests() fails a check that hangs, after the per-check timeout", async () => {
  const hanging = connector({ discover: () => new Promise(() => {}) });
  const report = await runContractTests(hanging, { pipeline: false, timeoutMs: 50 });
  assert.match(result(report, /^discover/).message, /did not finish within 50 ms/);
});

Deno.test("contractReportToJUnit() writes valid, escaped JUnit XML", async () => {
  const broken = connector({
    *read() {
      yield* table(ROWS, new arrow.Float64()).batches;
    },
  });
  const report = await runContractTests(broken, { name: "a<b>&c", pipeline: false });
  const xml = contractReportToJUnit(report);
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml);
  const suite = parsed.testsuites.testsuite;
  assert.equal(Number(suite.tests), report.results.length);
  assert.equal(Number(suite.failures), report.failed);
  assert.equal(Number(suite.skipped), report.skipped);
  const cases = suite.testcase as Record<string, unknown>[];
  const failed = cases.find((item) => item.failure) as {
    classname: string;
    failure: { message: string };
  };
  assert.equal(failed.classname, "dvt.connector.a<b>&c");
  assert.match(failed.failure.message, /declared id: Int32/);
  assert.ok(cases.some((item) => item.skipped));
  assert.ok(xml.includes("a&lt;b&gt;&amp;c"));
});

Deno.test("runContractTests() times out a read that hangs on a connector without discover", async () => {
  const hanging: Connector = {
    capabilities: Cap.READ,
    // deno-lint-ignore require-yield -- it hangs before its first batch on purpose
    async *read() {
      await new Promise(() => {});
    },
  };
  const started = performance.now();
  const report = await runContractTests(hanging, {
    pipeline: false,
    timeoutMs: 200,
    tables: ["items"],
  });
  assert.ok(performance.now() - started < 5_000, "bounded by the per-check timeouts");
  assert.equal(result(report, /^read yields/).status, "failed");
  assert.match(result(report, /^read yields/).message, /did not finish within 200 ms/);
});

Deno.test("runContractTests() stream-checks a stream-only connector without discover", async () => {
  const streaming = (second: arrow.DataType): Connector => ({
    capabilities: Cap.STREAM,
    async *stream() {
      await Promise.resolve();
      yield* table([1]).batches;
      yield* table([2], second).batches;
    },
  });
  const good = await runContractTests(streaming(new arrow.Int32()), {
    pipeline: false,
    tables: ["events"],
  });
  const stream = result(good, /^stream/);
  assert.equal(stream.status, "passed", stream.message);
  assert.match(stream.message, /table events: 2 batch\(es\)/);
  const bad = await runContractTests(streaming(new arrow.Float64()), {
    pipeline: false,
    tables: ["events"],
  });
  assert.equal(result(bad, /^stream/).status, "failed");
  assert.match(
    result(bad, /^stream/).message,
    /differs from the first batch.s: column 1: first batch id: Int32, batch has id: Float64/,
  );
});

Deno.test("runContractTests() runs check() when the connector has one and reports its message", async () => {
  const without = await runContractTests(connector(), { pipeline: false });
  assert.equal(result(without, /^check\(\)/).status, "skipped");
  const passing = await runContractTests(connector({ check() {} }), { pipeline: false });
  assert.equal(result(passing, /^check\(\)/).status, "passed");
  const failing = await runContractTests(
    connector({
      check() {
        throw new Error("warehouse w1 does not exist");
      },
    }),
    { pipeline: false },
  );
  const check = result(failing, /^check\(\)/);
  assert.equal(check.status, "failed");
  assert.match(check.message, /warehouse w1 does not exist/);
  assert.equal(failing.ok, false);
});

Deno.test("runContractTests() fails a deletedFlag that is not a Bool column of the table", async () => {
  for (
    const [flag, message] of [
      ["version", /deletedFlag column "version" is Int32, not Bool/],
      ["gone", /key column "gone" is not in its schema/],
    ] as const
  ) {
    const broken = connector({
      discover: () => [{
        name: "items",
        schema: SCHEMA,
        capabilities: Cap.READ,
        primaryKey: ["id"],
        deletedFlag: flag,
      }],
    });
    const report = await runContractTests(broken, { pipeline: false });
    const discover = result(report, /^discover returns valid tables/);
    assert.equal(discover.status, "failed");
    assert.match(discover.message, message);
  }
});

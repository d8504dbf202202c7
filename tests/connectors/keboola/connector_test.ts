/**
 * The keboola connector end to end through the real CLI against the local Storage API
 * (tests/servers/keboola_server.ts): Parquet read back through DuckDB and compared with the
 * served rows, incremental runs, sliced exports, polling, retries, auth and vanished tables.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { queryDuckDB, REPO_ROOT, runCli, tempDir } from "../../_helpers.ts";
import { type FakeRow, type FakeTable, startKeboolaServer } from "../../servers/keboola_server.ts";
import { builtinAgainstServer } from "../../servers/builtin_manifest.ts";

const TOKEN = "1234-567890-kbcFakeStorageTokenValue";

function orders(count: number, changedAt = "2026-01-01T00:00:00Z"): FakeRow[] {
  return Array.from({ length: count }, (_, i) => ({
    id: String(i + 1),
    amount: `${i}.${String(i % 100).padStart(2, "0")}`,
    paid: i % 3 === 0 ? "true" : "false",
    note: i % 5 === 0 ? null : `note "${i}", with comma\nand newline`,
    ordered_on: `2026-01-${String((i % 28) + 1).padStart(2, "0")}`,
    updated_at: changedAt.replace("Z", "").replace("T", " "),
    _timestamp: changedAt,
  }));
}

function fixtureTables(rows = 250): FakeTable[] {
  return [
    {
      bucket: "in.c-shop",
      name: "orders",
      isTyped: true,
      primaryKey: ["id"],
      description: "Orders of the shop",
      columns: [
        { name: "id", basetype: "INTEGER", type: "BIGINT", nullable: false },
        { name: "amount", basetype: "NUMERIC", type: "NUMBER", length: "12,2" },
        { name: "paid", basetype: "BOOLEAN", type: "BOOLEAN" },
        { name: "note", basetype: "STRING", type: "VARCHAR" },
        { name: "ordered_on", basetype: "DATE", type: "DATE" },
        { name: "updated_at", basetype: "TIMESTAMP", type: "TIMESTAMP_NTZ" },
      ],
      rows: orders(rows),
    },
    {
      bucket: "in.c-shop",
      name: "customers",
      primaryKey: ["id"],
      columns: [
        { name: "id", basetype: "STRING", type: "VARCHAR" },
        { name: "name", basetype: "STRING", type: "VARCHAR" },
      ],
      rows: [
        { id: "c1", name: "Ada", _timestamp: "2026-01-01T00:00:00Z" },
        { id: "c2", name: "", _timestamp: "2026-01-01T00:00:00Z" },
      ],
    },
  ];
}

function extractArgs(url: string, out: string, extra: string[] = []): string[] {
  return [
    "extract",
    "--connector",
    "keboola",
    "--set",
    `url=${url}`,
    "--set",
    `file_storage_endpoint=${url}/s3`,
    "--set",
    "poll_interval_ms=5",
    "--out",
    out,
    "--json",
    ...extra,
  ];
}

async function everyOutputFile(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) files.push(...await everyOutputFile(path));
    else files.push(path);
  }
  return files;
}

/** Fails when the token appears in any file under `dir` or in the given texts. */
async function assertTokenNowhere(dir: string, ...texts: string[]) {
  for (const text of texts) assert.ok(!text.includes(TOKEN), "token in CLI output");
  for (const file of await everyOutputFile(dir)) {
    const bytes = await Deno.readFile(file);
    assert.ok(!new TextDecoder("latin1").decode(bytes).includes(TOKEN), `token in ${file}`);
  }
}

for (const path of ["native", "portable"] as const) {
  Deno.test(`keboola (${path} path): discover -> sliced async export -> Parquet equal to the served rows`, async () => {
    await using dir = await tempDir();
    await using server = startKeboolaServer({
      token: TOKEN,
      tables: fixtureTables(250),
      sliceRows: 40,
      pollsBeforeSuccess: 3,
    });
    const out = join(dir.path, "out");
    const result = await runCli(extractArgs(server.url, out), {
      // The native path saves the slices for DuckDB; the portable one parses them in JS.
      env: { KEBOOLA_STORAGE_TOKEN: TOKEN, DVT_NATIVE_SCAN: path === "native" ? "1" : "0" },
    });
    assert.equal(result.code, 0, result.stderr);
    const stats = JSON.parse(result.stdout);
    assert.equal(stats.tablesFailed, 0);
    assert.equal(stats.totalRows, 252);

    const db = join(out, "extract.duckdb");
    const types = await queryDuckDB(
      db,
      `SELECT column_name, data_type FROM information_schema.columns
     WHERE table_name = 'in_c_shop_orders' ORDER BY ordinal_position`,
    );
    assert.deepEqual(types.map((r) => [r.column_name, r.data_type]), [
      ["id", "BIGINT"],
      ["amount", "DECIMAL(12,2)"],
      ["paid", "BOOLEAN"],
      ["note", "VARCHAR"],
      ["ordered_on", "DATE"],
      ["updated_at", "TIMESTAMP"],
    ]);
    const rows = await queryDuckDB(
      db,
      `SELECT id::VARCHAR AS id, amount::VARCHAR AS amount, paid::VARCHAR AS paid, note,
      ordered_on::VARCHAR AS ordered_on, updated_at::VARCHAR AS updated_at
     FROM in_c_shop_orders ORDER BY in_c_shop_orders.id`,
    );
    const served = server.tables[0].rows;
    assert.equal(rows.length, served.length);
    rows.forEach((row, i) => {
      const expected = served[i];
      assert.deepEqual(row, {
        id: expected.id,
        amount: expected.amount,
        paid: expected.paid,
        // Keboola's CSV has no NULL for text: an empty text cell is an empty string.
        note: expected.note ?? "",
        ordered_on: expected.ordered_on,
        updated_at: expected.updated_at,
      });
    });
    const customers = await queryDuckDB(db, "SELECT id, name FROM in_c_shop_customers ORDER BY id");
    assert.deepEqual(customers, [{ id: "c1", name: "Ada" }, { id: "c2", name: "" }]);

    const meta = await queryDuckDB(
      db,
      "SELECT source_name, description, query_mode, primary_key FROM _meta ORDER BY source_name",
    );
    assert.deepEqual(meta, [
      {
        source_name: "in.c-shop.customers",
        description: "Keboola table in.c-shop.customers",
        query_mode: "local",
        primary_key: '["id"]',
      },
      {
        source_name: "in.c-shop.orders",
        description: "Orders of the shop",
        query_mode: "local",
        primary_key: '["id"]',
      },
    ]);
    // DuckDB's keboola extension: ATTACH '<stack url>' AS kbc (TYPE keboola, TOKEN ...), the
    // token coming from KEBOOLA_STORAGE_TOKEN.
    const attach = await queryDuckDB(db, "SELECT * FROM _remote_attach");
    assert.deepEqual(attach, [{
      alias: "kbc",
      extension: "keboola",
      url: server.url,
      token_env: "KEBOOLA_STORAGE_TOKEN",
    }]);

    // One export per table: the native path did not fail over to a second, portable export.
    assert.equal(server.requests.filter((r) => r.path.includes("/export-async")).length, 2);
    const jobPolls = server.requests.filter((r) => r.path.startsWith("/v2/storage/jobs/"));
    assert.ok(jobPolls.length >= 2 * 4, `expected several polls per job, saw ${jobPolls.length}`);
    const sliceRequests = server.requests.filter((r) => r.path.startsWith("/s3/"));
    assert.equal(sliceRequests.length, Math.ceil(250 / 40) + 1);
    assert.ok(
      server.requests.filter((r) => !r.path.startsWith("/v2/")).every((r) => !r.storageToken),
      "the Storage API token must not be sent to file storage",
    );
    const exportCall = server.requests.find((r) => r.path.includes("orders/export-async"));
    assert.deepEqual((exportCall?.body as Record<string, unknown>).columns, [
      "id",
      "amount",
      "paid",
      "note",
      "ordered_on",
      "updated_at",
    ]);
    await assertTokenNowhere(out, result.stdout, result.stderr);
  });
}

Deno.test("keboola: incremental across three runs exports changedSince and merges new and changed rows", async () => {
  await using dir = await tempDir();
  await using server = startKeboolaServer({
    token: TOKEN,
    tables: fixtureTables(30),
    sliceRows: 8,
    pollsBeforeSuccess: 1,
  });
  await Deno.writeTextFile(
    join(dir.path, "dvt.yaml"),
    `sources:
  kbc:
    connector: keboola
    config: { url: "${server.url}", file_storage_endpoint: "${server.url}/s3", poll_interval_ms: 5 }
    tables: [in.c-shop.orders]
    incremental: { in.c-shop.orders: updated_at }
    disposition: { in.c-shop.orders: merge }
    out: out
`,
  );
  const env = { KEBOOLA_STORAGE_TOKEN: TOKEN };
  const run = async () => {
    const result = await runCli(["extract", "kbc", "--json"], { cwd: dir.path, env });
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout);
  };
  const table = server.tables[0];
  const exportBodies = () =>
    server.requests.filter((r) => r.path.includes("export-async")).map((r) =>
      r.body as Record<string, unknown>
    );

  assert.equal((await run()).totalRows, 30);
  assert.equal(exportBodies()[0].changedSince, undefined);

  // Run 2: five new rows and two changed ones, all changed later.
  const later = "2026-02-01T10:00:00Z";
  table.rows.push(...orders(35, later).slice(30));
  for (const id of ["3", "7"]) {
    const row = table.rows.find((r) => r.id === id)!;
    Object.assign(row, { amount: "999.99", updated_at: "2026-02-01 10:00:00", _timestamp: later });
  }
  assert.equal((await run()).totalRows, 7);
  assert.match(String(exportBodies()[1].changedSince), /^2026-01-01T00:00:00/);

  // Run 3: one more new row.
  const latest = "2026-03-01T08:30:00Z";
  table.rows.push({ ...orders(36, latest)[35] });
  assert.equal((await run()).totalRows, 1);
  assert.match(String(exportBodies()[2].changedSince), /^2026-02-01T10:00:00/);

  const rows = await queryDuckDB(
    join(dir.path, "out/extract.duckdb"),
    "SELECT id, amount::VARCHAR AS amount FROM in_c_shop_orders ORDER BY id",
  );
  assert.equal(rows.length, 36);
  assert.deepEqual(
    rows.map((r) => [String(r.id), r.amount]),
    table.rows.map((r) => [r.id, r.amount]).sort((a, b) => Number(a[0]) - Number(b[0])),
  );
});

Deno.test("keboola: 429 with Retry-After and a 503 are retried; the run succeeds", async () => {
  await using dir = await tempDir();
  await using server = startKeboolaServer({ token: TOKEN, tables: fixtureTables(20) });
  server.faults.push(
    { method: "GET", path: "/v2/storage/buckets", status: 429, times: 1, retryAfter: "1" },
    { method: "GET", path: "/v2/storage/jobs/", status: 503, times: 1 },
  );
  const started = performance.now();
  const result = await runCli(extractArgs(server.url, join(dir.path, "out")), {
    env: { KEBOOLA_STORAGE_TOKEN: TOKEN },
  });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(JSON.parse(result.stdout).totalRows, 22);
  assert.ok(performance.now() - started >= 1000, "Retry-After: 1 was not honoured");
  assert.equal(server.faults.every((f) => f.times === 0), true);
});

Deno.test("keboola: a refused token exits 2 naming KEBOOLA_STORAGE_TOKEN, without the token", async () => {
  await using dir = await tempDir();
  await using server = startKeboolaServer({ token: TOKEN, tables: fixtureTables(5) });
  const wrong = "9999-wrong-token-value";
  const result = await runCli(extractArgs(server.url, join(dir.path, "out")), {
    env: { KEBOOLA_STORAGE_TOKEN: wrong },
  });
  assert.equal(result.code, 2, result.stderr);
  assert.match(
    result.stderr,
    /GET \/v2\/storage\/buckets was refused \(401\).*KEBOOLA_STORAGE_TOKEN/,
  );
  assert.match(result.stderr, /caused by: Invalid access token \(storage\.tokenInvalid\)/);
  assert.ok(!result.stderr.includes(wrong) && !result.stdout.includes(wrong));
});

Deno.test("keboola: a table removed between discover and read fails alone; the others land", async () => {
  await using dir = await tempDir();
  await using server = startKeboolaServer({ token: TOKEN, tables: fixtureTables(10) });
  server.vanishAfterListing.add("in.c-shop.orders");
  const out = join(dir.path, "out");
  const result = await runCli(extractArgs(server.url, out), {
    env: { KEBOOLA_STORAGE_TOKEN: TOKEN },
  });
  assert.equal(result.code, 1, result.stderr);
  const stats = JSON.parse(result.stdout);
  assert.equal(stats.tablesExtracted, 1);
  assert.equal(stats.errors.length, 1);
  assert.equal(stats.errors[0].table, "in.c-shop.orders");
  assert.match(
    stats.errors[0].message,
    /POST \/v2\/storage\/tables\/in\.c-shop\.orders\/export-async failed with HTTP 404/,
  );
  const landed = await queryDuckDB(
    join(out, "extract.duckdb"),
    "SELECT count(*)::INT AS n FROM in_c_shop_customers",
  );
  assert.deepEqual(landed, [{ n: 2 }]);
});

Deno.test("keboola: dvt connector test passes as a built-in (JUnit)", async () => {
  await using dir = await tempDir();
  await using server = startKeboolaServer({
    token: TOKEN,
    tables: fixtureTables(60),
    sliceRows: 25,
  });
  const junit = join(dir.path, "report.xml");
  // The built-in, with permissions.net granting the local stack (health checks obey it).
  const connector = await builtinAgainstServer(dir.path, "keboola", server.url);
  const result = await runCli([
    "connector",
    "test",
    connector,
    "--set",
    `url=${server.url}`,
    "--set",
    `file_storage_endpoint=${server.url}/s3`,
    "--set",
    "poll_interval_ms=5",
    "--junit",
    junit,
  ], { env: { KEBOOLA_STORAGE_TOKEN: TOKEN } });
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /PASS {2}health check/);
  const xml = await Deno.readTextFile(junit);
  assert.match(xml, /failures="0"/);
  assert.ok(!xml.includes(TOKEN) && !result.stdout.includes(TOKEN));
});

Deno.test("keboola: bundled with dvt connector build, it runs sandboxed with only its hosts granted", async () => {
  await using dir = await tempDir();
  await using server = startKeboolaServer({
    token: TOKEN,
    tables: fixtureTables(40),
    sliceRows: 15,
  });
  const built = await runCli([
    "connector",
    "build",
    join(REPO_ROOT, "connectors/keboola"),
    "--out",
    join(dir.path, "kbc/keboola.js"),
    "--json",
  ]);
  assert.equal(built.code, 0, built.stderr);
  const manifest = (await Deno.readTextFile(join(REPO_ROOT, "connectors/keboola/connector.yaml")))
    .replace("entrypoint: ./connector.ts", "entrypoint: ./keboola.js")
    // The stack and its file storage are this one loopback host here.
    .replace(/ {2}net:\n(?: {4}- .*\n)+/, `  net: ["127.0.0.1:${new URL(server.url).port}"]\n`);
  assert.match(manifest, /net: \["127\.0\.0\.1:\d+"\]/);
  await Deno.writeTextFile(join(dir.path, "kbc/connector.yaml"), manifest);
  const sets = [
    "--set",
    `url=${server.url}`,
    "--set",
    `file_storage_endpoint=${server.url}/s3`,
    "--set",
    "poll_interval_ms=5",
  ];
  const env = { KEBOOLA_STORAGE_TOKEN: TOKEN };
  const tested = await runCli(["connector", "test", "./kbc", ...sets], { cwd: dir.path, env });
  assert.equal(tested.code, 0, tested.stdout + tested.stderr);
  const out = join(dir.path, "out");
  const extracted = await runCli(
    ["extract", "--connector", "./kbc", ...sets, "--out", out, "--json"],
    { cwd: dir.path, env },
  );
  assert.equal(extracted.code, 0, extracted.stderr);
  assert.equal(JSON.parse(extracted.stdout).totalRows, 42);
  await assertTokenNowhere(out, extracted.stdout, extracted.stderr, tested.stdout);
});

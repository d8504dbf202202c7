/**
 * The databricks connector end to end through the real CLI against the local workspace
 * (tests/servers/databricks_server.ts): Unity Catalog discovery, both result dispositions,
 * Parquet read back through DuckDB and compared with the served rows, incremental runs,
 * pagination, polling, retries, check(), auth and vanished tables.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createConnectorContext } from "../../../runtime/connector/context.ts";
import databricks from "../../../connectors/databricks/connector.ts";
import { queryDuckDB, REPO_ROOT, runCli, tempDir } from "../../_helpers.ts";
import { type FakeTable, startDatabricksServer } from "../../servers/databricks_server.ts";
import { builtinAgainstServer } from "../../servers/builtin_manifest.ts";

const TOKEN = "dapi0123456789abcdef0123456789abcd";
const WAREHOUSE = "abcdef1234567890";

function orderRow(i: number, at = "2026-01-01T10:00:00.000Z"): (string | null)[] {
  return [
    String(i),
    `${i * 3}.${String(i % 100).padStart(2, "0")}`,
    at,
    "2026-01-01T08:00:00.000",
    i % 4 === 0 ? null : JSON.stringify([`t${i}`, "x"]),
    JSON.stringify({ city: `City ${i}`, zip: 10000 + i }),
    JSON.stringify({ clicks: i * 2 }),
    i % 2 === 0 ? "true" : "false",
    i % 7 === 0 ? null : String(i / 4),
    `2026-02-${String((i % 28) + 1).padStart(2, "0")}`,
  ];
}

function fixture(rows = 120): FakeTable[] {
  return [
    {
      catalog: "main",
      schema: "sales",
      name: "orders",
      comment: "Orders placed in the shop",
      primaryKey: ["id"],
      columns: [
        { name: "id", type: "long", nullable: false },
        { name: "amount", type: "decimal(12,2)" },
        { name: "placed_at", type: "timestamp" },
        { name: "local_time", type: "timestamp_ntz" },
        { name: "tags", type: { type: "array", elementType: "string", containsNull: true } },
        {
          name: "address",
          type: {
            type: "struct",
            fields: [{ name: "city", type: "string", nullable: true }, {
              name: "zip",
              type: "integer",
              nullable: true,
            }],
          },
        },
        { name: "attrs", type: { type: "map", keyType: "string", valueType: "long" } },
        { name: "active", type: "boolean" },
        { name: "score", type: "double" },
        { name: "day", type: "date" },
      ],
      rows: Array.from({ length: rows }, (_, i) => orderRow(i + 1)),
    },
    {
      catalog: "main",
      schema: "sales",
      name: "customers",
      columns: [{ name: "id", type: "string" }, { name: "name", type: "string" }],
      rows: [["c1", "Ada"], ["c2", null]],
    },
    {
      catalog: "main",
      schema: "sales",
      name: "regions",
      columns: [{ name: "code", type: "string" }],
      rows: [["eu"], ["us"]],
    },
  ];
}

function sets(url: string, extra: string[] = []): string[] {
  return [
    "--set",
    `workspace_url=${url}`,
    "--set",
    `warehouse_id=${WAREHOUSE}`,
    "--set",
    "catalog=main",
    "--set",
    "poll_interval_ms=5",
    ...extra,
  ];
}

/** A workspace serving the orders fixture (100 rows) in chunks of 10. */
function chunkedOrdersServer() {
  return startDatabricksServer({
    token: TOKEN,
    warehouseId: WAREHOUSE,
    tables: fixture(100),
    chunkRows: 10,
  });
}

/** `dvt extract` of main.sales.orders alone into `out`, with extra arguments. */
function extractOrders(url: string, out: string, extra: string[] = []) {
  return runCli(
    [
      "extract",
      "--connector",
      "databricks",
      ...sets(url),
      ...extra,
      "--tables",
      "main.sales.orders",
      "--out",
      out,
    ],
    { env: { DATABRICKS_TOKEN: TOKEN } },
  );
}

const ORDERS_SQL = `SELECT id::VARCHAR AS id, amount::VARCHAR AS amount,
  strftime(placed_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') AS placed_at,
  strftime(local_time, '%Y-%m-%dT%H:%M:%S.%g') AS local_time,
  to_json(tags)::VARCHAR AS tags, to_json(address)::VARCHAR AS address,
  to_json(attrs)::VARCHAR AS attrs, active::VARCHAR AS active, score, day::VARCHAR AS day
  FROM main_sales_orders ORDER BY main_sales_orders.id`;

function expectedOrder(row: (string | null)[]) {
  return {
    id: row[0],
    amount: row[1],
    placed_at: row[2],
    local_time: row[3],
    tags: row[4],
    address: row[5],
    attrs: row[6],
    active: row[7],
    score: row[8] === null ? null : Number(row[8]),
    day: row[9],
  };
}

async function assertNoToken(dir: string, ...texts: string[]) {
  for (const text of texts) assert.ok(!text.includes(TOKEN), "token in CLI output");
  const walk = async (path: string): Promise<void> => {
    for await (const entry of Deno.readDir(path)) {
      const child = join(path, entry.name);
      if (entry.isDirectory) await walk(child);
      else {
        const text = new TextDecoder("latin1").decode(await Deno.readFile(child));
        assert.ok(!text.includes(TOKEN), `token in ${child}`);
      }
    }
  };
  await walk(dir);
}

for (const format of ["arrow_stream", "json_array"] as const) {
  Deno.test(`databricks (${format}): discover -> statement chunks -> Parquet equal to the served rows`, async () => {
    await using dir = await tempDir();
    await using server = startDatabricksServer({
      token: TOKEN,
      warehouseId: WAREHOUSE,
      tables: fixture(120),
      chunkRows: 25,
      pollsBeforeDone: 3,
      pageSize: 2,
    });
    const out = join(dir.path, "out");
    const result = await runCli(
      [
        "extract",
        "--connector",
        "databricks",
        ...sets(server.url, ["--set", `result_format=${format}`]),
        "--out",
        out,
        "--json",
      ],
      { env: { DATABRICKS_TOKEN: TOKEN } },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).totalRows, 124);
    const db = join(out, "extract.duckdb");
    const types = await queryDuckDB(
      db,
      `SELECT column_name, data_type FROM information_schema.columns
       WHERE table_name = 'main_sales_orders' ORDER BY ordinal_position`,
    );
    assert.deepEqual(types.map((r) => [r.column_name, r.data_type]), [
      ["id", "BIGINT"],
      ["amount", "DECIMAL(12,2)"],
      ["placed_at", "TIMESTAMP WITH TIME ZONE"],
      ["local_time", "TIMESTAMP"],
      ["tags", "VARCHAR[]"],
      ["address", "STRUCT(city VARCHAR, zip INTEGER)"],
      ["attrs", "MAP(VARCHAR, BIGINT)"],
      ["active", "BOOLEAN"],
      ["score", "DOUBLE"],
      ["day", "DATE"],
    ]);
    const rows = await queryDuckDB(db, ORDERS_SQL);
    assert.deepEqual(rows, server.tables[0].rows.map(expectedOrder));
    const meta = await queryDuckDB(
      db,
      "SELECT source_name, description, primary_key FROM _meta ORDER BY 1",
    );
    assert.deepEqual(meta[1], {
      source_name: "main.sales.orders",
      description: "Orders placed in the shop",
      primary_key: '["id"]',
    });
    // Unity Catalog pages (2 tables per page) and several polls per statement.
    assert.ok(
      server.requests.some((r) =>
        r.path.includes("unity-catalog/tables") && r.path.includes("page_token=2")
      ),
    );
    const polls = server.requests.filter((r) =>
      /^\/api\/2\.0\/sql\/statements\/[^/]+$/.test(r.path)
    );
    assert.ok(polls.length >= 3 * 3, `expected several polls per statement, saw ${polls.length}`);
    const submitted = server.requests.filter((r) => r.path === "/api/2.0/sql/statements");
    for (const request of submitted) {
      assert.equal(
        request.body!.disposition,
        format === "arrow_stream" ? "EXTERNAL_LINKS" : "INLINE",
      );
      assert.equal(request.body!.format, format === "arrow_stream" ? "ARROW_STREAM" : "JSON_ARRAY");
      // The POST waits for the statement itself; one that outlasts the wait goes on and is polled.
      assert.equal(request.body!.wait_timeout, "50s");
      assert.equal(request.body!.on_wait_timeout, "CONTINUE");
    }
    const chunkCalls = server.requests.filter((r) => r.path.includes("/result/chunks/"));
    assert.ok(chunkCalls.length >= 4, "later chunks come from next_chunk_internal_link");
    const downloads = server.requests.filter((r) => r.path.startsWith("/storage/"));
    if (format === "arrow_stream") {
      assert.equal(downloads.filter((r) => r.path.includes("/storage/results/")).length, 5 + 1 + 1);
      assert.ok(
        downloads.every((r) => !r.authorization),
        "external links must be fetched without the token",
      );
    } else assert.equal(downloads.length, 0);
    await assertNoToken(out, result.stdout, result.stderr);
  });
}

Deno.test("databricks: batch_size is honoured in both result formats", async () => {
  await using server = startDatabricksServer({
    token: TOKEN,
    warehouseId: WAREHOUSE,
    tables: fixture(130),
    chunkRows: 60,
  });
  const ctx = createConnectorContext({
    connector: "databricks",
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    readEnv: (name) => name === "DATABRICKS_TOKEN" ? TOKEN : undefined,
  });
  for (const result_format of ["arrow_stream", "json_array"] as const) {
    const connector = await databricks(ctx, {
      workspace_url: server.url,
      warehouse_id: WAREHOUSE,
      catalog: "main",
      schema: "sales",
      batch_size: 25,
      result_format,
      poll_interval_ms: 1,
    });
    const sizes: number[] = [];
    for await (
      const batch of connector.read!("main.sales.orders", {
        batchSize: 10_000,
        columns: ["id", "placed_at"],
      })
    ) {
      sizes.push(batch.numRows);
      assert.deepEqual(batch.schema.fields.map((f) => f.name), ["id", "placed_at"]);
    }
    assert.equal(sizes.reduce((a, b) => a + b, 0), 130, result_format);
    assert.ok(sizes.every((n) => n <= 25), `${result_format}: ${sizes}`);
    const sql = server.requests.filter((r) => r.path === "/api/2.0/sql/statements").at(-1)!.body!;
    assert.equal(sql.statement, "SELECT `id`, `placed_at` FROM `main`.`sales`.`orders`");
  }
});

Deno.test("databricks: a statement done within wait_timeout comes back from the POST, unpolled", async () => {
  await using server = startDatabricksServer({
    token: TOKEN,
    warehouseId: WAREHOUSE,
    tables: fixture(130),
    chunkRows: 60,
    pollsBeforeDone: 3,
    doneWithinWait: true,
  });
  const ctx = createConnectorContext({
    connector: "databricks",
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    readEnv: (name) => name === "DATABRICKS_TOKEN" ? TOKEN : undefined,
  });
  for (const result_format of ["arrow_stream", "json_array"] as const) {
    // A poll interval no test could sit through: the result must not wait for a poll.
    const connector = await databricks(ctx, {
      workspace_url: server.url,
      warehouse_id: WAREHOUSE,
      catalog: "main",
      schema: "sales",
      result_format,
      poll_interval_ms: 600_000,
    });
    let rows = 0;
    for await (const batch of connector.read!("main.sales.orders", { batchSize: 1000 })) {
      rows += batch.numRows;
    }
    assert.equal(rows, 130, result_format);
  }
  const polls = server.requests.filter((r) => /^\/api\/2\.0\/sql\/statements\/[^/]+$/.test(r.path));
  assert.deepEqual(polls, []);
});

Deno.test("databricks: incremental across three runs sends the cursor as a typed parameter", async () => {
  await using dir = await tempDir();
  await using server = startDatabricksServer({
    token: TOKEN,
    warehouseId: WAREHOUSE,
    tables: fixture(20),
    chunkRows: 7,
    pollsBeforeDone: 1,
  });
  await Deno.writeTextFile(
    join(dir.path, "dvt.yaml"),
    `sources:
  dbx:
    connector: databricks
    config: { workspace_url: "${server.url}", warehouse_id: ${WAREHOUSE}, catalog: main, schema: sales, poll_interval_ms: 5 }
    tables: [main.sales.orders]
    incremental: { main.sales.orders: placed_at }
    disposition: { main.sales.orders: merge }
    out: out
`,
  );
  const run = async () => {
    const result = await runCli(["extract", "dbx", "--json"], {
      cwd: dir.path,
      env: { DATABRICKS_TOKEN: TOKEN },
    });
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout).totalRows;
  };
  const rows = server.tables[0].rows;
  const lastStatement = () =>
    server.requests.filter((r) => r.path === "/api/2.0/sql/statements").at(-1)!.body!;
  assert.equal(await run(), 20);
  assert.doesNotMatch(String(lastStatement().statement), /WHERE/);

  rows.push(orderRow(21, "2026-02-01T09:00:00.000Z"), orderRow(22, "2026-02-01T09:00:00.000Z"));
  rows[4] = orderRow(5, "2026-02-01T09:30:00.000Z");
  rows[4][1] = "1234.56";
  assert.equal(await run(), 3);
  assert.match(String(lastStatement().statement), /WHERE `placed_at` > :p0$/);
  assert.deepEqual(lastStatement().parameters, [{
    name: "p0",
    value: "2026-01-01T10:00:00.000Z",
    type: "TIMESTAMP",
  }]);

  rows.push(orderRow(23, "2026-03-01T00:00:00.000Z"));
  assert.equal(await run(), 1);
  const landed = await queryDuckDB(
    join(dir.path, "out/extract.duckdb"),
    "SELECT id::VARCHAR AS id, amount::VARCHAR AS amount FROM main_sales_orders ORDER BY main_sales_orders.id",
  );
  assert.deepEqual(
    landed,
    [...rows].sort((a, b) => Number(a[0]) - Number(b[0])).map((r) => ({ id: r[0], amount: r[1] })),
  );
});

Deno.test("databricks: 429 with Retry-After and a 503 are retried; the run succeeds", async () => {
  await using dir = await tempDir();
  await using server = startDatabricksServer({
    token: TOKEN,
    warehouseId: WAREHOUSE,
    tables: fixture(10),
  });
  server.faults.push(
    {
      method: "GET",
      path: "/api/2.1/unity-catalog/schemas",
      status: 429,
      times: 1,
      retryAfter: "1",
    },
    { method: "GET", path: "/api/2.0/sql/statements/", status: 503, times: 1 },
  );
  const started = performance.now();
  const result = await runCli(
    [
      "extract",
      "--connector",
      "databricks",
      ...sets(server.url),
      "--out",
      join(dir.path, "out"),
      "--json",
    ],
    { env: { DATABRICKS_TOKEN: TOKEN } },
  );
  assert.equal(result.code, 0, result.stderr);
  assert.equal(JSON.parse(result.stdout).totalRows, 14);
  assert.ok(performance.now() - started >= 1000, "Retry-After: 1 was not honoured");
  assert.ok(server.faults.every((f) => f.times === 0));
});

Deno.test("databricks: a refused token exits 2 naming DATABRICKS_TOKEN", async () => {
  await using dir = await tempDir();
  await using server = startDatabricksServer({
    token: TOKEN,
    warehouseId: WAREHOUSE,
    tables: fixture(3),
  });
  const wrong = "dapi-wrong-token-000000";
  const result = await runCli(
    ["extract", "--connector", "databricks", ...sets(server.url), "--out", join(dir.path, "out")],
    { env: { DATABRICKS_TOKEN: wrong } },
  );
  assert.equal(result.code, 2, result.stderr);
  assert.match(
    result.stderr,
    /GET \/api\/2\.1\/unity-catalog\/schemas was refused \(401\).*DATABRICKS_TOKEN/,
  );
  assert.match(result.stderr, /caused by: UNAUTHENTICATED: Invalid access token\./);
  assert.ok(!result.stderr.includes(wrong));
});

Deno.test("databricks: check() tells a wrong warehouse from a wrong token (--check, connector test)", async () => {
  await using dir = await tempDir();
  await using server = startDatabricksServer({
    token: TOKEN,
    warehouseId: WAREHOUSE,
    tables: fixture(3),
  });
  const badWarehouse = await runCli(
    [
      "extract",
      "--connector",
      await builtinAgainstServer(dir.path, "databricks", server.url),
      ...sets(server.url),
      "--set",
      "warehouse_id=nope123",
      "--check",
      "--out",
      join(dir.path, "out"),
    ],
    { env: { DATABRICKS_TOKEN: TOKEN } },
  );
  assert.equal(badWarehouse.code, 2, badWarehouse.stderr);
  assert.match(badWarehouse.stderr, /SQL warehouse "nope123" does not exist in this workspace/);
  const report = await runCli(
    ["connector", "test", "databricks", ...sets(server.url), "--json"],
    { env: { DATABRICKS_TOKEN: "dapi-wrong-token-000000" } },
  );
  assert.equal(report.code, 1);
  const check = JSON.parse(report.stdout).results.find((r: { name: string }) =>
    r.name.startsWith("check()")
  );
  assert.equal(check.status, "failed");
  assert.match(check.message, /token in DATABRICKS_TOKEN is invalid/);
});

for (const format of ["arrow_stream", "json_array"]) {
  Deno.test(`databricks (${format}): a chunk chain that ends before the manifest's row count fails the table and keeps the previous data`, async () => {
    await using dir = await tempDir();
    await using server = chunkedOrdersServer();
    const out = join(dir.path, "out");
    const extract = () =>
      extractOrders(server.url, out, ["--set", `result_format=${format}`, "--json"]);
    const first = await extract();
    assert.equal(first.code, 0, first.stderr);
    const count = "SELECT count(*)::INT AS n FROM main_sales_orders";
    const before = await queryDuckDB(join(out, "extract.duckdb"), count);

    server.cutChunkChainAt = 3;
    const cut = await extract();
    assert.equal(cut.code, 1, cut.stderr);
    assert.match(cut.stderr, /delivered 40 of the 100 rows its manifest announced/);
    assert.deepEqual(await queryDuckDB(join(out, "extract.duckdb"), count), before);
  });
}

Deno.test("databricks: a table dropped between discover and read fails alone; the others land", async () => {
  await using dir = await tempDir();
  await using server = startDatabricksServer({
    token: TOKEN,
    warehouseId: WAREHOUSE,
    tables: fixture(5),
  });
  server.vanishAfterListing.add("main.sales.orders");
  const out = join(dir.path, "out");
  const result = await runCli(
    ["extract", "--connector", "databricks", ...sets(server.url), "--out", out, "--json"],
    { env: { DATABRICKS_TOKEN: TOKEN } },
  );
  assert.equal(result.code, 1, result.stderr);
  const stats = JSON.parse(result.stdout);
  assert.equal(stats.tablesExtracted, 2);
  assert.deepEqual(stats.errors.map((e: { table: string }) => e.table), ["main.sales.orders"]);
  assert.match(stats.errors[0].message, /reading main\.sales\.orders ended FAILED/);
  const landed = await queryDuckDB(
    join(out, "extract.duckdb"),
    "SELECT count(*)::INT AS n FROM main_sales_customers",
  );
  assert.deepEqual(landed, [{ n: 2 }]);
});

Deno.test("databricks: dvt connector test passes as a built-in and bundled in the sandbox", async () => {
  await using dir = await tempDir();
  await using server = startDatabricksServer({
    token: TOKEN,
    warehouseId: WAREHOUSE,
    tables: fixture(40),
    chunkRows: 15,
  });
  const env = { DATABRICKS_TOKEN: TOKEN };
  const junit = join(dir.path, "report.xml");
  const builtin = await runCli([
    "connector",
    "test",
    await builtinAgainstServer(dir.path, "databricks", server.url),
    ...sets(server.url),
    "--junit",
    junit,
  ], { env });
  assert.equal(builtin.code, 0, builtin.stdout + builtin.stderr);
  assert.match(builtin.stdout, /PASS {2}check\(\) accepts/);
  assert.match(await Deno.readTextFile(junit), /failures="0"/);

  const built = await runCli([
    "connector",
    "build",
    join(REPO_ROOT, "connectors/databricks"),
    "--out",
    join(dir.path, "dbx/databricks.js"),
  ]);
  assert.equal(built.code, 0, built.stderr);
  const manifest =
    (await Deno.readTextFile(join(REPO_ROOT, "connectors/databricks/connector.yaml")))
      .replace("entrypoint: ./connector.ts", "entrypoint: ./databricks.js")
      .replace(/ {2}net:\n(?: {4}- .*\n)+/, `  net: ["127.0.0.1:${new URL(server.url).port}"]\n`);
  assert.match(manifest, /net: \["127\.0\.0\.1:\d+"\]/);
  await Deno.writeTextFile(join(dir.path, "dbx/connector.yaml"), manifest);
  const sandboxed = await runCli(["connector", "test", "./dbx", ...sets(server.url)], {
    cwd: dir.path,
    env,
  });
  assert.equal(sandboxed.code, 0, sandboxed.stdout + sandboxed.stderr);
  const out = join(dir.path, "out");
  const extracted = await runCli(
    ["extract", "--connector", "./dbx", ...sets(server.url), "--out", out, "--json"],
    { cwd: dir.path, env },
  );
  assert.equal(extracted.code, 0, extracted.stderr);
  assert.equal(JSON.parse(extracted.stdout).totalRows, 44);
  await assertNoToken(out, extracted.stdout, extracted.stderr, builtin.stdout, sandboxed.stdout);
});

for (
  const [fault, reason, cause] of [
    [
      "access_denied",
      /error: downloading result chunk 3 failed with HTTP 403\n.*caused by: AccessDenied: Request has expired\n/,
      /^AccessDenied: Request has expired$/m,
    ],
    [
      "cut",
      /error: downloading result chunk 3 failed\n.*caused by: the body broke off after \d+ of its \d+ bytes\n/,
      /^the body broke off after \d+ of its \d+ bytes$/m,
    ],
  ] as const
) {
  Deno.test(`databricks: a result chunk's presigned link failing (${fault}) fails the table naming the chunk; the previous data stays`, async () => {
    await using dir = await tempDir();
    await using server = chunkedOrdersServer();
    const out = join(dir.path, "out");
    const extract = (json: boolean) => extractOrders(server.url, out, json ? ["--json"] : []);
    const first = await extract(true);
    assert.equal(first.code, 0, first.stderr);
    const landed = () =>
      queryDuckDB(join(out, "extract.duckdb"), ORDERS_SQL).then((rows) => JSON.stringify(rows));
    const before = await landed();
    assert.equal(before, JSON.stringify(server.tables[0].rows.map(expectedOrder)));

    server.tables[0].rows[0] = orderRow(1, "2026-05-01T00:00:00.000Z");
    server.failLink = { chunk: 3, fault };
    const plain = await extract(false);
    assert.equal(plain.code, 1, plain.stderr);
    assert.match(plain.stderr, reason);
    const json = await extract(true);
    assert.equal(json.code, 1, json.stderr);
    const stats = JSON.parse(json.stdout);
    assert.deepEqual(stats.errors.map((e: { table: string }) => e.table), ["main.sales.orders"]);
    assert.match(stats.errors[0].message, /^downloading result chunk 3 failed/);
    // --json says why as the plain summary does: the storage's reason is among the causes.
    const failed = stats.tables.find((t: { status: string }) => t.status === "failed");
    assert.match(failed.causes.join("\n"), cause);
    // The link was asked for each run, once: neither failure is retried.
    const asked = server.requests.filter((r) => /^\/storage\/results\/[^/]+\/3\?/.test(r.path));
    assert.equal(asked.length, 3, "once by the good run, once by each failed one");
    // A presigned URL is a credential: neither it nor the token appears anywhere.
    for (const text of [plain.stdout, plain.stderr, json.stdout, json.stderr]) {
      assert.ok(!text.includes("X-Amz-Signature"), text);
      assert.ok(!text.includes("presigned3"), text);
      assert.ok(!text.includes("/storage/results/"), text);
    }
    await assertNoToken(out, plain.stdout, plain.stderr, json.stdout, json.stderr);
    assert.equal(await landed(), before, "the published extract changed");
  });
}

/**
 * The bigquery connector end to end through the real CLI against the local BigQuery REST API
 * and OAuth token endpoint (tests/servers/bigquery_server.ts): service-account JWT flow, typed
 * discovery, tabledata.list paging, query jobs for incremental runs, remote-only tables,
 * retries, auth and vanished tables.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { queryDuckDB, REPO_ROOT, runCli, tempDir } from "../../_helpers.ts";
import {
  type FakeRow,
  type FakeTable,
  startBigQueryServer,
} from "../../servers/bigquery_server.ts";

const PROJECT = "acme-analytics";
const EMAIL = "dvt-reader@acme-analytics.iam.gserviceaccount.com";
const STATIC_TOKEN = "ya29.static-oauth-access-token-0123456789";

async function serviceAccount() {
  const keys = await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  );
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey));
  const base64 = btoa(String.fromCharCode(...pkcs8)).replace(/.{64}/g, "$&\n");
  const pem = `-----BEGIN PRIVATE KEY-----\n${base64}\n-----END PRIVATE KEY-----\n`;
  return { publicKey: keys.publicKey, pem };
}

function keyJson(pem: string, tokenUri: string): string {
  return JSON.stringify({
    type: "service_account",
    project_id: PROJECT,
    private_key_id: "0123456789abcdef",
    private_key: pem,
    client_email: EMAIL,
    token_uri: tokenUri,
  });
}

function event(i: number, updated = "2026-01-01T10:00:00Z"): FakeRow {
  return {
    id: String(i),
    amount: `${i}.${String(i % 100).padStart(2, "0")}`,
    big: `${i}12345678901234567890.12345`,
    score: i % 6 === 0 ? null : String(i / 8),
    ok: i % 2 === 0 ? "true" : "false",
    name: `event "${i}"`,
    blob: btoa(`bytes-${i}`),
    day: `2026-03-${String((i % 28) + 1).padStart(2, "0")}`,
    local: "2026-03-01T12:30:00.123456",
    clock: "08:15:30.250000",
    updated_at: updated,
    doc: JSON.stringify({ n: i }),
    place: "POINT(14.4 50.1)",
    tags: i % 3 === 0 ? [] : [`t${i}`, "all"],
    item: { sku: `sku-${i}`, qty: String(i * 2) },
  };
}

function fixture(rows = 90): FakeTable[] {
  return [
    {
      dataset: "sales",
      id: "events",
      description: "Shop events",
      primaryKey: ["id"],
      fields: [
        { name: "id", type: "INTEGER", mode: "REQUIRED" },
        { name: "amount", type: "NUMERIC", precision: "12", scale: "2" },
        { name: "big", type: "BIGNUMERIC", precision: "30", scale: "5" },
        { name: "score", type: "FLOAT" },
        { name: "ok", type: "BOOLEAN" },
        { name: "name", type: "STRING" },
        { name: "blob", type: "BYTES" },
        { name: "day", type: "DATE" },
        { name: "local", type: "DATETIME" },
        { name: "clock", type: "TIME" },
        { name: "updated_at", type: "TIMESTAMP" },
        { name: "doc", type: "JSON" },
        { name: "place", type: "GEOGRAPHY" },
        { name: "tags", type: "STRING", mode: "REPEATED" },
        {
          name: "item",
          type: "RECORD",
          fields: [{ name: "sku", type: "STRING" }, { name: "qty", type: "INTEGER" }],
        },
      ],
      rows: Array.from({ length: rows }, (_, i) => event(i + 1)),
    },
    {
      dataset: "sales",
      id: "regions",
      fields: [{ name: "code", type: "STRING" }],
      rows: [{ code: "eu" }, { code: "us" }],
    },
    {
      dataset: "ops",
      id: "hosts",
      fields: [{ name: "host", type: "STRING" }],
      rows: [{ host: "a" }],
    },
  ];
}

function sets(url: string, extra: string[] = []): string[] {
  return [
    "--set",
    `project_id=${PROJECT}`,
    "--set",
    `api_url=${url}`,
    "--set",
    "poll_interval_ms=10",
    ...extra,
  ];
}

async function assertNoSecret(dir: string, secrets: string[], ...texts: string[]) {
  for (const text of texts) {
    for (const secret of secrets) assert.ok(!text.includes(secret), "secret in CLI output");
  }
  const walk = async (path: string): Promise<void> => {
    for await (const entry of Deno.readDir(path)) {
      const child = join(path, entry.name);
      if (entry.isDirectory) await walk(child);
      else {
        const text = new TextDecoder("latin1").decode(await Deno.readFile(child));
        for (const secret of secrets) assert.ok(!text.includes(secret), `secret in ${child}`);
      }
    }
  };
  await walk(dir);
}

const EVENTS_SQL = `SELECT id::VARCHAR AS id, amount::VARCHAR AS amount, big::VARCHAR AS big,
  score, ok::VARCHAR AS ok, name, to_base64(blob) AS blob, day::VARCHAR AS day,
  strftime(local, '%Y-%m-%dT%H:%M:%S.%f') AS local, strftime(DATE '2000-01-01' + clock, '%H:%M:%S.%f') AS clock,
  strftime(updated_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS updated_at, doc, place,
  to_json(tags)::VARCHAR AS tags, to_json(item)::VARCHAR AS item
  FROM sales_events ORDER BY sales_events.id`;

function expectedEvent(row: FakeRow) {
  const item = row.item as Record<string, string>;
  return {
    ...row,
    score: row.score === null ? null : Number(row.score),
    tags: JSON.stringify(row.tags),
    item: JSON.stringify({ sku: item.sku, qty: Number(item.qty) }),
  };
}

Deno.test("bigquery: service-account JWT -> discover -> tabledata.list pages -> Parquet equal to the served rows", async () => {
  await using dir = await tempDir();
  const account = await serviceAccount();
  await using server = startBigQueryServer({
    project: PROJECT,
    tables: fixture(90),
    serviceAccount: { clientEmail: EMAIL, publicKey: account.publicKey },
    pageRows: 20,
  });
  const keyFile = join(dir.path, "key.json");
  await Deno.writeTextFile(keyFile, keyJson(account.pem, server.tokenUri));
  const out = join(dir.path, "out");
  const result = await runCli(
    ["extract", "--connector", "bigquery", ...sets(server.url), "--out", out, "--json"],
    { env: { GOOGLE_APPLICATION_CREDENTIALS: keyFile } },
  );
  assert.equal(result.code, 0, result.stderr);
  assert.equal(JSON.parse(result.stdout).totalRows, 93);
  const db = join(out, "extract.duckdb");
  const types = await queryDuckDB(
    db,
    `SELECT column_name, data_type FROM information_schema.columns
     WHERE table_name = 'sales_events' ORDER BY ordinal_position`,
  );
  assert.deepEqual(types.map((r) => [r.column_name, r.data_type]), [
    ["id", "BIGINT"],
    ["amount", "DECIMAL(12,2)"],
    ["big", "DECIMAL(30,5)"],
    ["score", "DOUBLE"],
    ["ok", "BOOLEAN"],
    ["name", "VARCHAR"],
    ["blob", "BLOB"],
    ["day", "DATE"],
    ["local", "TIMESTAMP"],
    ["clock", "TIME"],
    ["updated_at", "TIMESTAMP WITH TIME ZONE"],
    ["doc", "VARCHAR"],
    ["place", "VARCHAR"],
    ["tags", "VARCHAR[]"],
    ["item", "STRUCT(sku VARCHAR, qty BIGINT)"],
  ]);
  const rows = await queryDuckDB(db, EVENTS_SQL);
  assert.deepEqual(rows, server.tables[0].rows.map(expectedEvent));
  const meta = await queryDuckDB(
    db,
    "SELECT source_name, description, query_mode, primary_key FROM _meta WHERE source_name = 'sales.events'",
  );
  assert.deepEqual(meta, [{
    source_name: "sales.events",
    description: "Shop events",
    query_mode: "local",
    primary_key: '["id"]',
  }]);
  // DuckDB's bigquery extension: ATTACH 'project=<id>' AS bq (TYPE bigquery); its auth comes
  // from GOOGLE_APPLICATION_CREDENTIALS, so no token env is recorded.
  assert.deepEqual(await queryDuckDB(db, "SELECT * FROM _remote_attach"), [{
    alias: "bq",
    extension: "bigquery",
    url: `project=${PROJECT}`,
    token_env: "",
  }]);
  const pages = server.requests.filter((r) => r.path.includes("/sales/tables/events/data"));
  assert.equal(pages.length, Math.ceil(90 / 20));
  assert.ok(pages.every((r) => r.path.includes("formatOptions.useInt64Timestamp=true")));
  // One token for the whole run: cached until it expires.
  assert.equal(server.issued.length, 1);
  assert.equal(server.requests.filter((r) => r.path === "/token").length, 1);
  await assertNoSecret(
    out,
    [server.issued[0], account.pem.split("\n")[1]],
    result.stdout,
    result.stderr,
  );
});

Deno.test("bigquery: incremental across three runs through query jobs polled to completion", async () => {
  await using dir = await tempDir();
  await using server = startBigQueryServer({
    project: PROJECT,
    tables: fixture(15),
    staticTokens: [STATIC_TOKEN],
    pageRows: 4,
    pollsBeforeComplete: 2,
  });
  await Deno.writeTextFile(
    join(dir.path, "dvt.yaml"),
    `sources:
  bq:
    connector: bigquery
    config: { project_id: ${PROJECT}, api_url: "${server.url}", datasets: [sales], poll_interval_ms: 10 }
    tables: [sales.events]
    incremental: { sales.events: updated_at }
    disposition: { sales.events: merge }
    out: out
`,
  );
  const run = async () => {
    const result = await runCli(["extract", "bq", "--json"], {
      cwd: dir.path,
      env: { GOOGLE_OAUTH_ACCESS_TOKEN: STATIC_TOKEN },
    });
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout).totalRows;
  };
  const rows = server.tables[0].rows;
  assert.equal(await run(), 15);
  assert.equal(server.requests.filter((r) => r.path.endsWith("/queries")).length, 0);

  rows.push(event(16, "2026-02-01T00:00:00Z"), event(17, "2026-02-01T00:00:00Z"));
  rows[2] = { ...event(3, "2026-02-02T00:00:00Z"), amount: "777.77" };
  assert.equal(await run(), 3);
  const query = server.requests.filter((r) => r.path.endsWith("/queries")).at(-1)!
    .body as Record<string, unknown>;
  assert.match(
    String(query.query),
    /FROM `acme-analytics\.sales\.events` WHERE `updated_at` > @p0$/,
  );
  assert.deepEqual(query.queryParameters, [{
    name: "p0",
    parameterType: { type: "TIMESTAMP" },
    parameterValue: { value: "2026-01-01T10:00:00.000Z" },
  }]);
  const polls = server.requests.filter((r) => /\/queries\/job_/.test(r.path));
  assert.ok(polls.length >= 3, `the job was polled ${polls.length} times`);

  rows.push(event(18, "2026-03-01T00:00:00Z"));
  assert.equal(await run(), 1);
  const landed = await queryDuckDB(
    join(dir.path, "out/extract.duckdb"),
    "SELECT id::VARCHAR AS id, amount::VARCHAR AS amount FROM sales_events ORDER BY sales_events.id",
  );
  assert.deepEqual(
    landed,
    [...rows].sort((a, b) => Number(a.id) - Number(b.id)).map((r) => ({
      id: r.id,
      amount: r.amount,
    })),
  );
});

Deno.test("bigquery: query pages that end before totalRows fail the table and keep the previous data", async () => {
  await using dir = await tempDir();
  await using server = startBigQueryServer({
    project: PROJECT,
    tables: fixture(15),
    staticTokens: [STATIC_TOKEN],
    pageRows: 4,
  });
  await Deno.writeTextFile(
    join(dir.path, "dvt.yaml"),
    `sources:
  bq:
    connector: bigquery
    config: { project_id: ${PROJECT}, api_url: "${server.url}", datasets: [sales], poll_interval_ms: 10 }
    tables: [sales.events]
    incremental: { sales.events: updated_at }
    disposition: { sales.events: merge }
    out: out
`,
  );
  const run = () =>
    runCli(["extract", "bq", "--json"], {
      cwd: dir.path,
      env: { GOOGLE_OAUTH_ACCESS_TOKEN: STATIC_TOKEN },
    });
  assert.equal((await run()).code, 0);
  const count = "SELECT count(*)::INT AS n FROM sales_events";
  const before = await queryDuckDB(join(dir.path, "out/extract.duckdb"), count);

  const rows = server.tables[0].rows;
  for (let id = 16; id <= 25; id++) rows.push(event(id, "2026-02-01T00:00:00Z"));
  server.cutQueryPagesAtRow = 4;
  const cut = await run();
  assert.equal(cut.code, 1, cut.stderr);
  assert.match(cut.stderr, /delivered 4 of the 10 rows it announced/);
  assert.deepEqual(await queryDuckDB(join(dir.path, "out/extract.duckdb"), count), before);
});

Deno.test("bigquery: remote_only lists tables in _meta as remote without reading them", async () => {
  await using dir = await tempDir();
  await using server = startBigQueryServer({
    project: PROJECT,
    tables: fixture(5),
    staticTokens: [STATIC_TOKEN],
  });
  const out = join(dir.path, "out");
  const result = await runCli(
    [
      "extract",
      "--connector",
      "bigquery",
      ...sets(server.url, ["--set", "remote_only=true"]),
      "--out",
      out,
      "--json",
    ],
    { env: { GOOGLE_OAUTH_ACCESS_TOKEN: STATIC_TOKEN } },
  );
  assert.equal(result.code, 0, result.stderr);
  const db = join(out, "extract.duckdb");
  const meta = await queryDuckDB(
    db,
    "SELECT source_name, query_mode, rows::INT AS rows FROM _meta ORDER BY 1",
  );
  assert.deepEqual(meta, [
    { source_name: "ops.hosts", query_mode: "remote", rows: 0 },
    { source_name: "sales.events", query_mode: "remote", rows: 0 },
    { source_name: "sales.regions", query_mode: "remote", rows: 0 },
  ]);
  assert.equal(server.requests.filter((r) => r.path.includes("/data?")).length, 0);
  const views = await queryDuckDB(
    db,
    "SELECT count(*)::INT AS n FROM duckdb_views() WHERE NOT internal",
  );
  assert.deepEqual(views, [{ n: 0 }]);
  assert.equal(
    (await queryDuckDB(db, "SELECT url FROM _remote_attach"))[0].url,
    `project=${PROJECT}`,
  );
});

Deno.test("bigquery: 429 with Retry-After and a 503 are retried; the run succeeds", async () => {
  await using dir = await tempDir();
  await using server = startBigQueryServer({
    project: PROJECT,
    tables: fixture(10),
    staticTokens: [STATIC_TOKEN],
  });
  server.faults.push(
    {
      method: "GET",
      path: `/bigquery/v2/projects/${PROJECT}/datasets`,
      status: 429,
      times: 1,
      retryAfter: "1",
    },
    {
      method: "GET",
      path: `/bigquery/v2/projects/${PROJECT}/datasets/sales/tables/events/data`,
      status: 503,
      times: 1,
    },
  );
  const started = performance.now();
  const result = await runCli(
    [
      "extract",
      "--connector",
      "bigquery",
      ...sets(server.url),
      "--out",
      join(dir.path, "o"),
      "--json",
    ],
    { env: { GOOGLE_OAUTH_ACCESS_TOKEN: STATIC_TOKEN } },
  );
  assert.equal(result.code, 0, result.stderr);
  assert.equal(JSON.parse(result.stdout).totalRows, 13);
  assert.ok(performance.now() - started >= 1000, "Retry-After: 1 was not honoured");
  assert.ok(server.faults.every((f) => f.times === 0));
});

Deno.test("bigquery: refused credentials exit 2 naming the variables", async () => {
  await using dir = await tempDir();
  await using server = startBigQueryServer({
    project: PROJECT,
    tables: fixture(3),
    staticTokens: [STATIC_TOKEN],
  });
  const wrong = "ya29.wrong-token-value-000";
  const result = await runCli(
    ["extract", "--connector", "bigquery", ...sets(server.url), "--out", join(dir.path, "o")],
    { env: { GOOGLE_OAUTH_ACCESS_TOKEN: wrong } },
  );
  assert.equal(result.code, 2, result.stderr);
  assert.match(
    result.stderr,
    /GET \/projects\/acme-analytics\/datasets was refused \(401\).*GOOGLE_APPLICATION_CREDENTIALS or GOOGLE_OAUTH_ACCESS_TOKEN/,
  );
  assert.match(result.stderr, /caused by: UNAUTHENTICATED: Request had invalid authentication/);
  assert.ok(!result.stderr.includes(wrong));
  const none = await runCli(
    ["extract", "--connector", "bigquery", ...sets(server.url), "--out", join(dir.path, "o")],
  );
  assert.equal(none.code, 2, none.stderr);
  assert.match(
    none.stderr,
    /neither GOOGLE_APPLICATION_CREDENTIALS nor GOOGLE_OAUTH_ACCESS_TOKEN is set/,
  );
});

Deno.test("bigquery: a table deleted between discover and read fails alone; the others land", async () => {
  await using dir = await tempDir();
  await using server = startBigQueryServer({
    project: PROJECT,
    tables: fixture(4),
    staticTokens: [STATIC_TOKEN],
  });
  server.vanishAfterListing.add("sales.regions");
  const out = join(dir.path, "out");
  const result = await runCli(
    ["extract", "--connector", "bigquery", ...sets(server.url), "--out", out, "--json"],
    { env: { GOOGLE_OAUTH_ACCESS_TOKEN: STATIC_TOKEN } },
  );
  assert.equal(result.code, 1, result.stderr);
  const stats = JSON.parse(result.stdout);
  assert.deepEqual(stats.errors.map((e: { table: string }) => e.table), ["sales.regions"]);
  assert.match(stats.errors[0].message, /tables\/regions\/data failed with HTTP 404/);
  const landed = await queryDuckDB(
    join(out, "extract.duckdb"),
    "SELECT count(*)::INT AS n FROM sales_events",
  );
  assert.deepEqual(landed, [{ n: 4 }]);
});

Deno.test("bigquery: dvt connector test passes as a built-in and bundled in the sandbox", async () => {
  await using dir = await tempDir();
  const account = await serviceAccount();
  await using server = startBigQueryServer({
    project: PROJECT,
    tables: fixture(30),
    serviceAccount: { clientEmail: EMAIL, publicKey: account.publicKey },
    pageRows: 12,
  });
  // Sandboxed connectors cannot read files: the variable holds the key JSON itself.
  const env = { GOOGLE_APPLICATION_CREDENTIALS: keyJson(account.pem, server.tokenUri) };
  const junit = join(dir.path, "report.xml");
  const builtin = await runCli([
    "connector",
    "test",
    "bigquery",
    ...sets(server.url),
    "--junit",
    junit,
  ], {
    env,
  });
  assert.equal(builtin.code, 0, builtin.stdout + builtin.stderr);
  assert.match(await Deno.readTextFile(junit), /failures="0"/);
  const built = await runCli([
    "connector",
    "build",
    join(REPO_ROOT, "connectors/bigquery"),
    "--out",
    join(dir.path, "bq/bigquery.js"),
  ]);
  assert.equal(built.code, 0, built.stderr);
  const manifest = (await Deno.readTextFile(join(REPO_ROOT, "connectors/bigquery/connector.yaml")))
    .replace("entrypoint: ./connector.ts", "entrypoint: ./bigquery.js")
    .replace(/ {2}net: \[.*\]\n/, `  net: ["127.0.0.1:${new URL(server.url).port}"]\n`);
  assert.match(manifest, /net: \["127\.0\.0\.1:\d+"\]/);
  await Deno.writeTextFile(join(dir.path, "bq/connector.yaml"), manifest);
  const sandboxed = await runCli(["connector", "test", "./bq", ...sets(server.url)], {
    cwd: dir.path,
    env,
  });
  assert.equal(sandboxed.code, 0, sandboxed.stdout + sandboxed.stderr);
  const out = join(dir.path, "out");
  const extracted = await runCli(
    ["extract", "--connector", "./bq", ...sets(server.url), "--out", out, "--json"],
    { cwd: dir.path, env },
  );
  assert.equal(extracted.code, 0, extracted.stderr);
  assert.equal(JSON.parse(extracted.stdout).totalRows, 33);
  // Sandboxed, a key file's path is not enough (no file is readable): exit 2, saying what to pass.
  const keyFile = join(dir.path, "key.json");
  await Deno.writeTextFile(keyFile, env.GOOGLE_APPLICATION_CREDENTIALS);
  const byPath = await runCli(
    ["extract", "--connector", "./bq", ...sets(server.url), "--out", join(dir.path, "out2")],
    { cwd: dir.path, env: { GOOGLE_APPLICATION_CREDENTIALS: keyFile } },
  );
  assert.equal(byPath.code, 2, byPath.stderr);
  assert.match(
    byPath.stderr,
    /a sandboxed connector cannot read the service-account key file GOOGLE_APPLICATION_CREDENTIALS names; set GOOGLE_APPLICATION_CREDENTIALS to the key JSON itself \(or GOOGLE_OAUTH_ACCESS_TOKEN to an access token\)/,
  );
  await assertNoSecret(
    out,
    [...server.issued, account.pem.split("\n")[1]],
    extracted.stdout,
    extracted.stderr,
    builtin.stdout,
    sandboxed.stdout,
    byPath.stdout,
    byPath.stderr,
  );
});

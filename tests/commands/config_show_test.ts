/**
 * `dvt config show`: the effective configuration of a source and where each value came from,
 * asserted through `--json` of the real CLI for every layer: flag > environment > --config file
 * > dvt.yaml > connector default.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli, tempDir } from "../_helpers.ts";
import { writeDemoProject } from "./_demo_project.ts";

/** Which layers set a value in one case. */
interface Layers {
  yaml?: boolean;
  file?: boolean;
  env?: boolean;
  flag?: boolean;
}

/** A dvt.yaml whose `shop` source sets out, threads and sample_size when `yaml` is true. */
function project(yaml: boolean): string {
  return `sources:
  shop:
    connector: files
    config:
      tables: { orders: data/orders.csv }${yaml ? "\n      sample_size: 300" : ""}${
    yaml ? "\n    out: from-yaml\n    threads: 3" : ""
  }
`;
}

/** The command line and environment a case runs with. */
function invocation(layers: Layers): { args: string[]; env: Record<string, string> } {
  const args = ["config", "show", "shop", "--json"];
  const env: Record<string, string> = {};
  if (layers.file) args.push("--config", "cfg.yaml");
  if (layers.env) {
    Object.assign(env, { DVT_OUT_DIR: "env-out", DVT_THREADS: "5", DVT_LOG_LEVEL: "warn" });
  }
  if (layers.flag) {
    args.push(
      "--out",
      "flag-out",
      "--threads",
      "7",
      "--set",
      "sample_size=700",
      "--log-level",
      "error",
    );
  }
  return { args, env };
}

// deno-fmt-ignore
const CASES: Array<[string, Layers, Record<string, [unknown, string]>]> = [
  // name,                  layers,                                       out,                              threads,          log level,                 sample_size (connector config)
  ["defaults only",         {},                                            { out: ["extracts/shop", "default"], threads: [4, "default"], log: ["info", "default"], sample: [20480, "connector default"] }],
  ["dvt.yaml",              { yaml: true },                                { out: ["from-yaml", "dvt.yaml:7:10"], threads: [3, "dvt.yaml:8:14"], log: ["info", "default"], sample: [300, "dvt.yaml:6:7"] }],
  ["--config over dvt.yaml", { yaml: true, file: true },                   { out: ["from-yaml", "dvt.yaml:7:10"], threads: [3, "dvt.yaml:8:14"], log: ["info", "default"], sample: [500, "--config cfg.yaml:1:1"] }],
  ["env over dvt.yaml",     { yaml: true, env: true },                     { out: ["env-out/shop", "DVT_OUT_DIR"], threads: [5, "DVT_THREADS"], log: ["warn", "DVT_LOG_LEVEL"], sample: [300, "dvt.yaml:6:7"] }],
  ["env alone",             { env: true },                                 { out: ["env-out/shop", "DVT_OUT_DIR"], threads: [5, "DVT_THREADS"], log: ["warn", "DVT_LOG_LEVEL"], sample: [20480, "connector default"] }],
  ["env and --config",      { env: true, file: true },                     { out: ["env-out/shop", "DVT_OUT_DIR"], threads: [5, "DVT_THREADS"], log: ["warn", "DVT_LOG_LEVEL"], sample: [500, "--config cfg.yaml:1:1"] }],
  ["flags over env",        { env: true, flag: true },                     { out: ["flag-out", "--out"], threads: [7, "--threads"], log: ["error", "--log-level"], sample: [700, "--set sample_size"] }],
  ["flags over everything", { yaml: true, file: true, env: true, flag: true }, { out: ["flag-out", "--out"], threads: [7, "--threads"], log: ["error", "--log-level"], sample: [700, "--set sample_size"] }],
  ["flags over dvt.yaml",   { yaml: true, flag: true },                    { out: ["flag-out", "--out"], threads: [7, "--threads"], log: ["error", "--log-level"], sample: [700, "--set sample_size"] }],
];

Deno.test("config show --json names the layer of every value, in precedence order", async (t) => {
  await using dir = await tempDir();
  await writeDemoProject(dir.path);
  await Deno.writeTextFile(join(dir.path, "cfg.yaml"), "sample_size: 500\n");
  for (const [name, layers, expected] of CASES) {
    await t.step(name, async () => {
      await Deno.writeTextFile(join(dir.path, "dvt.yaml"), project(!!layers.yaml));
      const { args, env } = invocation(layers);
      const result = await runCli(args, { cwd: dir.path, env });
      assert.equal(result.code, 0, result.stderr);
      const shown = JSON.parse(result.stdout);
      assert.deepEqual(shown.settings.out, {
        value: join(dir.path, expected.out[0] as string),
        from: expected.out[1],
      });
      assert.deepEqual(shown.settings.threads, {
        value: expected.threads[0],
        from: expected.threads[1],
      });
      assert.deepEqual(shown.settings.log_level, { value: expected.log[0], from: expected.log[1] });
      assert.deepEqual(shown.config.sample_size, {
        value: expected.sample[0],
        from: expected.sample[1],
      });
    });
  }
});

Deno.test("config show names env vars as env:NAME and never prints their values", async () => {
  await using dir = await tempDir();
  const secret = "pw-0f2c9d7e-never-shown";
  for (const json of [true, false]) {
    const result = await runCli(
      [
        "config",
        "show",
        "--connector",
        "postgres",
        "--set",
        "database=shop",
        ...(json ? ["--json"] : []),
      ],
      { cwd: dir.path, env: { PGPASSWORD: secret } },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret));
    if (json) {
      const shown = JSON.parse(result.stdout);
      assert.deepEqual(shown.env.PGPASSWORD, {
        value: "env:PGPASSWORD",
        set: true,
        required: false,
      });
      assert.deepEqual(shown.config.database, { value: "shop", from: "--set database" });
      assert.deepEqual(shown.config.host, { value: null, from: "not set" });
    } else {
      assert.match(result.stdout, /^env\.PGPASSWORD +env:PGPASSWORD +environment \(set\)$/m);
    }
  }
});

Deno.test("config show lists per-table settings where dvt.yaml writes them", async () => {
  await using dir = await tempDir();
  await writeDemoProject(
    dir.path,
    `sources:
  shop:
    connector: files
    config:
      tables: { orders: data/orders.csv }
    tables:
      orders: { primary_key: [order_id], destination: sales_orders }
    incremental: { orders: updated_at }
`,
  );
  const result = await runCli(["config", "show", "shop", "--json"], { cwd: dir.path });
  assert.equal(result.code, 0, result.stderr);
  const shown = JSON.parse(result.stdout);
  assert.deepEqual(shown.tables, { value: ["orders"], from: "dvt.yaml:7:7" });
  assert.deepEqual(shown.table_settings.orders, {
    primary_key: { value: ["order_id"], from: "dvt.yaml:7:30" },
    destination: { value: "sales_orders", from: "dvt.yaml:7:55" },
    cursor: { value: "updated_at", from: "dvt.yaml:8:28" },
  });
  const text = await runCli(["config", "show", "shop"], { cwd: dir.path });
  assert.match(text.stdout, /^tables\.orders\.cursor +updated_at +dvt\.yaml:8:28$/m);
});

Deno.test("bad DVT_ settings and threads: in dvt.yaml are exit 2 naming them", async () => {
  await using dir = await tempDir();
  await writeDemoProject(dir.path);
  const cases: Array<[Record<string, string>, string]> = [
    [{ DVT_THREADS: "0" }, 'error: DVT_THREADS="0" is not a whole number greater than 0'],
    [{ DVT_LOG_LEVEL: "loud" }, 'error: DVT_LOG_LEVEL="loud" is not a log level'],
  ];
  for (const [env, message] of cases) {
    const result = await runCli(["config", "show", "shop"], { cwd: dir.path, env });
    assert.equal(result.code, 2, result.stderr);
    assert.ok(result.stderr.startsWith(message), result.stderr);
  }
  await Deno.writeTextFile(
    join(dir.path, "dvt.yaml"),
    project(true).replace("threads: 3", "threads: many"),
  );
  const result = await runCli(["extract", "shop"], { cwd: dir.path });
  assert.equal(result.code, 2, result.stderr);
  assert.match(
    result.stderr,
    /dvt\.yaml:8:14: sources\.shop\.threads: expected a whole number of tables to read in parallel, found the string "many"/,
  );
});

Deno.test("DVT_OUT_DIR moves the extract, and status and query find it there", async () => {
  await using dir = await tempDir();
  await writeDemoProject(dir.path);
  const env = { DVT_OUT_DIR: "moved" };
  const extract = await runCli(["extract", "shop"], { cwd: dir.path, env });
  assert.equal(extract.code, 0, extract.stderr);
  assert.match(extract.stdout, new RegExp(`^extract: ${join(dir.path, "moved/shop")}$`, "m"));
  await Deno.stat(join(dir.path, "moved/shop/extract.duckdb"));
  await assert.rejects(Deno.stat(join(dir.path, "extracts")));
  const query = await runCli(["query", "shop", "SELECT count(*) AS n FROM orders", "--csv"], {
    cwd: dir.path,
    env,
  });
  assert.equal(query.code, 0, query.stderr);
  assert.equal(query.stdout, "n\n60\n");
});

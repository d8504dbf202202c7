import assert from "node:assert/strict";
import { join } from "node:path";
import { ConfigError } from "../../runtime/errors.ts";
import { findSource, loadProject, parseProject } from "../../runtime/project.ts";
import { parseYamlText } from "../../runtime/util/yaml_file.ts";
import { tempDir } from "../_helpers.ts";

function parse(text: string) {
  return parseProject(parseYamlText(text, "dvt.yaml", ConfigError), "/p/dvt.yaml");
}

function rejects(text: string, pattern: RegExp) {
  assert.throws(() => parse(text), (error: Error) => {
    assert.ok(error instanceof ConfigError, String(error));
    assert.match(error.message, pattern);
    return true;
  });
}

Deno.test("parseProject() reads sources with defaults and keeps sync raw", () => {
  const project = parse(`
sources:
  shop:
    connector: postgres
    config: { host: localhost }
    tables: [orders, customers]
    incremental: { orders: updated_at }
    disposition: { orders: merge }
  raw_files:
    connector: files
    out: out/raw
sync:
  profiles: ./profiles.yml
`);
  assert.deepEqual(Object.keys(project.sources), ["shop", "raw_files"]);
  const shop = project.sources.shop;
  assert.equal(shop.connector, "postgres");
  assert.deepEqual(shop.config, { host: "localhost" });
  assert.deepEqual(shop.tables, ["orders", "customers"]);
  assert.deepEqual(shop.settings, { orders: { cursor: "updated_at", disposition: "merge" } });
  assert.equal(shop.out, "/p/extracts/shop");
  assert.equal(project.sources.raw_files.out, "/p/out/raw");
  assert.deepEqual(project.sync, { profiles: "./profiles.yml" });
});

Deno.test("parseProject() rejects unknown keys with their position and a suggestion", () => {
  rejects(
    "sourcs:\n  a: { connector: files }\n",
    /dvt\.yaml:1:1: sourcs: unknown top-level key "sourcs"/,
  );
  assert.throws(
    () => parse("sources:\n  a:\n    connector: files\n    tabels: [x]\n"),
    (error: ConfigError) => {
      assert.match(error.message, /dvt\.yaml:4:5: .*unknown key "tabels"/);
      assert.match(error.hint!, /did you mean "tables"/);
      return true;
    },
  );
});

Deno.test("parseProject() rejects wrong types, bad names and unknown dispositions", () => {
  rejects("sources:\n  a:\n    connector: 3\n", /dvt\.yaml:3:16: .*expected a connector/);
  rejects("sources:\n  a:\n    connector: files\n    tables: orders\n", /4:13: .*expected a list/);
  rejects("sources:\n  Shop:\n    connector: files\n", /2:3: .*invalid source name "Shop"/);
  rejects(
    "sources:\n  a:\n    connector: files\n    disposition: { t: upsert }\n",
    /4:23: .*unknown disposition "upsert"/,
  );
  rejects("- a\n", /expected a mapping/);
});

Deno.test("findSource() lists the available sources for an unknown name", () => {
  const project = parse("sources:\n  shop: { connector: files }\n  crm: { connector: files }\n");
  assert.throws(() => findSource(project, "shpo"), (error: ConfigError) => {
    assert.match(error.message, /unknown source "shpo"/);
    assert.match(error.hint!, /did you mean "shop"\? valid: shop, crm/);
    return true;
  });
});

Deno.test("loadProject() returns undefined without ./dvt.yaml and reports YAML syntax errors", async () => {
  await using dir = await tempDir();
  assert.equal(await loadProject(undefined, dir.path), undefined);
  await Deno.writeTextFile(join(dir.path, "dvt.yaml"), "sources:\n  a: [\n");
  await assert.rejects(() => loadProject(undefined, dir.path), (error: Error) => {
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /dvt\.yaml:\d+:\d+: invalid YAML/);
    return true;
  });
  await assert.rejects(() => loadProject("missing.yaml", dir.path), /file not found/);
});

Deno.test("parseProject() reads threads: and lets DVT_OUT_DIR move every source's extract", () => {
  const text =
    "sources:\n  shop:\n    connector: files\n    out: here\n    threads: 2\n  crm: { connector: files }\n";
  const plain = parse(text);
  assert.deepEqual([plain.sources.shop.out, plain.sources.shop.outFrom], ["/p/here", "dvt.yaml"]);
  assert.deepEqual([plain.sources.crm.out, plain.sources.crm.outFrom], [
    "/p/extracts/crm",
    "default",
  ]);
  assert.equal(plain.sources.shop.threads, 2);
  const moved = parseProject(parseYamlText(text, "dvt.yaml", ConfigError), "/p/dvt.yaml", {
    outDir: "/elsewhere",
  });
  assert.deepEqual([moved.sources.shop.out, moved.sources.shop.outFrom], [
    "/elsewhere/shop",
    "DVT_OUT_DIR",
  ]);
  assert.equal(moved.sources.crm.out, "/elsewhere/crm");
  rejects(text.replace("threads: 2", "threads: 0"), /dvt\.yaml:5:14: .*expected a whole number/);
});

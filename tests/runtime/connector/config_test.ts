import assert from "node:assert/strict";
import { buildConnectorConfig, checkRequiredEnv } from "../../../runtime/connector/config.ts";
import { ConfigError } from "../../../runtime/errors.ts";
import { parseManifest } from "../../../runtime/connector/manifest_text.ts";
import { parseYamlText } from "../../../runtime/util/yaml_file.ts";
import { tempDir } from "../../_helpers.ts";

const MANIFEST = parseManifest(
  `name: shop
version: 1.0.0
entrypoint: ./connector.ts
capabilities: [read]
auth:
  type: token
  env_vars:
    - { name: SHOP_TOKEN, description: API token }
    - { name: SHOP_SECRET, description: signing secret }
    - { name: SHOP_REGION, required: false }
config:
  url: { type: string, format: uri, required: true, description: API base URL }
  limit: { type: integer, default: 10 }
  mode: { type: string, enum: [full, delta], default: full }
  paths: { type: array, items: { type: string } }
  verbose: { type: boolean }
  options: { type: object }
`,
  "connector.yaml",
);

const PROJECT = `sources:
  shop:
    connector: ./connectors/shop
    config:
      url: https://shop.example.com
      limit: 20
`;

function project(text = PROJECT) {
  const file = parseYamlText(text, "dvt.yaml", ConfigError);
  const values = (file.value as { sources: { shop: { config: Record<string, unknown> } } })
    .sources.shop.config;
  return { values, file, path: ["sources", "shop", "config"] };
}

async function configError(
  sources: Parameters<typeof buildConnectorConfig>[1],
  pattern: RegExp,
): Promise<void> {
  await assert.rejects(buildConnectorConfig(MANIFEST, sources), (error: unknown) => {
    assert.ok(error instanceof ConfigError, String(error));
    assert.match(error.message, pattern);
    return true;
  });
}

Deno.test("buildConnectorConfig() layers --set over --config over dvt.yaml over defaults", async () => {
  await using dir = await tempDir();
  const configFile = `${dir.path}/shop.yaml`;
  await Deno.writeTextFile(configFile, "limit: 30\nmode: delta\n");
  const config = await buildConnectorConfig(MANIFEST, {
    project: project(),
    configFile,
    sets: ["limit=40", "paths=a.csv, b.csv", "verbose=yes", "options.retries.max=3"],
  });
  assert.deepEqual(config, {
    url: "https://shop.example.com",
    limit: 40,
    mode: "delta",
    paths: ["a.csv", "b.csv"],
    verbose: true,
    options: { retries: { max: 3 } },
  });
});

Deno.test("buildConnectorConfig() locates an unknown dvt.yaml key and suggests the right one", async () => {
  await configError(
    { project: project(PROJECT + "      limt: 5\n") },
    /^dvt\.yaml:7:7: sources\.shop\.config\.limt: unknown config key "limt"/,
  );
  await assert.rejects(
    buildConnectorConfig(MANIFEST, { project: project(), sets: ["mdoe=full"] }),
    (error: ConfigError) =>
      /--set mdoe: unknown config key/.test(error.message) &&
      /did you mean "mode"/.test(error.hint ?? ""),
  );
});

Deno.test("buildConnectorConfig() reports wrong types at the value's line in the --config file", async () => {
  await using dir = await tempDir();
  const configFile = `${dir.path}/bad.json`;
  await Deno.writeTextFile(
    configFile,
    '{\n  "url": "https://x.example.com",\n  "limit": "many"\n}\n',
  );
  await configError(
    { configFile },
    new RegExp(
      `^${configFile}:3:12: limit: expected an integer for limit, found the string "many"`,
    ),
  );
  await configError(
    { sets: ["url=https://x.example.com", "limit=ten"] },
    /^--set limit: expected an integer, found "ten"/,
  );
});

Deno.test("buildConnectorConfig() rejects values outside the enum and bad formats", async () => {
  await configError(
    { project: project(PROJECT + "      mode: both\n") },
    /dvt\.yaml:7:13: sources\.shop\.config\.mode: the string "both" is not an allowed value of mode/,
  );
  await configError({ sets: ["url=not a url"] }, /--set url: expected url in uri format/);
});

Deno.test("buildConnectorConfig() lists missing required keys with descriptions", async () => {
  await configError(
    { sets: ["limit=1"] },
    /missing required config for connector shop: url \(API base URL\)/,
  );
});

Deno.test("checkRequiredEnv() lists every missing required env var with its description", () => {
  assert.throws(() => checkRequiredEnv(MANIFEST, () => undefined), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /SHOP_TOKEN — API token\n\s+SHOP_SECRET — signing secret$/);
    assert.doesNotMatch(error.message, /SHOP_REGION/);
    return true;
  });
  checkRequiredEnv(MANIFEST, (name) => `value-of-${name}`);
});

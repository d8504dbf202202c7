import assert from "node:assert/strict";
import { ConfigError, InputError } from "../../../runtime/errors.ts";
import { parseYamlText, readYamlFile } from "../../../runtime/util/yaml_file.ts";
import { tempDir } from "../../_helpers.ts";

const TEXT = "sources:\n  shop:\n    connector: postgres\n    tables: [orders, customers]\n";

Deno.test("parseYamlText() locates values and keys by path", () => {
  const file = parseYamlText(TEXT, "dvt.yaml");
  assert.deepEqual(file.locate(["sources", "shop", "connector"]), {
    file: "dvt.yaml",
    line: 3,
    column: 16,
    field: "sources.shop.connector",
  });
  assert.deepEqual(file.locateKey(["sources", "shop", "connector"]).column, 5);
  assert.deepEqual(file.locate(["sources", "shop", "tables", 1]).column, 22);
  assert.equal(file.locate(["sources", "shop", "tables", 1]).field, "sources.shop.tables[1]");
});

Deno.test("parseYamlText() falls back to the nearest existing ancestor", () => {
  const file = parseYamlText(TEXT, "dvt.yaml");
  const location = file.locate(["sources", "shop", "missing"]);
  assert.equal(location.line, 3);
  assert.equal(location.field, "sources.shop.missing");
});

Deno.test("parseYamlText() reports syntax errors with line and column", () => {
  assert.throws(
    () => parseYamlText("a: 1\nb: [1, 2\nc: 3\n", "bad.yaml", ConfigError),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /^bad\.yaml:\d+:\d+: invalid YAML/);
      return true;
    },
  );
});

Deno.test("parseYamlText() rejects duplicate keys", () => {
  assert.throws(() => parseYamlText("a: 1\na: 2\n", "dup.yaml"), /dup\.yaml:2:1: invalid YAML/);
});

Deno.test("readYamlFile() says which file is missing", async () => {
  await using dir = await tempDir();
  await assert.rejects(readYamlFile(`${dir.path}/nope.yaml`), (error: unknown) => {
    assert.ok(error instanceof InputError);
    assert.match(error.message, /file not found: .*nope\.yaml/);
    return true;
  });
});

import assert from "node:assert/strict";
import { ConfigError } from "../../../runtime/errors.ts";
import {
  dispositionOfScdType,
  parseTableSettings,
} from "../../../runtime/project/table_settings.ts";
import { parseYamlText } from "../../../runtime/util/yaml_file.ts";

/** Parses `yaml` as one source's keys (indented under `sources.shop`, as in dvt.yaml). */
function parse(yaml: string) {
  const text = `sources:\n  shop:\n${yaml.replace(/^/gm, "    ")}\n`;
  const file = parseYamlText(text, "dvt.yaml", ConfigError);
  const source = (file.value as { sources: { shop: Record<string, unknown> } }).sources.shop;
  return parseTableSettings(file, ["sources", "shop"], source);
}

function rejects(yaml: string, message: string, hint?: RegExp) {
  assert.throws(() => parse(yaml), (error: Error) => {
    assert.ok(error instanceof ConfigError, String(error));
    assert.equal(error.message, message);
    if (hint) assert.match(error.hint ?? "", hint);
    return true;
  });
}

Deno.test("parseTableSettings() reads a map of table -> settings", () => {
  const parsed = parse(`tables:
  orders:
    destination: sales_orders
    primary_key: [id, region]
    cursor: updated_at
    scd_type: 2
    deletes: detect
    deleted_flag: is_deleted
  customers: {}
  products:`);
  assert.deepEqual(parsed.tables, ["orders", "customers", "products"]);
  assert.deepEqual(parsed.settings, {
    orders: {
      destination: "sales_orders",
      primaryKey: ["id", "region"],
      cursor: "updated_at",
      disposition: "history",
      deletes: "detect",
      deletedFlag: "is_deleted",
    },
    customers: {},
    products: {},
  });
  assert.deepEqual(parsed.paths.orders.disposition, [
    "sources",
    "shop",
    "tables",
    "orders",
    "scd_type",
  ]);
});

Deno.test("parseTableSettings() keeps the list form and the incremental/disposition maps", () => {
  const parsed = parse(`tables: [orders, customers]
incremental: { orders: updated_at }
disposition: { orders: merge, returns: append }`);
  assert.deepEqual(parsed.tables, ["orders", "customers"]);
  assert.deepEqual(parsed.settings, {
    orders: { cursor: "updated_at", disposition: "merge" },
    returns: { disposition: "append" },
  });
  assert.deepEqual(parsed.paths.orders.cursor, ["sources", "shop", "incremental", "orders"]);
  const none = parse("connector: files");
  assert.equal(none.tables, undefined);
  assert.deepEqual(none.settings, {});
});

Deno.test("dispositionOfScdType() accepts every spelling, in any case", () => {
  const cases: Array<[unknown, string | undefined]> = [
    [1, "merge"],
    ["1", "merge"],
    ["SCD_TYPE_1", "merge"],
    ["merge", "merge"],
    [2, "history"],
    ["scd_type_2", "history"],
    ["History", "history"],
    ["APPEND_ONLY", "append"],
    ["append_only", "append"],
    [3, undefined],
    ["SCD_TYPE_3", undefined],
    [true, undefined],
    ["toString", undefined],
  ];
  for (const [value, expected] of cases) {
    assert.equal(dispositionOfScdType(value), expected, String(value));
  }
  assert.equal(parse("tables: { t: { scd_type: APPEND_ONLY } }").settings.t.disposition, "append");
});

Deno.test("parseTableSettings() accepts a single-column primary_key written as a string", () => {
  assert.deepEqual(parse("tables: { t: { primary_key: id } }").settings.t.primaryKey, ["id"]);
});

Deno.test("parseTableSettings() names file:line:column of each mistake", () => {
  rejects(
    "tables:\n  orders: { primary_keys: [id] }",
    'dvt.yaml:4:17: sources.shop.tables.orders.primary_keys: unknown key "primary_keys"',
    /did you mean "primary_key"\?/,
  );
  rejects(
    "tables:\n  orders: { scd_type: 3 }",
    "dvt.yaml:4:27: sources.shop.tables.orders.scd_type: unknown scd_type the integer 3",
    /valid: 1, SCD_TYPE_1, merge, 2, SCD_TYPE_2, history, append_only/,
  );
  rejects(
    "tables:\n  orders: { primary_key: [] }",
    "dvt.yaml:4:30: sources.shop.tables.orders.primary_key: expected a list of column names, found a list ([])",
  );
  rejects(
    "tables:\n  orders: { primary_key: [id, 3] }",
    "dvt.yaml:4:35: sources.shop.tables.orders.primary_key[1]: expected a column name, found the integer 3",
  );
  rejects(
    "tables:\n  orders: { primary_key: [id, id] }",
    'dvt.yaml:4:30: sources.shop.tables.orders.primary_key: column "id" is listed twice',
  );
  rejects(
    "tables:\n  orders: { cursor: [a] }",
    'dvt.yaml:4:25: sources.shop.tables.orders.cursor: expected a column name, found a list (["a"])',
  );
  rejects(
    "tables:\n  orders: { deletes: soft }",
    'dvt.yaml:4:26: sources.shop.tables.orders.deletes: unknown deletes the string "soft"',
    /valid: detect/,
  );
  rejects(
    "tables:\n  orders: { scd_type: 1, disposition: append }",
    "dvt.yaml:4:43: sources.shop.tables.orders.disposition: give either scd_type or disposition, not both",
  );
  rejects(
    "tables:\n  orders: { disposition: upsert }",
    'dvt.yaml:4:30: sources.shop.tables.orders.disposition: unknown disposition "upsert"',
  );
  rejects(
    "tables:\n  orders: merge",
    'dvt.yaml:4:15: sources.shop.tables.orders: expected the table\'s settings { destination, primary_key, cursor, scd_type, ... } or {}, found the string "merge"',
  );
  rejects(
    "tables: orders",
    'dvt.yaml:3:13: sources.shop.tables: expected a list of table names or a mapping of table -> settings, found the string "orders"',
  );
  rejects(
    "tables: [orders, 7]",
    "dvt.yaml:3:22: sources.shop.tables[1]: expected a table name, found the integer 7",
  );
});

Deno.test("parseTableSettings() refuses a setting written twice with different values", () => {
  rejects(
    "tables:\n  orders: { cursor: updated_at }\nincremental: { orders: created_at }",
    'dvt.yaml:5:28: sources.shop.incremental.orders: table "orders" has cursor "created_at" here and "updated_at" at line 4',
    /set it once, under tables\.orders/,
  );
  // The same value in both places is redundant, not contradictory.
  assert.deepEqual(
    parse("tables:\n  orders: { cursor: updated_at }\nincremental: { orders: updated_at }")
      .settings.orders,
    { cursor: "updated_at" },
  );
});

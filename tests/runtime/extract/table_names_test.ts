import assert from "node:assert/strict";
import { InputError } from "../../../runtime/errors.ts";
import { tableNames } from "../../../runtime/extract/table_names.ts";

const base = { discovered: [], selected: [], published: new Map<string, string>(), settings: {} };

Deno.test("tableNames() gives destinations their normalised name and keeps the rest", () => {
  const names = tableNames({
    ...base,
    discovered: ["orders", "Customers", "sales_orders"],
    selected: ["orders", "Customers"],
    published: new Map([["Customers", "customers"]]),
    settings: { orders: { destination: "../Sales Orders" } },
  });
  assert.equal(names.get("orders"), "sales_orders");
  assert.equal(names.get("Customers"), "customers");
  // A discovered table that is not extracted steps aside instead of taking the destination.
  assert.equal(names.get("sales_orders"), "sales_orders_2");
});

Deno.test("tableNames() frees a renamed table's old name", () => {
  const names = tableNames({
    ...base,
    discovered: ["orders", "Orders"],
    selected: ["orders", "Orders"],
    published: new Map([["orders", "orders"], ["Orders", "orders_2"]]),
    settings: { orders: { destination: "facts" } },
  });
  assert.equal(names.get("orders"), "facts");
  assert.equal(names.get("Orders"), "orders_2");
});

Deno.test("tableNames() refuses two tables on one name", () => {
  const where = { file: "dvt.yaml", line: 7, column: 3 };
  const cases: Array<[Parameters<typeof tableNames>[0], RegExp]> = [
    [
      { ...base, settings: { a: { destination: "x" }, b: { destination: "X" } } },
      /tables "a" and "b" both have the destination "x"$/,
    ],
    [
      { ...base, selected: ["a", "x"], settings: { a: { destination: "x" } } },
      /the destination "x" of table "a" is the name of table "x"$/,
    ],
    [
      // A table kept from earlier runs holds its name even when this run does not extract it.
      { ...base, published: new Map([["X Y", "x_y"]]), settings: { a: { destination: "x_y" } } },
      /the destination "x_y" of table "a" is the name of table "X Y"$/,
    ],
  ];
  for (const [input, message] of cases) {
    assert.throws(
      () => tableNames({ ...input, destinationAt: () => where }),
      (error: InputError) => {
        assert.ok(error instanceof InputError);
        assert.match(error.message, message);
        assert.deepEqual(error.location, where);
        return true;
      },
    );
  }
});

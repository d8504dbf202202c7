/**
 * Unity Catalog discovery over many schemas: every schema's tables are listed (page by page),
 * in schema order, with several listings in flight at once but never more than the bound.
 */
import assert from "node:assert/strict";
import { createConnectorContext } from "../../../runtime/connector/context.ts";
import databricks from "../../../connectors/databricks/connector.ts";
import { type FakeTable, startDatabricksServer } from "../../servers/databricks_server.ts";

const TOKEN = "dapi0123456789abcdef0123456789abcd";
const WAREHOUSE = "abcdef1234567890";

function table(schema: string, name: string): FakeTable {
  return {
    catalog: "main",
    schema,
    name,
    columns: [{ name: "id", type: "long", nullable: false }],
    rows: [["1"]],
  };
}

Deno.test("databricks discovers 20 schemas' tables in schema order, at most 8 listings at once", async () => {
  const schemas = Array.from({ length: 20 }, (_, i) => `s${String(i).padStart(2, "0")}`);
  // Three tables per schema and pages of two: every listing takes two pages.
  const tables = schemas.flatMap((schema) => ["a", "b", "c"].map((name) => table(schema, name)));
  await using server = await startDatabricksServer({
    token: TOKEN,
    warehouseId: WAREHOUSE,
    tables,
    pageSize: 2,
  });
  let inFlight = 0;
  let mostInFlight = 0;
  const context = createConnectorContext({
    connector: "databricks",
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    readEnv: (name) => name === "DATABRICKS_TOKEN" ? TOKEN : undefined,
  });
  // Each listing request is held a little, so concurrent listings overlap and are counted.
  const ctx = {
    ...context,
    fetch: async (input: string | URL | Request, init?: RequestInit) => {
      const listing = String(input instanceof Request ? input.url : input).includes("/tables?");
      if (!listing) return await context.fetch(input, init);
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return await context.fetch(input, init);
      } finally {
        inFlight--;
      }
    },
  };
  const connector = await databricks(ctx, {
    workspace_url: server.url,
    warehouse_id: WAREHOUSE,
    catalog: "main",
  });
  const names = (await connector.discover!()).map((info) => info.name);
  await connector.close?.();
  assert.deepEqual(
    names,
    schemas.flatMap((schema) => ["a", "b", "c"].map((name) => `main.${schema}.${name}`)),
  );
  const listings = server.requests.filter((r) =>
    r.path.startsWith("/api/2.1/unity-catalog/tables?")
  );
  assert.equal(listings.length, 40, "two pages for each of the 20 schemas");
  assert.ok(mostInFlight > 1, `listings ran one at a time (${mostInFlight})`);
  assert.ok(mostInFlight <= 8, `${mostInFlight} listings were in flight at once`);
});

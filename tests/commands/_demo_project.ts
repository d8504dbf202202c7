/**
 * A project of the user's own for command tests: the demo's data copied into a temp directory
 * with a dvt.yaml of two sources, `shop` (orders, incremental on updated_at) and `crm`
 * (customers, products), so queries can join across sources.
 *
 * @module
 */
import { join } from "node:path";
import { REPO_ROOT } from "../_helpers.ts";

/** dvt.yaml of the demo project; line numbers are asserted by tests. */
export const DEMO_PROJECT = `sources:
  shop:
    connector: files
    config:
      tables: { orders: data/orders.csv }
    incremental: { orders: updated_at }
  crm:
    connector: files
    config:
      paths: [data/customers.csv, data/products.ndjson]
`;

/** Copies the demo data into `dir` and writes `yaml` as its dvt.yaml. */
export async function writeDemoProject(dir: string, yaml = DEMO_PROJECT): Promise<void> {
  await Deno.mkdir(join(dir, "data"), { recursive: true });
  for (const name of ["orders.csv", "customers.csv", "products.ndjson"]) {
    await Deno.copyFile(join(REPO_ROOT, "demo/data", name), join(dir, "data", name));
  }
  await Deno.writeTextFile(join(dir, "dvt.yaml"), yaml);
}

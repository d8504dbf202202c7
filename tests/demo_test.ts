import assert from "node:assert/strict";
import { join } from "node:path";
import { queryDuckDB, REPO_ROOT, tempDir } from "./_helpers.ts";

async function runDemo(cwd: string): Promise<{ code: number; stdout: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-worker-options", join(REPO_ROOT, "demo/run.ts")],
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: output.code, stdout: new TextDecoder().decode(output.stdout) };
}

Deno.test("demo/run.ts extracts the sample shop, queries it, and re-runs incrementally", async () => {
  await using dir = await tempDir();
  const first = await runDemo(dir.path);
  assert.equal(first.code, 0, first.stdout);
  assert.match(first.stdout, /shop: 3 tables extracted, 0 failed, 78 rows/);
  assert.match(first.stdout, /revenue by customer/);
  const db = join(dir.path, "demo-extract/extract.duckdb");
  const counts = await queryDuckDB(
    db,
    "SELECT (SELECT count(*) FROM customers) c, (SELECT count(*) FROM orders) o, (SELECT count(*) FROM products) p",
  );
  assert.deepEqual(counts, [{ c: 12n, o: 60n, p: 6n }]);
  const top = await queryDuckDB(
    db,
    `SELECT c.name, round(sum(o.quantity * p.unit_price), 2) AS revenue FROM orders o
     JOIN customers c USING (customer_id) JOIN products p USING (sku)
     WHERE o.status <> 'refunded' GROUP BY ALL ORDER BY revenue DESC LIMIT 1`,
  );
  assert.ok(first.stdout.includes(String(top[0].name)), "the printed query matches the data");
  const second = await runDemo(dir.path);
  assert.equal(second.code, 0);
  assert.match(second.stdout, /orders\s+extracted\s+0/);
  const after = await queryDuckDB(db, "SELECT count(*) n FROM orders");
  assert.equal(after[0].n, 60n);
});

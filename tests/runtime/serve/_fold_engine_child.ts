/**
 * Child of fold_engine_test.ts, run with a low descriptor limit: uses up its descriptors, then
 * builds a catalog through a fold engine opened before (fails: no descriptor for the file), frees
 * some and builds again (works). Prints one line per step. Starting a new DuckDB instance at the
 * exhausted point instead aborts the process (a DuckDB internal error), which is why the fold
 * thread keeps its engine through failed folds.
 */
import { CatalogBuild } from "../../../runtime/extract/catalog.ts";
import { openFoldEngine } from "../../../runtime/serve/fold_engine.ts";

const dir = await Deno.makeTempDir();
const engine = await openFoldEngine();
async function build(name: string): Promise<void> {
  const catalog = await CatalogBuild.open(`${dir}/${name}.duckdb`, engine);
  await catalog.finish(dir, name, [], [], "x");
}
// Once before, so that nothing is left to load lazily when descriptors are gone.
await build("warm");
const held: Deno.FsFile[] = [];
try {
  for (;;) held.push(Deno.openSync("/dev/null"));
} catch {
  console.log("exhausted");
}
await build("a").then(() => console.log("built while exhausted"), () => console.log("failed"));
for (const file of held.splice(0, 50)) file.close();
await build("b");
console.log("built after");
engine.close();
await Deno.remove(dir, { recursive: true });

/**
 * Child script of parquet_wasm_lazy_test.ts: counts WebAssembly compilations while
 * writeParquetFile writes a flat table, then a table with a list-of-lists column, and prints both counts
 * as JSON. Every way of compiling wasm is wrapped before the writer is imported.
 */
import * as arrow from "apache-arrow";

let compiled = 0;
const wasm = WebAssembly as unknown as Record<string, unknown>;
for (const name of ["compile", "instantiate", "compileStreaming", "instantiateStreaming"]) {
  const original = wasm[name] as (...args: unknown[]) => unknown;
  wasm[name] = (...args: unknown[]) => {
    compiled++;
    return original.apply(WebAssembly, args);
  };
}
const OriginalModule = WebAssembly.Module;
wasm.Module = new Proxy(OriginalModule, {
  construct(target, args) {
    compiled++;
    return Reflect.construct(target, args);
  },
});

const { writeParquetFile } = await import("../../../runtime/parquet/parquet_writer.ts");
const dir = Deno.args[0];
// Plain Utf8, not tableFromArrays' dictionary-encoded strings (dictionaries go to parquet-wasm).
const flat = new arrow.Table({
  id: arrow.vectorFromArray([1, 2, 3], new arrow.Int32()),
  name: arrow.vectorFromArray(["a", "b", "c"], new arrow.Utf8()),
});
await writeParquetFile(`${dir}/flat.parquet`, flat.batches, { table: "flat" });
const afterFlat = compiled;
// A list of lists: the direct writer stores lists of flat types only.
const inner = new arrow.List(new arrow.Field("item", new arrow.Int32(), true));
const listType = new arrow.List(new arrow.Field("item", inner, true));
const builder = arrow.makeBuilder({ type: listType, nullValues: [null] });
builder.append([[1, 2], [3]] as never);
builder.append(null);
const lists = builder.finish().toVector();
const nested = new arrow.Table({ tags: lists });
await writeParquetFile(`${dir}/nested.parquet`, nested.batches, { table: "nested" });
console.log(JSON.stringify({ afterFlat, afterNested: compiled }));

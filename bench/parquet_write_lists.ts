/**
 * The direct Parquet writer against parquet-wasm on list columns alone (list<utf8> with null
 * lists, empty lists and lists of 0-3 strings; list<int64> with null elements), in one process,
 * alternating, CPU = user + system of the process while each writes the same batches.
 *
 * Usage: DVT_PARQUET_WORKER=0 deno run -A bench/parquet_write_lists.ts [rows, default 1000000]
 *
 * @module
 */
import * as arrow from "apache-arrow";
import { writeParquetFile } from "../runtime/parquet/parquet_writer.ts";
const rows = Number(Deno.args[0] ?? 500000);
const listOf = (t: arrow.DataType) => new arrow.List(new arrow.Field("item", t, true));
const schema = new arrow.Schema([
  new arrow.Field("id", new arrow.Int64(), false),
  new arrow.Field("labels", listOf(new arrow.Utf8()), true),
  new arrow.Field("nums", listOf(new arrow.Int64()), true),
]);
const build = (t: arrow.DataType, f: (i: number) => unknown, from: number, to: number) => {
  const b = arrow.makeBuilder({ type: t, nullValues: [null] });
  for (let i = from; i < to; i++) b.append(f(i) as never);
  return b.finish().flush();
};
const batches: arrow.RecordBatch[] = [];
for (let from = 0; from < rows; from += 50000) {
  const to = Math.min(rows, from + 50000);
  const children = [
    build(new arrow.Int64(), (i) => BigInt(i), from, to),
    build(
      schema.fields[1].type,
      (i) => i % 13 === 5 ? null : Array.from({ length: i % 4 }, (_, k) => `label-${k}-${i % 100}`),
      from,
      to,
    ),
    build(schema.fields[2].type, (i) => i % 7 === 0 ? [] : [BigInt(i), null, BigInt(-i)], from, to),
  ];
  batches.push(
    new arrow.RecordBatch(
      schema,
      arrow.makeData({
        type: new arrow.Struct(schema.fields),
        length: to - from,
        nullCount: 0,
        children,
      }),
    ),
  );
}
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
for (let round = 0; round < 2; round++) {
  for (const encoder of ["parquet-wasm", "auto"] as const) {
    const path = await Deno.makeTempFile({ suffix: ".parquet" });
    const c0 = cpu();
    await writeParquetFile(path, batches, { table: "t", schema, encoder });
    const size = (await Deno.stat(path)).size;
    console.log(
      JSON.stringify({
        rows,
        encoder: encoder === "auto" ? "direct" : encoder,
        cpuS: +(cpu() - c0).toFixed(2),
        bytes: size,
      }),
    );
    await Deno.remove(path);
  }
}

/**
 * Benchmark of the Parquet writers on the postgres bench's 6-column schema (bigint,
 * numeric(12,2) as decimal128, text, timestamptz as timestamp[us, UTC], boolean, date32) with
 * the same generated values as table `b`: the parquet-wasm encoder (Arrow IPC into wasm) and
 * the direct writer, in this process, alternating, each keeping its lowest CPU of `--repeat`
 * runs. CPU is the process's user + system time (process.cpuUsage), which load moves least.
 * Batches of 50,000 rows (the runtime's default) are generated once, at most 2M rows, and
 * yielded in a cycle for larger `--rows`. Prints one JSON line per writer and one with the ratio.
 *
 * Usage: deno run -A bench/parquet_write.ts [--rows 10000000] [--repeat 3]
 *
 * @module
 */
import * as arrow from "apache-arrow";
import process from "node:process";
import { writeParquetFile } from "../runtime/parquet/parquet_writer.ts";

function flag(name: string, fallback: string): string {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 && Deno.args[index + 1] ? Deno.args[index + 1] : fallback;
}

const BENCH = "parquet_write";
const rows = Number(flag("rows", "10000000"));
const repeat = Number(flag("repeat", "3"));
const BATCH_ROWS = 50_000;
const POOL_ROWS = Math.min(rows, 2_000_000);

const schema = new arrow.Schema([
  new arrow.Field("id", new arrow.Int64(), false),
  new arrow.Field("amount", new arrow.Decimal(2, 12, 128), true),
  new arrow.Field("name", new arrow.Utf8(), true),
  new arrow.Field("ts", new arrow.TimestampMicrosecond("UTC"), true),
  new arrow.Field("flag", new arrow.Bool(), true),
  new arrow.Field("d", new arrow.DateDay(), true),
]);

/** Rows g = from+1 .. from+n as `b` holds them (bench/postgres.ts generates the table). */
function makeBatch(from: number, n: number): arrow.RecordBatch {
  const ids = new BigInt64Array(n);
  const amounts = new Uint32Array(n * 4);
  const offsets = new Int32Array(n + 1);
  const names: Uint8Array[] = [];
  const ts = new BigInt64Array(n);
  const flags = new Uint8Array(Math.ceil(n / 8));
  const days = new Int32Array(n);
  const encoder = new TextEncoder();
  let length = 0;
  for (let i = 0; i < n; i++) {
    const g = from + i + 1;
    ids[i] = BigInt(g);
    amounts[i * 4] = (g * 125) % 100_000_000; // (g * 1.25) % 1000000, in cents
    const name = encoder.encode(`name-${g}`);
    names.push(name);
    length += name.length;
    offsets[i + 1] = length;
    ts[i] = BigInt(1_600_000_000 + g) * 1_000_000n + BigInt((g % 1000) * 1000);
    if (g % 2 === 0) flags[i >> 3] |= 1 << (i & 7);
    days[i] = 18_262 + (g % 3000); // 2020-01-01 + g % 3000
  }
  const bytes = new Uint8Array(length);
  names.forEach((name, i) => bytes.set(name, offsets[i]));
  const column = (type: arrow.DataType, fields: Record<string, unknown>) =>
    arrow.makeData({ type, length: n, nullCount: 0, ...fields } as never) as arrow.Data;
  const children = [
    column(schema.fields[0].type, { data: ids }),
    column(schema.fields[1].type, { data: amounts }),
    column(schema.fields[2].type, { valueOffsets: offsets, data: bytes }),
    column(schema.fields[3].type, { data: ts }),
    column(schema.fields[4].type, { data: flags }),
    column(schema.fields[5].type, { data: days }),
  ];
  const data = arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, children });
  return new arrow.RecordBatch(schema, data);
}

const pool: arrow.RecordBatch[] = [];
for (let from = 0; from < POOL_ROWS; from += BATCH_ROWS) {
  pool.push(makeBatch(from, Math.min(BATCH_ROWS, POOL_ROWS - from)));
}

function* batches(): Generator<arrow.RecordBatch> {
  for (let written = 0, k = 0; written < rows; k++) {
    const batch = pool[k % pool.length];
    const n = Math.min(batch.numRows, rows - written);
    yield n === batch.numRows ? batch : batch.slice(0, n);
    written += n;
  }
}

type Writer = "parquet-wasm" | "direct";

async function run(writer: Writer, path: string) {
  const encoder = writer === "direct" ? "auto" : "parquet-wasm";
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = await writeParquetFile(path, batches(), { table: "b", schema, encoder });
  const used = process.cpuUsage(cpu);
  return {
    cpu_s: (used.user + used.system) / 1e6,
    wall_s: (performance.now() - start) / 1000,
    bytes: result.bytes,
  };
}

// The encoder worker would move parquet-wasm's CPU to another thread; measure both in process.
Deno.env.set("DVT_PARQUET_WORKER", "0");
const dir = await Deno.makeTempDir({ prefix: "dvt-parquet-write-" });
try {
  const best: Record<Writer, { cpu_s: number; wall_s: number; bytes: number } | undefined> = {
    "parquet-wasm": undefined,
    direct: undefined,
  };
  for (let round = 0; round < repeat; round++) {
    const order: Writer[] = round % 2 ? ["direct", "parquet-wasm"] : ["parquet-wasm", "direct"];
    for (const writer of order) {
      const figures = await run(writer, `${dir}/${writer}.parquet`);
      console.error(`${writer} round ${round + 1}: ${JSON.stringify(figures)}`);
      if (!best[writer] || figures.cpu_s < best[writer].cpu_s) best[writer] = figures;
    }
  }
  for (const writer of ["parquet-wasm", "direct"] as const) {
    console.log(JSON.stringify({ bench: BENCH, case: writer, rows, ...best[writer] }));
  }
  const ratio = best["parquet-wasm"]!.cpu_s / best.direct!.cpu_s;
  console.log(JSON.stringify({
    bench: BENCH,
    metric: "CPU, parquet-wasm / direct",
    value: Number(ratio.toFixed(2)),
    rows,
  }));
} finally {
  await Deno.remove(dir, { recursive: true });
}

/**
 * Benchmark of the Arrow-batch path: a connector yields generated 3-column batches (int64,
 * float64, utf8) through ConnectorRuntime into zstd Parquet and extract.duckdb. Prints one JSON
 * line on stdout: rows, seconds, rows per second, peak RSS.
 *
 * Usage: deno run -A bench/arrow_batches.ts [--rows 10000000] [--batch 50000] [--out DIR]
 *
 * @module
 */
import * as arrow from "apache-arrow";
import { Cap, type Connector } from "../runtime/protocol.ts";
import { ConnectorRuntime, DEFAULT_BATCH_SIZE } from "../runtime/extract/runtime.ts";

function flag(name: string, fallback: string): string {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 && Deno.args[index + 1] ? Deno.args[index + 1] : fallback;
}

const rows = Number(flag("rows", "10000000"));
const batchSize = Number(flag("batch", String(DEFAULT_BATCH_SIZE)));
const outArg = flag("out", "");

const int64 = new arrow.Int64();
const float64 = new arrow.Float64();
const utf8 = new arrow.Utf8();
const fields = [
  new arrow.Field("id", int64, false),
  new arrow.Field("value", float64, false),
  new arrow.Field("label", utf8, false),
];
const schema = new arrow.Schema(fields);
const encoder = new TextEncoder();

/** Builds one batch directly from typed arrays, as a fast connector would. */
function makeBatch(offset: number, n: number): arrow.RecordBatch {
  const ids = new BigInt64Array(n);
  const values = new Float64Array(n);
  const offsets = new Int32Array(n + 1);
  const bytes = new Uint8Array(n * 24);
  let position = 0;
  for (let i = 0; i < n; i++) {
    const row = offset + i;
    ids[i] = BigInt(row);
    values[i] = row * 0.25;
    position += encoder.encodeInto(`label-${row % 100_000}`, bytes.subarray(position)).written;
    offsets[i + 1] = position;
  }
  const children = [
    arrow.makeData({ type: int64, length: n, data: ids }),
    arrow.makeData({ type: float64, length: n, data: values }),
    arrow.makeData({
      type: utf8,
      length: n,
      valueOffsets: offsets,
      data: bytes.subarray(0, position),
    }),
  ];
  return new arrow.RecordBatch(
    schema,
    arrow.makeData({ type: new arrow.Struct(fields), length: n, nullCount: 0, children }),
  );
}

const connector: Connector = {
  capabilities: Cap.DISCOVER | Cap.READ,
  discover: () => [{ name: "generated", schema, capabilities: Cap.READ }],
  *read(_table, options) {
    for (let offset = 0; offset < rows; offset += options.batchSize) {
      yield makeBatch(offset, Math.min(options.batchSize, rows - offset));
    }
  },
};

/** Peak resident set size: the kernel's high-water mark on Linux, sampled elsewhere. */
async function peakRssBytes(sampled: number): Promise<number> {
  try {
    const status = await Deno.readTextFile("/proc/self/status");
    const match = status.match(/VmHWM:\s+(\d+) kB/);
    if (match) return Number(match[1]) * 1024;
  } catch { /* not Linux */ }
  return sampled;
}

const out = outArg || await Deno.makeTempDir({ prefix: "dvt-bench-" });
let sampled = 0;
const sampler = setInterval(() => sampled = Math.max(sampled, Deno.memoryUsage().rss), 50);
try {
  const started = performance.now();
  const result = await new ConnectorRuntime(out).run(connector, { batchSize });
  const seconds = (performance.now() - started) / 1000;
  if (result.tablesFailed) throw new Error(result.errors.map((e) => e.message).join("; "));
  console.log(JSON.stringify({
    bench: "arrow_batches",
    rows: result.totalRows,
    batchSize,
    seconds: Number(seconds.toFixed(3)),
    rowsPerSecond: Math.round(result.totalRows / seconds),
    parquetBytes: result.tables[0].sizeBytes,
    peakRssBytes: await peakRssBytes(sampled),
  }));
} finally {
  clearInterval(sampler);
  if (!outArg) await Deno.remove(out, { recursive: true });
}

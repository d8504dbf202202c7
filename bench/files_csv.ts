/**
 * Benchmark of `dvt extract --connector files` on a generated CSV (ints, floats, strings,
 * timestamps; 10M rows is about 1.2 GB, cached under bench/out/) against DuckDB's own
 * `COPY (SELECT * FROM read_csv(...)) TO ... (FORMAT parquet, COMPRESSION zstd)`, each in a child
 * process on the same machine in the same run. Prints JSON lines: one per measured run (wall
 * time, rows/s, peak RSS from /proc/<pid>/status VmHWM) and the throughput ratio.
 *
 * Usage: deno run -A bench/files_csv.ts [--rows 10000000] [--repeat 2] [--portable] [--rss-rows N]
 *   --repeat N   runs of each (alternating), best kept: the machine may be shared
 *   --portable   also measure the Arrow-batch path (DVT_NATIVE_SCAN=0)
 *   --rss-rows N also measure dvt's peak RSS at N rows (default 1,000,000 when rows > N)
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const OUT = join(ROOT, "bench/out");

function flag(name: string, fallback: string): string {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 && Deno.args[index + 1] ? Deno.args[index + 1] : fallback;
}

/** Writes the CSV in 100k-row chunks unless a complete copy is cached. */
async function generateCsv(rows: number): Promise<string> {
  const path = join(OUT, `orders_${rows}.csv`);
  if (await Deno.stat(path).then(() => true, () => false)) return path;
  await Deno.mkdir(OUT, { recursive: true });
  const temp = `${path}.tmp`;
  const file = await Deno.open(temp, { write: true, create: true, truncate: true });
  const encoder = new TextEncoder();
  const categories = ["books", "garden", "toys", "music", "tools", "food", "sports"];
  const start = Date.UTC(2025, 0, 1);
  try {
    await file.write(
      encoder.encode("id,customer_id,amount,discount,category,note,created_at,updated_at\n"),
    );
    for (let offset = 0; offset < rows; offset += 100_000) {
      const lines: string[] = [];
      for (let i = offset; i < Math.min(rows, offset + 100_000); i++) {
        const created = new Date(start + i * 1_000).toISOString().slice(0, 19).replace("T", " ");
        const updated = new Date(start + i * 1_000 + (i % 977) * 60_000).toISOString()
          .slice(0, 19).replace("T", " ");
        lines.push(
          `${i},${(i * 7919) % 100_000},${((i * 31) % 100_000) / 100},${(i % 50) / 100},${
            categories[i % 7]
          },order number ${i} for customer ${(i * 7919) % 100_000},${created},${updated}\n`,
        );
      }
      await file.write(encoder.encode(lines.join("")));
    }
  } finally {
    file.close();
  }
  await Deno.rename(temp, path);
  return path;
}

interface Measured {
  seconds: number;
  peakRssBytes: number;
  code: number;
  stdout: string;
  stderr: string;
}

async function vmHwm(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`).catch(() => "");
  const kib = status.match(/VmHWM:\s+(\d+) kB/)?.[1];
  return kib ? Number(kib) * 1024 : 0;
}

/** Runs a child process, polling its peak RSS (VmHWM) until it exits. */
async function measure(args: string[], env: Record<string, string> = {}): Promise<Measured> {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args,
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let peak = 0;
  const poll = setInterval(async () => peak = Math.max(peak, await vmHwm(child.pid)), 20);
  const output = await child.output();
  clearInterval(poll);
  const decoder = new TextDecoder();
  return {
    seconds: (performance.now() - started) / 1000,
    peakRssBytes: peak,
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

async function dvtExtract(csv: string, out: string, native: boolean): Promise<Measured> {
  const result = await measure(
    [
      "run",
      "-A",
      "--unstable-worker-options",
      join(ROOT, "cli.ts"),
      "extract",
      "--connector",
      "files",
      "--set",
      `paths=${csv}`,
      "--out",
      out,
      "--full-refresh",
      "--json",
    ],
    { DVT_NATIVE_SCAN: native ? "1" : "0", NO_COLOR: "1" },
  );
  if (result.code !== 0) throw new Error(`dvt extract failed: ${result.stderr}`);
  return result;
}

async function duckdbCopy(csv: string, target: string): Promise<Measured> {
  const script = `
    import { DuckDBInstance } from "@duckdb/node-api";
    const db = await DuckDBInstance.create(":memory:");
    const c = await db.connect();
    await c.run("COPY (SELECT * FROM read_csv('${csv}')) TO '${target}' (FORMAT parquet, COMPRESSION zstd)");
    c.closeSync(); db.closeSync();`;
  // Outside the repository, so fmt/lint never see it; deno.json gives it the import map.
  const path = await Deno.makeTempFile({ prefix: "dvt-bench-copy-", suffix: ".ts" });
  await Deno.writeTextFile(path, script);
  const result = await measure(["run", "-A", "--config", join(ROOT, "deno.json"), path])
    .finally(() => Deno.remove(path));
  if (result.code !== 0) throw new Error(`DuckDB COPY failed: ${result.stderr}`);
  return result;
}

function emit(record: Record<string, unknown>): void {
  console.log(JSON.stringify({ bench: "files_csv", ...record }));
}

function report(path: string, rows: number, m: Measured): number {
  const rowsPerSecond = Math.round(rows / m.seconds);
  emit({
    path,
    rows,
    seconds: Number(m.seconds.toFixed(2)),
    rowsPerSecond,
    peakRssMiB: Math.round(m.peakRssBytes / 1048576),
  });
  return rowsPerSecond;
}

const rows = Number(flag("rows", "10000000"));
const rssRows = Number(flag("rss-rows", "1000000"));
const csv = await generateCsv(rows);
const out = join(OUT, `extract_${rows}`);
const csvBytes = (await Deno.stat(csv)).size;
emit({ event: "input", rows, csvBytes });

// The machine is shared: alternate the two and keep each one's best run (--repeat N).
const repeat = Number(flag("repeat", "2"));
let bestCopy: Measured | undefined;
let bestDvt: Measured | undefined;
for (let round = 0; round < repeat; round++) {
  const copy = await duckdbCopy(csv, join(OUT, "duckdb.parquet"));
  const run = await dvtExtract(csv, out, true);
  if (!bestCopy || copy.seconds < bestCopy.seconds) bestCopy = copy;
  if (!bestDvt || run.seconds < bestDvt.seconds) bestDvt = run;
}
const baseline = report("duckdb_copy", rows, bestCopy!);
const nativeRun = bestDvt!;
const dvt = report("dvt_files", rows, nativeRun);
emit({
  metric: "throughput_vs_duckdb_copy",
  value: Number((dvt / baseline).toFixed(3)),
  target: ">= 0.8",
  met: dvt / baseline >= 0.8,
});
const rssLimit = 512 * 1048576;
emit({
  metric: `peak_rss_mib_${rows}`,
  value: Math.round(nativeRun.peakRssBytes / 1048576),
  target: "< 512",
  met: nativeRun.peakRssBytes < rssLimit,
});
if (rows > rssRows) {
  const small = await generateCsv(rssRows);
  const smallRun = await dvtExtract(small, join(OUT, `extract_${rssRows}`), true);
  report("dvt_files", rssRows, smallRun);
  emit({
    metric: `peak_rss_mib_${rssRows}`,
    value: Math.round(smallRun.peakRssBytes / 1048576),
    target: "< 512",
    met: smallRun.peakRssBytes < rssLimit,
  });
}
if (Deno.args.includes("--portable")) {
  const portableRows = Math.min(rows, rssRows);
  const small = await generateCsv(portableRows);
  const portable = report(
    "dvt_files_portable",
    portableRows,
    await dvtExtract(small, join(OUT, `extract_portable_${portableRows}`), false),
  );
  emit({
    metric: "portable_vs_duckdb_copy",
    value: Number((portable / baseline).toFixed(3)),
    target: "(informational)",
  });
}

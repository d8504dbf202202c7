/**
 * `deno task bench`: runs every benchmark as a child process (bench/files_csv.ts, mysql.ts,
 * postgres.ts, sqlite.ts, api_connectors.ts, arrow_batches.ts, parquet_write.ts, maven_sync.ts,
 * serve.ts, startup.ts, scd2.ts),
 * collects the JSON lines they print and ends with a summary table of the targets met or missed.
 * Extra arguments (e.g. `--rows 1000000`) are passed to every benchmark. Not a test: figures go
 * into BENCHMARKS.md.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

const BENCHMARKS = [
  "files_csv.ts",
  "arrow_batches.ts",
  "parquet_write.ts",
  "sandbox.ts",
  "maven_sync.ts",
  "mysql.ts",
  "postgres.ts",
  "sqlite.ts",
  "api_connectors.ts",
  "serve.ts",
  "startup.ts",
  "scd2.ts",
];

/** Fixed targets for benchmarks that print raw figures (others print `target` and `met`). */
const TARGETS: {
  bench: string;
  when?: (line: Line) => boolean;
  field: string;
  target: string;
  met: (value: number) => boolean;
}[] = [
  {
    bench: "arrow_batches",
    field: "rowsPerSecond",
    target: ">= 1,500,000 rows/s",
    met: (value) => value >= 1_500_000,
  },
  {
    bench: "maven_sync",
    when: (line) => line.case === "dvt_warm_noop",
    field: "median_ms",
    target: "< 300 ms",
    met: (value) => value < 300,
  },
];

interface Line {
  bench: string;
  [key: string]: unknown;
}

async function runBenchmark(file: string): Promise<Line[]> {
  const path = fileURLToPath(new URL(`./${file}`, import.meta.url));
  console.error(`running ${file} ...`);
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "-A", "--unstable-worker-options", path, ...Deno.args],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const lines = new TextDecoder().decode(output.stdout).split("\n").filter((l) => l.trim());
  const parsed: Line[] = [];
  for (const line of lines) {
    console.log(line);
    try {
      parsed.push(JSON.parse(line));
    } catch {
      // A benchmark's non-JSON output is shown but not summarised.
    }
  }
  if (output.code !== 0) {
    parsed.push({ bench: file, metric: "exit code", value: output.code, met: false });
  }
  return parsed;
}

function summaryRows(lines: Line[]): string[][] {
  const rows: string[][] = [];
  for (const line of lines) {
    const fixed = TARGETS.find((t) => t.bench === line.bench && (t.when?.(line) ?? true));
    if (fixed && typeof line[fixed.field] === "number") {
      const value = line[fixed.field] as number;
      rows.push([
        line.bench,
        line.case ? `${line.case} ${fixed.field}` : fixed.field,
        value.toLocaleString("en-US"),
        fixed.target,
        fixed.met(value) ? "met" : "MISSED",
      ]);
    }
    if ("met" in line || "target" in line) {
      const met = line.met === undefined ? "-" : line.met ? "met" : "MISSED";
      rows.push([
        line.bench,
        String(line.metric ?? line.path ?? ""),
        String(line.value ?? ""),
        String(line.target ?? ""),
        met,
      ]);
    }
  }
  return rows;
}

const all: Line[] = [];
for (const file of BENCHMARKS) all.push(...await runBenchmark(file));
const rows = [["benchmark", "metric", "value", "target", "result"], ...summaryRows(all)];
const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
console.log("\nsummary");
for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i])).join("  "));

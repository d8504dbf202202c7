/**
 * The escape suite's hostile connector: a project with `connectors/probe/` whose read() yields
 * rows 1..3 and then either 4..6 or, when run with `--set mode=evil`, the attack under test (so
 * a table cut short by an attack is told apart from the good data). Runs go
 * through the real CLI as a child process, so what is checked is what a user would see: exit
 * codes, stdout/stderr, files on disk and what local servers received.
 *
 * @module
 */
import { join } from "node:path";
import { CLI_PATH, type CliResult, queryDuckDB, tempDir } from "../../_helpers.ts";

/** The attack and what the manifest grants. */
export interface ProbeOptions {
  /** JavaScript run inside `async *read()` when `config.mode === "evil"` (ctx, config, table). */
  attack?: string;
  /** JavaScript at module top level (imports, helpers). */
  top?: string;
  /** permissions.net */
  net?: string[];
  /** permissions.env */
  env?: string[];
  /** Extra connector.yaml lines (health_check:, ...). */
  manifestExtra?: string;
  /** Extra files written next to the module, relative to the connector directory. */
  files?: Record<string, string>;
}

/** A probe project: `await using`. */
export interface ProbeProject extends AsyncDisposable {
  dir: string;
  out: string;
  connectorDir: string;
}

/** Writes a project whose connector is the probe. */
export async function probeProject(options: ProbeOptions = {}): Promise<ProbeProject> {
  const temp = await tempDir("dvt-escape-");
  const connectorDir = join(temp.path, "connectors", "probe");
  await Deno.mkdir(connectorDir, { recursive: true });
  await Deno.writeTextFile(
    join(connectorDir, "connector.yaml"),
    `name: probe
version: 1.0.0
entrypoint: ./connector.js
capabilities: [discover, read]
permissions:
  net: ${JSON.stringify(options.net ?? [])}
  env: ${JSON.stringify(options.env ?? [])}
config:
  mode: { type: string, default: good }
${options.manifestExtra ?? ""}`,
  );
  await Deno.writeTextFile(
    join(connectorDir, "connector.js"),
    `${options.top ?? ""}
export default (ctx, config) => {
  const schema = ctx.arrow.tableFromArrays({ id: Int32Array.from([1]) }).schema;
  const rows = (ids) => ctx.arrow.tableFromArrays({ id: Int32Array.from(ids) }).batches[0];
  return {
    capabilities: 3,
    discover: () => [{ name: "items", schema, capabilities: 2 }],
    async *read(table) {
      yield rows([1, 2, 3]);
      if (config.mode === "evil") {
        ${options.attack ?? ""}
      } else {
        yield rows([4, 5, 6]);
      }
    },
  };
};
`,
  );
  for (const [name, text] of Object.entries(options.files ?? {})) {
    await Deno.mkdir(join(connectorDir, name, ".."), { recursive: true });
    await Deno.writeTextFile(join(connectorDir, name), text);
  }
  return {
    dir: temp.path,
    out: join(temp.path, "out"),
    connectorDir,
    [Symbol.asyncDispose]: () => temp[Symbol.asyncDispose](),
  };
}

/** Runs `dvt extract --connector ./connectors/probe --out out` (evil unless `good`). */
export async function extractProbe(
  project: ProbeProject,
  options: {
    good?: boolean;
    json?: boolean;
    env?: Record<string, string>;
    stdin?: string;
    args?: string[];
    timeoutMs?: number;
  } = {},
): Promise<ProbeResult> {
  const args = ["extract", "--connector", "./connectors/probe", "--out", project.out];
  if (!options.good) args.push("--set", "mode=evil");
  if (options.json) args.push("--json");
  args.push(...options.args ?? []);
  return await runCliWithin(args, project.dir, options);
}

/** A CLI run that may have been killed for taking too long. */
export interface ProbeResult extends CliResult {
  timedOut: boolean;
}

/**
 * Runs the CLI like runCli, but kills it (SIGKILL: a stopped process ignores SIGTERM) after
 * `timeoutMs`, so an attack that hangs dvt fails the test instead of hanging it.
 */
export async function runCliWithin(
  args: string[],
  cwd: string,
  options: { env?: Record<string, string>; stdin?: string; timeoutMs?: number } = {},
): Promise<ProbeResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--allow-all", "--unstable-worker-options", CLI_PATH, ...args],
    cwd,
    env: { NO_COLOR: "1", ...options.env },
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, options.timeoutMs ?? 60_000);
  try {
    const output = await child.output();
    const decoder = new TextDecoder();
    return {
      code: output.code,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
      timedOut,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs a good extract first, so a later failure can be checked to keep its rows. */
export async function extractGood(project: ProbeProject): Promise<void> {
  const good = await extractProbe(project, { good: true });
  if (good.code !== 0) throw new Error(`good extract failed: ${good.stderr}`);
}

/** The ids the published `items` view holds. */
export async function publishedIds(project: ProbeProject): Promise<number[]> {
  const rows = await queryDuckDB(
    join(project.out, "extract.duckdb"),
    "SELECT id FROM items ORDER BY id",
  );
  return rows.map((row) => Number(row.id));
}

/** Everything a run printed, for searching for secrets. */
export function everything(result: CliResult): string {
  return `${result.stdout}\n${result.stderr}`;
}

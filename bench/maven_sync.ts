/**
 * Benchmark: cold `dvt sync` of Debian's real JARs (>= 20 artifacts, transitive graph) from a
 * Maven-layout server on 127.0.0.1, against `mvn dependency:copy-dependencies` over the same
 * server (its plugin pre-fetched, so both start from an empty artifact cache), plus the wall time
 * of a warm no-op `dvt sync`. Prints JSON lines on stdout.
 *
 *   deno run -A --unstable-worker-options bench/maven_sync.ts [--runs 3]
 */
import { join } from "node:path";
import { serveMavenRepository } from "../tests/commands/_maven_repo_server.ts";
import {
  DEBIAN_SYNC_ROOTS as ROOTS,
  mavenArgs as mavenGoalArgs,
  mavenSkipReason,
  mirrorSettings,
  projectPom,
  writeSyncProject,
} from "../tests/_maven.ts";

const CLI = new URL("../cli.ts", import.meta.url).pathname;

const runsFlag = Deno.args.indexOf("--runs");
const RUNS = runsFlag >= 0 ? Number(Deno.args[runsFlag + 1]) : 3;

function emit(record: Record<string, unknown>): void {
  console.log(JSON.stringify({ bench: "maven_sync", ...record }));
}

async function timed(command: string, args: string[], cwd: string, env: Record<string, string>) {
  const start = performance.now();
  const output = await new Deno.Command(command, {
    args,
    cwd,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const ms = performance.now() - start;
  if (!output.success) {
    const text = new TextDecoder().decode(output.stderr) + new TextDecoder().decode(output.stdout);
    throw new Error(`${command} ${args.join(" ")} failed:\n${text}`);
  }
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)]);
}

async function writeMavenProject(dir: string, url: string, withDependencies: boolean) {
  await Deno.mkdir(dir, { recursive: true });
  const pom = projectPom(withDependencies ? Object.values(ROOTS) : []);
  await Deno.writeTextFile(join(dir, "pom.xml"), pom);
  await Deno.writeTextFile(join(dir, "settings.xml"), mirrorSettings(url));
}

function mavenArgs(repo: string): string[] {
  return mavenGoalArgs("copy-dependencies", {
    localRepo: repo,
    properties: { includeScope: "runtime" },
  });
}

async function main(): Promise<void> {
  await using server = serveMavenRepository();
  const work = await Deno.makeTempDir({ prefix: "dvt-bench-sync-" });
  try {
    const env = { DVT_MAVEN_REPOS: server.url, NO_COLOR: "1" };
    const dvtArgs = ["run", "--allow-all", "--unstable-worker-options", CLI, "sync", "--no-native"];
    const cold: number[] = [];
    let artifacts = 0;
    for (let run = 0; run < RUNS; run++) {
      const dir = join(work, `dvt-${run}`);
      await Deno.mkdir(dir);
      await writeSyncProject(dir, ROOTS);
      cold.push(await timed(Deno.execPath(), dvtArgs, dir, { ...env, DVT_HOME: join(dir, "h") }));
      const lock = JSON.parse(await Deno.readTextFile(join(dir, "dvt.lock")));
      artifacts = lock.artifacts.length;
    }
    emit({ case: "dvt_cold", median_ms: median(cold), runs: cold.map(Math.round), artifacts });

    const warmDir = join(work, "dvt-0");
    const warm: number[] = [];
    for (let run = 0; run < 5; run++) {
      warm.push(
        await timed(Deno.execPath(), dvtArgs, warmDir, { ...env, DVT_HOME: join(warmDir, "h") }),
      );
    }
    emit({ case: "dvt_warm_noop", median_ms: median(warm), runs: warm.map(Math.round) });

    const mavenMissing = await mavenSkipReason();
    if (mavenMissing) {
      emit({ case: "mvn_cold", skipped: mavenMissing });
      return;
    }
    // Fetch the plugin once into a template repository, so each cold run measures dependencies.
    const template = join(work, "m2-template");
    const warmup = join(work, "mvn-warmup");
    await writeMavenProject(warmup, server.url, false);
    await timed("mvn", mavenArgs(template), warmup, {});
    const mvnCold: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const dir = join(work, `mvn-${run}`);
      await writeMavenProject(dir, server.url, true);
      const repo = join(dir, "repo");
      await new Deno.Command("cp", { args: ["-a", template, repo] }).output();
      mvnCold.push(await timed("mvn", mavenArgs(repo), dir, {}));
    }
    const copied = [...Deno.readDirSync(join(work, "mvn-0", "target", "dependency"))].length;
    emit({
      case: "mvn_cold",
      median_ms: median(mvnCold),
      runs: mvnCold.map(Math.round),
      artifacts: copied,
    });
    emit({ case: "cold_ratio_mvn_over_dvt", value: +(median(mvnCold) / median(cold)).toFixed(2) });
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

await main();

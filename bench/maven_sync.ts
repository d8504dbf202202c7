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

const CLI = new URL("../cli.ts", import.meta.url).pathname;
const PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.5.0";
const ROOTS: Record<string, string> = {
  postgres: "org.postgresql:postgresql:42.5.5",
  mariadb: "org.mariadb.jdbc:mariadb-java-client:2.7.6",
  sqlite: "org.xerial:sqlite-jdbc:3.40.1.0",
  mavencore: "org.apache.maven:maven-core:3.8.7",
};

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

async function writeDvtProject(dir: string): Promise<void> {
  const adapters = Object.entries(ROOTS).map(([n, c]) => `    ${n}: { jdbc: "${c}" }`);
  await Deno.writeTextFile(join(dir, "dvt.yaml"), `sync:\n  adapters:\n${adapters.join("\n")}\n`);
  const outputs = Object.keys(ROOTS).map((name) => `    ${name}: { type: ${name} }`);
  await Deno.writeTextFile(join(dir, "profiles.yml"), `p:\n  outputs:\n${outputs.join("\n")}\n`);
}

async function writeMavenProject(dir: string, url: string, withDependencies: boolean) {
  await Deno.mkdir(dir, { recursive: true });
  const dependencies = withDependencies
    ? Object.values(ROOTS).map((text) => {
      const [g, a, v] = text.split(":");
      return `<dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`;
    }).join("")
    : "";
  await Deno.writeTextFile(
    join(dir, "pom.xml"),
    `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>` +
      `<groupId>dvt.bench</groupId><artifactId>b</artifactId><version>1</version>` +
      `<dependencies>${dependencies}</dependencies></project>`,
  );
  await Deno.writeTextFile(
    join(dir, "settings.xml"),
    `<settings><mirrors><mirror><id>local</id><mirrorOf>*</mirrorOf><url>${url}/</url>` +
      `</mirror></mirrors></settings>`,
  );
}

function mavenArgs(repo: string): string[] {
  return [
    "-B",
    "-q",
    "-s",
    "settings.xml",
    `-Dmaven.repo.local=${repo}`,
    `${PLUGIN}:copy-dependencies`,
    "-DincludeScope=runtime",
  ];
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
      await writeDvtProject(dir);
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

    const mvnAvailable = await new Deno.Command("mvn", {
      args: ["-v"],
      stdout: "null",
      stderr: "null",
    })
      .output().then((o) => o.success, () => false);
    if (!mvnAvailable) {
      emit({ case: "mvn_cold", skipped: "mvn not installed" });
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

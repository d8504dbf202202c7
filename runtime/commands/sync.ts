/** `dvt sync`: the command-line surface. The work lives in run_sync.ts, loaded lazily. */
import { Command } from "commander";
import { type ExitCodeSink, type GlobalOptions, parsePositiveInt } from "./options.ts";
import type { SyncCliOptions } from "./run_sync.ts";

/** Builds the `sync` command. */
export function syncCommand(globals: () => GlobalOptions, exit: ExitCodeSink): Command {
  return new Command("sync")
    .description("Download the JDBC drivers and Spark native connectors your dbt profiles need")
    .option(
      "--profiles <file>",
      "profiles.yml (default: sync.profiles in dvt.yaml, else ./profiles.yml, " +
        "$DBT_PROFILES_DIR/profiles.yml, ~/.dbt/profiles.yml)",
    )
    .option("--buckets <file>", "buckets.yml (default: next to profiles.yml)")
    .option("--project <file>", "project file for repositories and adapter overrides")
    .option("--jdbc", "sync JDBC drivers (default)", true)
    .option("--no-jdbc", "skip JDBC drivers")
    .option("--native", "sync Spark native connectors (default)", true)
    .option("--no-native", "skip native connectors")
    .option("--locked", "fail if anything differs from dvt.lock", false)
    .option("--offline", "use only the local cache; never contact a repository", false)
    .option(
      "--trust-unverified",
      "accept JARs from repositories that publish no checksum, show their sha256 and pin them in dvt.lock",
      false,
    )
    .option("--classpath", "print the resolved JARs for spark-submit --jars", false)
    .option("--threads <n>", "parallel downloads (default: 8)", parsePositiveInt)
    .option("--json", "print the result as JSON, events as JSON lines on stderr", false)
    .addHelpText(
      "after",
      `
Examples:
  dvt sync                              resolve and download for ./profiles.yml
  dvt sync --locked                     CI: fail unless dvt.lock matches exactly
  dvt sync --no-native --offline        JDBC drivers from the cache only
  dvt sync --profiles ci/profiles.yml   another profiles.yml (or sync.profiles in dvt.yaml)
  dvt sync --trust-unverified           pin JARs of a repository without checksums
  spark-submit --jars "$(dvt sync --classpath)" job.py`,
    )
    .action(async (options: SyncCliOptions) => {
      const { runSync } = await import("./run_sync.ts");
      exit(await runSync(options, globals()));
    });
}

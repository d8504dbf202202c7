/** `dvt sync`: the command-line surface. The work lives in run_sync.ts, loaded lazily. */
import type { CommandSpec } from "./command_spec.ts";
import { parsePositiveInt } from "./options.ts";
import type { SyncCliOptions } from "./run_sync.ts";

/** The `sync` command. */
export const syncCommand: CommandSpec = {
  name: "sync",
  description: "Download the JDBC drivers and Spark native connectors your dbt profiles need",
  options: [
    {
      flags: "--profiles <file>",
      description: "profiles.yml (default: sync.profiles in dvt.yaml, else ./profiles.yml, " +
        "$DBT_PROFILES_DIR/profiles.yml, ~/.dbt/profiles.yml)",
    },
    { flags: "--buckets <file>", description: "buckets.yml (default: next to profiles.yml)" },
    {
      flags: "--project <file>",
      description: "project file for repositories and adapter overrides",
    },
    { flags: "--jdbc", description: "sync JDBC drivers (default)", default: true },
    { flags: "--no-jdbc", description: "skip JDBC drivers" },
    { flags: "--native", description: "sync Spark native connectors (default)", default: true },
    { flags: "--no-native", description: "skip native connectors" },
    { flags: "--locked", description: "fail if anything differs from dvt.lock", default: false },
    {
      flags: "--offline",
      description: "use only the local cache; never contact a repository",
      default: false,
    },
    {
      flags: "--trust-unverified",
      description:
        "accept JARs from repositories that publish no checksum, show their sha256 and pin them in dvt.lock",
      default: false,
    },
    {
      flags: "--classpath",
      description: "print the resolved JARs for spark-submit --jars",
      default: false,
    },
    {
      flags: "--threads <n>",
      description: "parallel downloads (default: 8)",
      parse: parsePositiveInt,
    },
    {
      flags: "--json",
      description: "print the result as JSON, events as JSON lines on stderr",
      default: false,
    },
  ],
  helpAfter: `
Examples:
  dvt sync                              resolve and download for ./profiles.yml
  dvt sync --locked                     CI: fail unless dvt.lock matches exactly
  dvt sync --no-native --offline        JDBC drivers from the cache only
  dvt sync --profiles ci/profiles.yml   another profiles.yml (or sync.profiles in dvt.yaml)
  dvt sync --trust-unverified           pin JARs of a repository without checksums
  spark-submit --jars "$(dvt sync --classpath)" job.py`,
  run: async ({ options, globals }) => {
    const { runSync } = await import("./run_sync.ts");
    return runSync(options as SyncCliOptions, globals);
  },
};

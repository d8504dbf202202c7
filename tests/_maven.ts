/**
 * Running real Maven next to dvt, for the comparison tests and the sync benchmark: the plugin
 * Debian ships, the projects both tools resolve, and one way to invoke `mvn` offline against a
 * repository on 127.0.0.1 or on disk.
 *
 * @module
 */

/** Debian's Maven repository (JARs and POMs of the installed -java packages). */
export const DEBIAN_MAVEN_REPO = "/usr/share/maven-repo";

/** The maven-dependency-plugin version Debian's libmaven-dependency-plugin-java provides. */
export const MAVEN_DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.5.0";

/** Adapter name -> root coordinates of a real transitive graph from Debian's repository. */
export const DEBIAN_SYNC_ROOTS: Readonly<Record<string, string>> = {
  postgres: "org.postgresql:postgresql:42.5.5",
  mariadb: "org.mariadb.jdbc:mariadb-java-client:2.7.6",
  sqlite: "org.xerial:sqlite-jdbc:3.40.1.0",
  mavencore: "org.apache.maven:maven-core:3.8.7",
};

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** Why Maven comparisons cannot run here, or undefined when mvn and its plugin are installed. */
export async function mavenSkipReason(): Promise<string | undefined> {
  const mvn = await new Deno.Command("mvn", { args: ["-v"], stdout: "null", stderr: "null" })
    .output().then((out) => out.success, () => false);
  if (!mvn) return "mvn is not installed";
  // The plugin's Debian POM depends on junit, so both must be present for mvn to load it.
  const needed = [
    `${DEBIAN_MAVEN_REPO}/org/apache/maven/plugins/maven-dependency-plugin/3.5.0`,
    `${DEBIAN_MAVEN_REPO}/junit/junit/4.x`,
  ];
  for (const path of needed) {
    if (!await exists(path)) {
      return `${path} missing: apt-get install libmaven-dependency-plugin-java junit4`;
    }
  }
  return undefined;
}

/** A project POM depending on each `group:artifact:version` of `dependencies`. */
export function projectPom(dependencies: readonly string[]): string {
  const entries = dependencies.map((text) => {
    const [groupId, artifactId, version] = text.split(":");
    return `<dependency><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId>` +
      `<version>${version}</version></dependency>`;
  }).join("");
  return `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>` +
    `<groupId>dvt.test</groupId><artifactId>compare</artifactId><version>1</version>` +
    `<dependencies>${entries}</dependencies></project>`;
}

/** settings.xml sending every repository request to `url`. */
export function mirrorSettings(url: string): string {
  return `<settings><mirrors><mirror><id>local</id><mirrorOf>*</mirrorOf><url>${url}/</url>` +
    `</mirror></mirrors></settings>`;
}

/** Arguments of a quiet, batch-mode mvn run of one dependency-plugin goal. */
export function mavenArgs(
  goal: string,
  options: { localRepo: string; properties?: Record<string, string>; settings?: string },
): string[] {
  return [
    "-B",
    "-q",
    "-s",
    options.settings ?? "settings.xml",
    `-Dmaven.repo.local=${options.localRepo}`,
    ...Object.entries(options.properties ?? {}).map(([name, value]) => `-D${name}=${value}`),
    `${MAVEN_DEPENDENCY_PLUGIN}:${goal}`,
  ];
}

/** Runs mvn in `cwd`; throws with Maven's own output when it fails. */
export async function runMaven(
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<void> {
  const output = await new Deno.Command("mvn", { args, cwd, env, stdout: "piped", stderr: "piped" })
    .output();
  if (!output.success) {
    const decoder = new TextDecoder();
    throw new Error(
      `mvn ${args.join(" ")} failed:\n${decoder.decode(output.stdout)}${
        decoder.decode(output.stderr)
      }`,
    );
  }
}

/** dvt.yaml overriding each adapter's JDBC coordinates, and a profiles.yml using them all. */
export async function writeSyncProject(
  dir: string,
  roots: Readonly<Record<string, string>>,
): Promise<void> {
  const adapters = Object.entries(roots).map(([name, coordinates]) =>
    `    ${name}: { jdbc: "${coordinates}" }`
  );
  await Deno.writeTextFile(`${dir}/dvt.yaml`, `sync:\n  adapters:\n${adapters.join("\n")}\n`);
  const outputs = Object.keys(roots).map((name) => `    ${name}: { type: ${name} }`);
  await Deno.writeTextFile(`${dir}/profiles.yml`, `p:\n  outputs:\n${outputs.join("\n")}\n`);
}

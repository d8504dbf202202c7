/**
 * The `<os>` profile trigger: the JVM-style description of this machine (`os.name`, `os.arch`,
 * `os.version`) and plexus-utils' family rules Maven 3 matches against.
 *
 * @module
 */
import type { PomActivationOs } from "./pom.ts";

/** The OS as a JVM reports it; `family` adds a family to the ones derived from the name. */
export interface JvmOs {
  name: string;
  family?: string;
  arch: string;
  version: string;
}

/**
 * This machine as a JVM would describe it: `Linux`, `Mac OS X`, `Windows`; `amd64` (`x86_64`
 * on macOS) or `aarch64`; the kernel release (empty without the sys permission).
 *
 * @example
 * ```ts
 * import { detectJvmOs } from "./os_activation.ts";
 * console.assert(detectJvmOs().name.length > 0);
 * ```
 */
export function detectJvmOs(): JvmOs {
  return {
    name: JVM_OS_NAMES[Deno.build.os] ?? Deno.build.os,
    arch: jvmArch(),
    version: osRelease(),
  };
}

/** Maven's `<os>` test: every given field (each may be negated with `!`) must match. */
export function matchesOs(os: PomActivationOs, jvmOs: JvmOs): boolean {
  const name = jvmOs.name.toLowerCase();
  const tests: Array<[string | undefined, (value: string) => boolean]> = [
    [os.family, (family) => osFamilies(name, jvmOs.family).has(family.toLowerCase())],
    [os.name, (value) => value.toLowerCase() === name],
    [os.arch, (value) => value.toLowerCase() === jvmOs.arch.toLowerCase()],
    [os.version, (value) => value.toLowerCase() === jvmOs.version.toLowerCase()],
  ];
  const given = tests.filter(([value]) => value !== undefined && value !== "");
  if (!given.length) return false; // an empty <os/> activates nothing
  return given.every(([value, test]) =>
    value!.startsWith("!") ? !test(value!.slice(1)) : test(value!)
  );
}

/** The families plexus-utils' `Os.isFamily` accepts for an `os.name` (lower case). */
export function osFamilies(name: string, extra?: string): Set<string> {
  const lower = name.toLowerCase();
  const has = (part: string) => lower.includes(part);
  const windows = has("windows");
  const win9x = windows && ["95", "98", "me", "ce"].some(has);
  const pathSeparator = windows || has("os/2") || has("dos") ? ";" : ":";
  const families = new Set<string>();
  const add = (family: string, when: boolean) => when && families.add(family);
  add("windows", windows);
  add("win9x", win9x);
  add("winnt", windows && !win9x);
  add("os/2", has("os/2"));
  add("netware", has("netware"));
  add("dos", pathSeparator === ";" && !has("netware"));
  add("mac", has("mac"));
  add("tandem", has("nonstop_kernel"));
  add("unix", pathSeparator === ":" && !has("openvms") && (!has("mac") || lower.endsWith("x")));
  add("z/os", has("z/os") || has("os/390"));
  add("os/400", has("os/400"));
  add("openvms", has("openvms"));
  if (extra) families.add(extra.toLowerCase());
  return families;
}

const JVM_OS_NAMES: Partial<Record<typeof Deno.build.os, string>> = {
  linux: "Linux",
  android: "Linux",
  darwin: "Mac OS X",
  windows: "Windows",
  freebsd: "FreeBSD",
  netbsd: "NetBSD",
  solaris: "SunOS",
  illumos: "SunOS",
  aix: "AIX",
};

// The JVM says x86_64 on macOS but amd64 on Linux and Windows.
function jvmArch(): string {
  if (Deno.build.arch === "x86_64") return Deno.build.os === "darwin" ? "x86_64" : "amd64";
  return Deno.build.arch;
}

// Without the sys permission the version is unknown and matches no <version>; querying first
// keeps Deno from prompting in the middle of a sync.
function osRelease(): string {
  try {
    const permission = Deno.permissions.querySync({ name: "sys", kind: "osRelease" });
    return permission.state === "granted" ? Deno.osRelease() : "";
  } catch {
    return "";
  }
}

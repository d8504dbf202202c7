/**
 * Which `<profiles>` of one POM are active, with Maven 3's rules (DefaultProfileSelector and
 * the jdk / os / property / file activators of maven-model-builder):
 *
 * - a profile is active when its activation has at least one trigger and every trigger matches
 *   (AND semantics, Maven 3.2.2+);
 * - `activeByDefault` profiles are active only when no other profile of the same POM is;
 * - trigger values are interpolated first with the POM's own properties, then the user
 *   properties, then the system properties (`java.version`, `os.*`, `env.*`), as Maven 3.9
 *   does (3.8 and older compared the text as written).
 *
 * `<file>` triggers are never active here. For a dependency's POM Maven has no project
 * directory: a relative or `${basedir}` path is never active there either, and an absolute one
 * (typically `${java.home}/../lib/tools.jar`) probes the JVM install of the machine running
 * Maven, which dvt neither has nor should guess from the machine that runs `dvt sync`.
 *
 * @module
 */
import { createInterpolator } from "./interpolation.ts";
import { detectJvmOs, type JvmOs, matchesOs } from "./os_activation.ts";
import type { PomActivation, PomActivationOs, PomProfile } from "./pom.ts";

/** The build environment profiles are activated against, as a Maven run would see it. */
export interface ActivationEnvironment {
  /** `java.version`, e.g. `17` or `1.8.0_392`. */
  jdk: string;
  /** `os.name`, `os.arch`, `os.version` as the JVM reports them; `family` adds a family. */
  os: JvmOs;
  /** User properties (`-Dname=value`); they shadow the system properties. */
  properties: Readonly<Record<string, string>>;
  /** The process environment, visible to property triggers as `env.NAME`. */
  env: Readonly<Record<string, string>>;
}

/** Overrides of the detected environment (see {@linkcode activationEnvironment}). */
export interface ActivationOptions {
  jdk?: string;
  os?: Partial<JvmOs>;
  properties?: Readonly<Record<string, string>>;
}

/** The JDK assumed when none is given: the current LTS most Spark/JDBC users run. */
export const DEFAULT_JDK = "17";

/**
 * The activation environment: `options` over defaults from `Deno.build` (JVM-style names:
 * `Linux`, `Mac OS X`, `Windows`; arch `amd64`/`aarch64`), `Deno.osRelease()` and the JDK
 * {@linkcode DEFAULT_JDK}.
 *
 * @example
 * ```ts
 * import { activationEnvironment } from "./profile_activation.ts";
 * const environment = activationEnvironment({ jdk: "11", os: { name: "Linux" } }, {});
 * console.assert(environment.jdk === "11" && environment.os.name === "Linux");
 * ```
 */
export function activationEnvironment(
  options: ActivationOptions = {},
  env: Readonly<Record<string, string>> = {},
): ActivationEnvironment {
  const detected = detectJvmOs();
  return {
    jdk: options.jdk ?? DEFAULT_JDK,
    os: {
      name: options.os?.name ?? detected.name,
      arch: options.os?.arch ?? detected.arch,
      version: options.os?.version ?? detected.version,
      ...(options.os?.family ? { family: options.os.family } : {}),
    },
    properties: options.properties ?? {},
    env,
  };
}

/**
 * The active profiles of one POM, in declaration order. `projectProperties` are that POM's own
 * `<properties>` (not inherited ones), used only to interpolate trigger values.
 *
 * @example
 * ```ts
 * import { activationEnvironment, selectActiveProfiles } from "./profile_activation.ts";
 * const profile = (id: string, jdk?: string) => ({
 *   id, activation: { activeByDefault: !jdk, jdk },
 *   properties: new Map(), dependencies: [], dependencyManagement: [],
 * });
 * const active = selectActiveProfiles(
 *   [profile("fallback"), profile("modern", "[11,)")],
 *   new Map(),
 *   activationEnvironment({ jdk: "17" }),
 * );
 * console.assert(active.map((p) => p.id).join() === "modern");
 * ```
 */
export function selectActiveProfiles(
  profiles: readonly PomProfile[],
  projectProperties: ReadonlyMap<string, string>,
  environment: ActivationEnvironment,
): PomProfile[] {
  if (!profiles.length) return [];
  const system = systemProperties(environment);
  const interpolate = createInterpolator(
    {},
    new Map([
      ...Object.entries(system),
      ...Object.entries(environment.properties),
      ...projectProperties,
    ]),
    {},
  );
  const lookup = (name: string) => environment.properties[name] ?? system[name];
  const triggered = profiles.filter((profile) =>
    profile.activation && isTriggered(profile.activation, environment, lookup, interpolate)
  );
  if (triggered.length) return triggered;
  return profiles.filter((profile) => profile.activation?.activeByDefault);
}

type Lookup = (name: string) => string | undefined;

function isTriggered(
  activation: PomActivation,
  environment: ActivationEnvironment,
  lookup: Lookup,
  interpolate: (text: string) => string,
): boolean {
  const checks: boolean[] = [];
  if (activation.jdk !== undefined) {
    checks.push(matchesJdk(interpolate(activation.jdk), environment.jdk));
  }
  if (activation.os) {
    checks.push(matchesOs(interpolateOs(activation.os, interpolate), environment.os));
  }
  if (activation.property) {
    const { name, value } = activation.property;
    checks.push(
      matchesProperty(
        name === undefined ? undefined : interpolate(name),
        value === undefined ? undefined : interpolate(value),
        lookup,
      ),
    );
  }
  if (activation.file) checks.push(false); // see the module comment
  return checks.length > 0 && checks.every(Boolean);
}

function interpolateOs(
  os: PomActivationOs,
  interpolate: (text: string) => string,
): PomActivationOs {
  const result: PomActivationOs = {};
  for (const field of ["name", "family", "arch", "version"] as const) {
    const value = os[field];
    if (value !== undefined) result[field] = interpolate(value);
  }
  return result;
}

/**
 * Maven's `<jdk>` test: `!prefix` negates a prefix, `[a,b)`-style is a range (an empty bound
 * is open-ended), anything else is a prefix of `java.version`.
 */
export function matchesJdk(expression: string, javaVersion: string): boolean {
  const trimmed = expression.trim();
  if (trimmed.startsWith("!")) return !javaVersion.startsWith(trimmed.slice(1));
  if (trimmed.startsWith("[") || trimmed.startsWith("(")) return inJdkRange(javaVersion, trimmed);
  return javaVersion.startsWith(trimmed);
}

interface Bound {
  value: string;
  inclusive: boolean;
}

function inJdkRange(javaVersion: string, range: string): boolean {
  const [lowerText, upperText = ""] = range.split(",");
  const lower: Bound = { value: lowerText.slice(1).trim(), inclusive: lowerText.startsWith("[") };
  const upper: Bound = range.includes(",")
    ? { value: upperText.replace(/[\])]$/, "").trim(), inclusive: upperText.endsWith("]") }
    : { value: "99999999", inclusive: false }; // "[11]" alone: from 11 on, as in Maven
  const fromLower = compareToBound(javaVersion, lower, true);
  if (fromLower === 0) return true;
  if (fromLower < 0) return false;
  return compareToBound(javaVersion, upper, false) <= 0;
}

// Maven compares the first three numeric parts; an open bound equal to the version excludes it.
function compareToBound(version: string, bound: Bound, isLower: boolean): number {
  if (!bound.value) return isLower ? 1 : -1;
  const ours = numericParts(version.replace(/[^0-9._-]/g, "").split(/[._-]/));
  const theirs = numericParts(bound.value.split("."));
  for (let i = 0; i < 3; i++) {
    if (ours[i] !== theirs[i]) return ours[i] < theirs[i] ? -1 : 1;
  }
  if (!bound.inclusive) return isLower ? -1 : 1;
  return 0;
}

function numericParts(tokens: string[]): number[] {
  return [0, 1, 2].map((i) => Number.parseInt(tokens[i] ?? "0", 10) || 0);
}

/**
 * Maven 3's `<property>` test against user then system properties (not the POM's own
 * properties, which only Maven 4 consults): `name` is set and non-empty, `!name` is unset or
 * empty, `name`+`value` compares the value, `!value` negates that.
 */
export function matchesProperty(
  name: string | undefined,
  value: string | undefined,
  lookup: Lookup,
): boolean {
  if (!name) return false; // Maven reports the missing name and activates nothing
  const negatedName = name.startsWith("!");
  const actual = lookup(negatedName ? name.slice(1) : name);
  if (value) {
    const negatedValue = value.startsWith("!");
    const equal = (negatedValue ? value.slice(1) : value) === actual;
    return negatedValue ? !equal : equal;
  }
  const present = actual !== undefined && actual !== "";
  return negatedName ? !present : present;
}

function systemProperties(environment: ActivationEnvironment): Record<string, string> {
  const system: Record<string, string> = {
    "java.version": environment.jdk,
    "os.name": environment.os.name,
    "os.arch": environment.os.arch,
    "os.version": environment.os.version,
  };
  // Maven publishes the environment as env.* system properties.
  for (const [name, value] of Object.entries(environment.env)) system[`env.${name}`] = value;
  return system;
}

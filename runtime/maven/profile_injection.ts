/**
 * Injecting active profiles into the POM that declares them, before inheritance and
 * interpolation, as Maven 3's DefaultProfileInjector does: the profile dominates. Its
 * properties override the POM's; a dependency (or managed entry) with the same management key
 * as one of the POM's is merged into it field by field, profile values winning and exclusions
 * united; other profile dependencies are appended.
 *
 * @module
 */
import type { Exclusion, Pom, PomDependency, PomProfile } from "./pom.ts";

/**
 * The POM with `profiles` (in activation order) injected; the input is not modified.
 *
 * @example
 * ```ts
 * import { injectProfiles } from "./profile_injection.ts";
 * import { parsePom } from "./pom.ts";
 * const pom = parsePom(
 *   "<project><properties><v>1</v></properties><profiles><profile><id>p</id>" +
 *     "<properties><v>2</v></properties></profile></profiles></project>",
 *   "g:a:1",
 * );
 * console.assert(injectProfiles(pom, pom.profiles).properties.get("v") === "2");
 * ```
 */
export function injectProfiles(pom: Pom, profiles: readonly PomProfile[]): Pom {
  let result = pom;
  for (const profile of profiles) {
    result = {
      ...result,
      properties: new Map([...result.properties, ...profile.properties]),
      dependencies: mergeDependencies(result.dependencies, profile.dependencies),
      dependencyManagement: mergeDependencies(
        result.dependencyManagement,
        profile.dependencyManagement,
      ),
    };
  }
  return result;
}

// Raw (uninterpolated) management key, as Maven compares before interpolation.
function keyOf(d: PomDependency): string {
  return `${d.groupId}:${d.artifactId}:${d.type ?? "jar"}${d.classifier ? `:${d.classifier}` : ""}`;
}

function mergeDependencies(
  target: readonly PomDependency[],
  source: readonly PomDependency[],
): PomDependency[] {
  if (!source.length) return [...target];
  const merged = new Map<string, PomDependency>();
  for (const dependency of target) merged.set(keyOf(dependency), dependency);
  for (const dependency of source) {
    const key = keyOf(dependency);
    const existing = merged.get(key);
    merged.set(key, existing ? mergeDependency(existing, dependency) : dependency);
  }
  return [...merged.values()];
}

function mergeDependency(target: PomDependency, source: PomDependency): PomDependency {
  const result: PomDependency = {
    ...target,
    exclusions: unite(target.exclusions, source.exclusions),
  };
  for (const field of FIELDS) {
    const value = source[field];
    if (value !== undefined) result[field] = value;
  }
  return result;
}

const FIELDS = [
  "groupId",
  "artifactId",
  "version",
  "type",
  "classifier",
  "scope",
  "optional",
] as const;

function unite(own: readonly Exclusion[], extra: readonly Exclusion[]): Exclusion[] {
  const byKey = new Map<string, Exclusion>();
  for (const exclusion of [...own, ...extra]) {
    byKey.set(`${exclusion.groupId}:${exclusion.artifactId}`, exclusion);
  }
  return [...byKey.values()];
}

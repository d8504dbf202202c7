/**
 * Injecting active profiles into the POM that declares them, before inheritance and
 * interpolation, as Maven 3's DefaultProfileInjector does: the profile dominates. Its
 * properties override the POM's; a dependency (or managed entry) with the same management key
 * as one of the POM's replaces it whole, in its place (Maven 3's ModelMerger does not merge
 * the fields: a profile entry without a version leaves the dependency without one); other
 * profile dependencies are appended.
 *
 * @module
 */
import type { Pom, PomDependency, PomProfile } from "./pom.ts";

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
  // Map.set on a present key keeps its position, as Maven's LinkedHashMap does.
  for (const dependency of [...target, ...source]) merged.set(keyOf(dependency), dependency);
  return [...merged.values()];
}

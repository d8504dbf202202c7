/**
 * Dependencies of an effective model and the dependencyManagement rules around them: the
 * management key, filling missing versions/scopes from management, and merging imported BOMs
 * (first declaration wins).
 *
 * @module
 */
import type { Coordinates } from "./coordinates.ts";
import type { Exclusion } from "./pom.ts";

/** A dependency after interpolation; the version may still be a range or empty (unmanaged). */
export interface ModelDependency {
  coordinates: Coordinates;
  /** `compile` when not declared. Management may fill it, so undefined until then. */
  scope?: string;
  optional?: boolean;
  exclusions: Exclusion[];
}

/** Maven's management key: `groupId:artifactId:type[:classifier]` (the version is not part). */
export function managementKey(c: Coordinates): string {
  return `${c.groupId}:${c.artifactId}:${c.type}${c.classifier ? `:${c.classifier}` : ""}`;
}

/**
 * Fills what a dependency leaves open from the managed entry with the same key, as Maven
 * 3.8's model builder does: version and scope when absent; the managed exclusions only when
 * the dependency declares none of its own. `<optional>` is never managed.
 */
export function applyManagement(
  dependency: ModelDependency,
  managed: ReadonlyMap<string, ModelDependency>,
): ModelDependency {
  const entry = managed.get(managementKey(dependency.coordinates));
  if (!entry) return dependency;
  const result: ModelDependency = {
    ...dependency,
    coordinates: {
      ...dependency.coordinates,
      version: dependency.coordinates.version || entry.coordinates.version,
    },
    exclusions: dependency.exclusions.length ? dependency.exclusions : entry.exclusions,
  };
  result.scope = dependency.scope ?? entry.scope;
  return result;
}

/** Indexes management entries by key; the first entry for a key wins. */
export function indexManagement(entries: readonly ModelDependency[]): Map<string, ModelDependency> {
  const index = new Map<string, ModelDependency>();
  for (const entry of entries) {
    const key = managementKey(entry.coordinates);
    if (!index.has(key)) index.set(key, entry);
  }
  return index;
}

/**
 * The management list after imports: the model's own entries, then each imported BOM's entries
 * in declaration order, skipping keys already present (so the first declaration wins).
 */
export function mergeImportedManagement(
  own: readonly ModelDependency[],
  imported: ReadonlyArray<readonly ModelDependency[]>,
): ModelDependency[] {
  const merged = [...own];
  const seen = new Set(own.map((entry) => managementKey(entry.coordinates)));
  for (const entries of imported) {
    for (const entry of entries) {
      const key = managementKey(entry.coordinates);
      if (seen.has(key)) continue;
      seen.add(key);
      merged.push(entry);
    }
  }
  return merged;
}

/** Whether a management entry imports a BOM (`<type>pom</type><scope>import</scope>`). */
export function isImport(entry: ModelDependency): boolean {
  return entry.coordinates.type === "pom" && entry.scope === "import";
}

/** Union of two exclusion lists, without duplicates, own ones first. */
export function mergeExclusions(
  own: readonly Exclusion[],
  extra: readonly Exclusion[],
): Exclusion[] {
  const result = [...own];
  for (const exclusion of extra) {
    const present = result.some((e) =>
      e.groupId === exclusion.groupId && e.artifactId === exclusion.artifactId
    );
    if (!present) result.push(exclusion);
  }
  return result;
}

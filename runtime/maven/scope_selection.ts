/**
 * Final scopes after mediation, as Maven 3's JavaScopeDeriver and JavaScopeSelector decide
 * them: each occurrence of an artifact derives its scope from its parent's final scope; a
 * direct declaration's scope is taken as is; otherwise the widest derived scope wins
 * (compile > runtime > provided > test).
 *
 * @module
 */

/** One place an artifact occurs in the graph: under `parentKey` (none for direct) with a scope. */
export interface ScopeOccurrence {
  /** Mediation key of the parent's winner; undefined for direct dependencies. */
  parentKey?: string;
  /** The scope declared (after management) at this occurrence. */
  scope: string;
}

const WIDTH = ["compile", "runtime", "provided", "test", "system"];

/** The scope a child gets under a parent (Maven's JavaScopeDeriver). */
export function deriveScope(parentScope: string, childScope: string): string {
  if (childScope === "system" || childScope === "test") return childScope;
  if (parentScope === "compile") return childScope;
  if (parentScope === "test" || parentScope === "runtime") return parentScope;
  if (parentScope === "system" || parentScope === "provided") return "provided";
  return "runtime";
}

function widest(scopes: Set<string>): string {
  if (scopes.size > 1) scopes.delete("system");
  for (const scope of WIDTH) if (scopes.has(scope)) return scope;
  return [...scopes][0] ?? "compile";
}

/**
 * Final scope per mediation key. `keys` must be in breadth-first order so parents come first;
 * a few passes settle the rare case where an occurrence's parent comes later (a cycle of keys).
 */
export function selectScopes(
  keys: readonly string[],
  occurrences: ReadonlyMap<string, readonly ScopeOccurrence[]>,
): Map<string, string> {
  const scopes = new Map<string, string>();
  for (let pass = 0; pass < keys.length + 1; pass++) {
    let changed = false;
    for (const key of keys) {
      const scope = scopeOf(occurrences.get(key) ?? [], scopes);
      if (scope !== undefined && scope !== scopes.get(key)) {
        scopes.set(key, scope);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return scopes;
}

function scopeOf(
  occurrences: readonly ScopeOccurrence[],
  scopes: ReadonlyMap<string, string>,
): string | undefined {
  const direct = occurrences.find((occurrence) => occurrence.parentKey === undefined);
  if (direct) return direct.scope;
  const derived = new Set<string>();
  for (const occurrence of occurrences) {
    const parentScope = scopes.get(occurrence.parentKey!);
    if (parentScope !== undefined) derived.add(deriveScope(parentScope, occurrence.scope));
  }
  return derived.size ? widest(derived) : undefined;
}

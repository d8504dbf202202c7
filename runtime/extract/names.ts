/**
 * Turns source table names into safe identifiers for views and file names: lower snake_case,
 * `[a-z0-9_]` only, never starting with a digit or underscore, bounded length, unique. The
 * original name is kept in `_meta.source_name`.
 *
 * @module
 */

/** Longest normalised name; leaves room for the generation suffix in file names. */
export const MAX_NAME_LENGTH = 63;

/** Short stable hash (FNV-1a, 32 bit) used to keep names unique when text is dropped. */
function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36).padStart(7, "0");
}

/**
 * Normalises one source name. Names that lose all their characters (empty, only punctuation
 * or non-Latin script) become `table_<hash>`, stable for the same source name.
 *
 * @example
 * ```ts
 * import { normaliseName } from "./names.ts";
 * if (normaliseName("Sales.Order Items") !== "sales_order_items") throw new Error();
 * if (normaliseName("../../etc/passwd") !== "etc_passwd") throw new Error();
 * ```
 */
export function normaliseName(source: string): string {
  const ascii = source.normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  const snake = ascii
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (!snake) return `table_${shortHash(source)}`;
  const name = /^[0-9]/.test(snake) ? `t_${snake}` : snake;
  if (name.length <= MAX_NAME_LENGTH) return name;
  const hash = shortHash(source);
  return `${name.slice(0, MAX_NAME_LENGTH - hash.length - 1).replace(/_+$/, "")}_${hash}`;
}

/**
 * Assigns a unique normalised name to every source name. Names already assigned in a previous
 * run keep their name, so a view never changes meaning between runs; the others are deduped in
 * sorted order with `_2`, `_3`, ... suffixes. `reserved` names are never assigned.
 *
 * @example
 * ```ts
 * import { assignNames } from "./names.ts";
 * const names = assignNames(["Order Items", "order_items"]);
 * if (names.get("order_items") !== "order_items_2") throw new Error();
 * ```
 */
export function assignNames(
  sources: Iterable<string>,
  previous: ReadonlyMap<string, string> = new Map(),
  reserved: ReadonlySet<string> = new Set(),
): Map<string, string> {
  const assigned = new Map<string, string>();
  const taken = new Set<string>(reserved);
  const pending = [...new Set(sources)].sort();
  for (const source of pending) {
    const kept = previous.get(source);
    if (kept && isSafeName(kept) && !taken.has(kept)) {
      assigned.set(source, kept);
      taken.add(kept);
    }
  }
  for (const source of pending) {
    if (assigned.has(source)) continue;
    const base = normaliseName(source);
    let name = base;
    for (let n = 2; taken.has(name) || reservedByPrevious(name, source, previous); n++) {
      const suffix = `_${n}`;
      name = `${base.slice(0, MAX_NAME_LENGTH - suffix.length)}${suffix}`;
    }
    assigned.set(source, name);
    taken.add(name);
  }
  return assigned;
}

/** A name a previous run gave to another source stays reserved for it. */
function reservedByPrevious(
  name: string,
  source: string,
  previous: ReadonlyMap<string, string>,
): boolean {
  for (const [otherSource, otherName] of previous) {
    if (otherName === name && otherSource !== source) return true;
  }
  return false;
}

/** True for names {@linkcode normaliseName} can produce: safe in paths and SQL. */
export function isSafeName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && /^[a-z][a-z0-9_]*$/.test(name);
}

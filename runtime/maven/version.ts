/**
 * Maven's version ordering (ComparableVersion in Maven 3.x): versions split into numeric and
 * string items at `.`, `-` and digit/letter transitions; a `-` (or a transition) opens a
 * sub-list; known qualifiers order alpha < beta < milestone < rc = cr < snapshot < "" = ga =
 * final = release < sp, unknown qualifiers after them lexically; trailing zero-like items are
 * dropped, so `1.0` equals `1`.
 *
 * @module
 */

type Item = bigint | string | Item[];

const QUALIFIERS = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
const ALIASES: Record<string, string> = { ga: "", final: "", release: "", cr: "rc" };
// A single letter directly followed by digits abbreviates a qualifier: a1 = alpha-1.
const SHORT_QUALIFIERS: Record<string, string> = { a: "alpha", b: "beta", m: "milestone" };
const RELEASE_INDEX = QUALIFIERS.indexOf("");

/** A parsed version: compare with {@linkcode compareVersions}. */
export interface ParsedVersion {
  /** The text as written. */
  readonly text: string;
  readonly items: Item[];
}

const parsedCache = new Map<string, ParsedVersion>();

/** Parses a version into Maven's item list (memoised: the same strings recur constantly). */
export function parseVersion(text: string): ParsedVersion {
  let parsed = parsedCache.get(text);
  if (!parsed) {
    parsed = { text, items: parseItems(text.toLowerCase()) };
    parsedCache.set(text, parsed);
  }
  return parsed;
}

function parseItems(version: string): Item[] {
  const root: Item[] = [];
  const lists: Item[][] = [root];
  let list = root;
  let isDigit = false;
  let start = 0;
  const openSubList = () => {
    const sub: Item[] = [];
    list.push(sub);
    list = sub;
    lists.push(sub);
  };
  for (let i = 0; i < version.length; i++) {
    const char = version[i];
    if (char === "." || char === "-") {
      list.push(i === start ? 0n : parseItem(isDigit, version.slice(start, i), false));
      start = i + 1;
      if (char === "-") openSubList();
    } else if (char >= "0" && char <= "9") {
      if (!isDigit && i > start) {
        list.push(parseItem(false, version.slice(start, i), true));
        start = i;
        openSubList();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.push(parseItem(true, version.slice(start, i), false));
        start = i;
        openSubList();
      }
      isDigit = false;
    }
  }
  if (version.length > start) list.push(parseItem(isDigit, version.slice(start), false));
  for (const sub of lists.reverse()) normalize(sub);
  return root;
}

function parseItem(isDigit: boolean, text: string, followedByDigit: boolean): Item {
  if (isDigit) return BigInt(text);
  const expanded = followedByDigit && text.length === 1 ? SHORT_QUALIFIERS[text] ?? text : text;
  return ALIASES[expanded] ?? expanded;
}

function isNullItem(item: Item): boolean {
  if (typeof item === "bigint") return item === 0n;
  if (typeof item === "string") return qualifierRank(item) === qualifierRank("");
  return item.length === 0;
}

// Drops trailing "null" items (0, "", empty lists), looking through trailing sub-lists.
function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const item = list[i];
    if (isNullItem(item)) list.splice(i, 1);
    else if (!Array.isArray(item)) break;
  }
}

// Known qualifiers by index, unknown ones after them in lexical order (as Maven's string key).
function qualifierRank(qualifier: string): string {
  const index = QUALIFIERS.indexOf(qualifier);
  return index === -1 ? `${QUALIFIERS.length}-${qualifier}` : String(index);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares one item with another, `undefined` standing for "missing" (the shorter side). */
function compareItem(item: Item, other: Item | undefined): number {
  if (typeof item === "bigint") {
    if (other === undefined) return item === 0n ? 0 : 1;
    if (typeof other === "bigint") return item < other ? -1 : item > other ? 1 : 0;
    return 1; // 1.1 > 1-sp and 1.1 > 1-1
  }
  if (typeof item === "string") {
    if (other === undefined) return compareStrings(qualifierRank(item), String(RELEASE_INDEX));
    if (typeof other === "string") {
      return compareStrings(qualifierRank(item), qualifierRank(other));
    }
    return -1; // 1.any < 1.1 and 1.any < 1-1
  }
  if (other === undefined) return item.length === 0 ? 0 : compareItem(item[0], undefined);
  if (typeof other === "bigint") return -1; // 1-1 < 1.0.x
  if (typeof other === "string") return 1; // 1-1 > 1-sp
  return compareLists(item, other);
}

function compareLists(left: Item[], right: Item[]): number {
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const l = left[i];
    const r = right[i];
    const result = l === undefined ? -compareItem(r, undefined) : compareItem(l, r);
    if (result !== 0) return result;
  }
  return 0;
}

/**
 * Compares two versions the way Maven 3 does: negative when `a` is older, 0 when equal.
 *
 * @example
 * ```ts
 * import { compareVersions } from "./version.ts";
 * console.assert(compareVersions("1.0-rc1", "1.0") < 0);
 * console.assert(compareVersions("1.0", "1") === 0);
 * ```
 */
export function compareVersions(a: string, b: string): number {
  return compareLists(parseVersion(a).items, parseVersion(b).items);
}

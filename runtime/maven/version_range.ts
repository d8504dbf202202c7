/**
 * Maven version requirements: a plain version (a soft preference), or ranges such as
 * `[1.0,2.0)`, `(,1.0]`, `[1.2]` and unions `[1,2),[3,4)`, and picking the highest available
 * version a range allows.
 *
 * @module
 */
import { ResolveError } from "../errors.ts";
import { compareVersions } from "./version.ts";

/** One interval; a missing bound is unbounded. */
export interface VersionRestriction {
  lower?: string;
  lowerInclusive: boolean;
  upper?: string;
  upperInclusive: boolean;
}

/** A parsed `<version>`: either a plain version or a union of restrictions. */
export type VersionRequirement =
  | { kind: "version"; version: string }
  | { kind: "range"; restrictions: VersionRestriction[] };

/** Whether a version string is a range (starts with `[` or `(`). */
export function isVersionRange(text: string): boolean {
  return /^[\[(]/.test(text.trim());
}

/**
 * Parses a version or a version range.
 *
 * @example
 * ```ts
 * import { parseVersionRequirement } from "./version_range.ts";
 * const range = parseVersionRequirement("[1.0,2.0)");
 * console.assert(range.kind === "range");
 * ```
 */
export function parseVersionRequirement(text: string): VersionRequirement {
  const spec = text.trim();
  if (!isVersionRange(spec)) return { kind: "version", version: spec };
  const restrictions: VersionRestriction[] = [];
  let rest = spec;
  while (rest.length) {
    const match = /^([\[(])([^\])]*)([\])])\s*(,\s*)?/.exec(rest);
    if (!match) throw invalidRange(spec, `cannot parse "${rest}"`);
    restrictions.push(parseRestriction(spec, match[1], match[2], match[3]));
    rest = rest.slice(match[0].length);
    if (match[4] && !rest) throw invalidRange(spec, "a trailing comma");
    if (!match[4] && rest) throw invalidRange(spec, `"${rest}" after a range without a comma`);
  }
  checkOrder(spec, restrictions);
  return { kind: "range", restrictions };
}

function parseRestriction(
  spec: string,
  open: string,
  body: string,
  close: string,
): VersionRestriction {
  const lowerInclusive = open === "[";
  const upperInclusive = close === "]";
  const bounds = body.split(",").map((bound) => bound.trim());
  if (bounds.length === 1) {
    if (!lowerInclusive || !upperInclusive || !bounds[0]) {
      throw invalidRange(spec, `a single version must be written [${bounds[0]}]`);
    }
    return { lower: bounds[0], lowerInclusive, upper: bounds[0], upperInclusive };
  }
  if (bounds.length !== 2) throw invalidRange(spec, `"${body}" has more than two bounds`);
  const [lower, upper] = bounds;
  const restriction: VersionRestriction = { lowerInclusive, upperInclusive };
  if (lower) restriction.lower = lower;
  if (upper) restriction.upper = upper;
  if (lower && upper) {
    const order = compareVersions(lower, upper);
    if (order > 0 || (order === 0 && !(lowerInclusive && upperInclusive))) {
      throw invalidRange(spec, `the lower bound ${lower} is above the upper bound ${upper}`);
    }
  }
  return restriction;
}

// Maven rejects overlapping or unordered unions.
function checkOrder(spec: string, restrictions: VersionRestriction[]): void {
  for (let i = 1; i < restrictions.length; i++) {
    const previous = restrictions[i - 1].upper;
    const next = restrictions[i].lower;
    if (previous === undefined || next === undefined || compareVersions(previous, next) > 0) {
      throw invalidRange(spec, "the ranges overlap or are not in increasing order");
    }
  }
}

function invalidRange(spec: string, problem: string): ResolveError {
  return new ResolveError(`invalid version range "${spec}": ${problem}`, {
    hint: "write ranges as [1.0,2.0), (,1.0], [1.2] or unions like [1,2),[3,4)",
  });
}

/** Whether a version lies inside one restriction. */
function restrictionContains(restriction: VersionRestriction, version: string): boolean {
  if (restriction.lower !== undefined) {
    const order = compareVersions(version, restriction.lower);
    if (order < 0 || (order === 0 && !restriction.lowerInclusive)) return false;
  }
  if (restriction.upper !== undefined) {
    const order = compareVersions(version, restriction.upper);
    if (order > 0 || (order === 0 && !restriction.upperInclusive)) return false;
  }
  return true;
}

/** Whether a version satisfies a requirement (a plain version matches only itself). */
export function requirementContains(requirement: VersionRequirement, version: string): boolean {
  if (requirement.kind === "version") return compareVersions(requirement.version, version) === 0;
  return requirement.restrictions.some((restriction) => restrictionContains(restriction, version));
}

/**
 * The highest of `available` inside the range, or undefined. Like Maven 3, every listed version
 * counts, snapshots and pre-releases included (`[1.0,2.0)` admits `2.0-beta`).
 */
export function highestInRange(
  requirement: VersionRequirement,
  available: readonly string[],
): string | undefined {
  let best: string | undefined;
  for (const version of available) {
    if (!requirementContains(requirement, version)) continue;
    if (best === undefined || compareVersions(version, best) > 0) best = version;
  }
  return best;
}

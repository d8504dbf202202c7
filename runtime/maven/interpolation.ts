/**
 * `${...}` interpolation in a POM, in Maven 3's lookup order: `project.*` / `pom.*` model
 * fields, then `<properties>` (inherited ones included, the child's overriding), then
 * `env.*`, then the legacy unprefixed model fields (`${version}`, `${parent.version}`).
 * Values are expanded recursively; an expression that cannot be resolved (or refers to itself)
 * stays literal, so callers can report it where it matters.
 *
 * @module
 */
import { isOneOf } from "../util/is_one_of.ts";

/** The model fields expressions may refer to. */
export interface InterpolationModel {
  groupId?: string;
  artifactId?: string;
  version?: string;
  packaging?: string;
  parent?: { groupId: string; artifactId: string; version: string };
}

/** Replaces every `${...}` it can resolve in a text. */
export type Interpolator = (text: string) => string;

const EXPRESSION = /\$\{([^}]+)\}/g;

/**
 * Creates an interpolator over a model, its merged properties and an environment.
 *
 * @example
 * ```ts
 * import { createInterpolator } from "./interpolation.ts";
 * const interpolate = createInterpolator({ version: "1.2" }, new Map([["v", "${project.version}"]]), {});
 * console.assert(interpolate("x-${v}") === "x-1.2");
 * ```
 */
export function createInterpolator(
  model: InterpolationModel,
  properties: ReadonlyMap<string, string>,
  env: Readonly<Record<string, string>>,
): Interpolator {
  const lookup = (name: string): string | undefined =>
    modelField(model, name, true) ??
      properties.get(name) ??
      (name.startsWith("env.") ? env[name.slice(4)] : undefined) ??
      modelField(model, name, false);

  const expand = (text: string, active: ReadonlySet<string>): string =>
    text.replace(EXPRESSION, (whole, name: string) => {
      if (active.has(name)) return whole; // a self-reference stays literal
      const value = lookup(name);
      if (value === undefined) return whole;
      return expand(value, new Set([...active, name]));
    });

  return (text) => text.includes("${") ? expand(text, new Set()) : text;
}

const MODEL_FIELDS = ["groupId", "artifactId", "version", "packaging"] as const;

function modelField(
  model: InterpolationModel,
  name: string,
  prefixed: boolean,
): string | undefined {
  let path = name;
  if (prefixed) {
    const prefix = ["project.", "pom."].find((candidate) => name.startsWith(candidate));
    if (!prefix) return undefined;
    path = name.slice(prefix.length);
  }
  if (path.startsWith("parent.")) {
    const field = path.slice("parent.".length);
    if (!model.parent || !["groupId", "artifactId", "version"].includes(field)) return undefined;
    return model.parent[field as "groupId" | "artifactId" | "version"] || undefined;
  }
  if (!isOneOf(MODEL_FIELDS, path)) return undefined;
  if (path === "packaging") return model.packaging ?? "jar";
  return model[path as "groupId" | "artifactId" | "version"];
}

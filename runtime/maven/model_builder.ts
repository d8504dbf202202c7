/**
 * The effective model of a POM, as Maven 3's model builder computes it for a dependency:
 * parent chain fetched by coordinates (relativePath is meaningless in a repository), each POM's
 * active profiles injected into that POM (profile_activation.ts, profile_injection.ts), inheritance
 * (groupId, version, properties, dependencies, dependencyManagement; the child wins),
 * interpolation of the merged model with the child's fields, BOM imports (first declaration
 * wins), then management filling the dependencies' missing versions, scopes and exclusions.
 *
 * @module
 */
import { ResolveError } from "../errors.ts";
import { type Coordinates, formatCoordinates } from "./coordinates.ts";
import {
  applyManagement,
  indexManagement,
  isImport,
  mergeImportedManagement,
  type ModelDependency,
} from "./dependency_management.ts";
import { createInterpolator, type Interpolator } from "./interpolation.ts";
import { parsePom, type Pom, type PomDependency, type PomRelocation } from "./pom.ts";
import type { PomSource } from "./pom_source.ts";
import {
  type ActivationEnvironment,
  activationEnvironment,
  type ActivationOptions,
  selectActiveProfiles,
} from "./profile_activation.ts";
import { injectProfiles } from "./profile_injection.ts";

/** A POM after inheritance, interpolation, imports and management. */
export interface EffectiveModel {
  groupId: string;
  artifactId: string;
  version: string;
  packaging: string;
  /** Declared dependencies with management applied (version may be empty if unmanaged). */
  dependencies: ModelDependency[];
  /** dependencyManagement including imported BOMs, first entry per key wins. */
  dependencyManagement: ModelDependency[];
  relocation?: PomRelocation;
  /** The repository the POM came from. */
  repository: string;
}

interface LoadedPom {
  pom: Pom;
  repository: string;
}

/** Builds and memoises effective models from a {@linkcode PomSource}. */
export class ModelBuilder {
  readonly #source: PomSource;
  readonly #env: Readonly<Record<string, string>>;
  readonly #activation: ActivationEnvironment;
  // Promises for raw POMs (leaves, so sharing in-flight fetches cannot deadlock); finished models.
  readonly #poms = new Map<string, Promise<LoadedPom | undefined>>();
  readonly #models = new Map<string, EffectiveModel>();

  /**
   * `env` serves `${env.X}`; defaults to the process environment. `activation` describes the
   * JDK, OS and user properties profiles are activated against (defaults: JDK 17, this OS).
   */
  constructor(
    source: PomSource,
    env?: Readonly<Record<string, string>>,
    activation?: ActivationOptions,
  ) {
    this.#source = source;
    this.#env = env ?? readEnvironment();
    this.#activation = activationEnvironment(activation, this.#env);
  }

  /** The effective model of `groupId:artifactId:version`, or undefined if no POM exists. */
  async build(groupId: string, artifactId: string, version: string): Promise<
    EffectiveModel | undefined
  > {
    return await this.#build(`${groupId}:${artifactId}:${version}`, []);
  }

  /**
   * Resolves a management list the way a project's own dependencyManagement is: BOM entries
   * (type pom, scope import) are replaced by the BOMs' managed entries, first declaration wins.
   */
  async resolveManagement(entries: readonly ModelDependency[]): Promise<ModelDependency[]> {
    return await this.#importBoms(entries, [], "the root dependencyManagement");
  }

  async #build(key: string, importChain: string[]): Promise<EffectiveModel | undefined> {
    const done = this.#models.get(key);
    if (done) return done;
    const chain = await this.#loadParentChain(key);
    if (!chain) return undefined;
    const model = await this.#assemble(key, chain, importChain);
    this.#models.set(key, model);
    return model;
  }

  #loadPom(key: string): Promise<LoadedPom | undefined> {
    let loaded = this.#poms.get(key);
    if (!loaded) {
      const [groupId, artifactId, version] = key.split(":");
      loaded = this.#source.fetchPom(groupId, artifactId, version).then((fetched) =>
        fetched && { pom: parsePom(fetched.xml, key), repository: fetched.repository }
      );
      this.#poms.set(key, loaded);
    }
    return loaded;
  }

  // The POM and its ancestors, child first.
  async #loadParentChain(key: string): Promise<LoadedPom[] | undefined> {
    const first = await this.#loadPom(key);
    if (!first) return undefined;
    const chain = [first];
    const seen = [key];
    for (let parent = first.pom.parent; parent; parent = chain[chain.length - 1].pom.parent) {
      const parentKey = `${parent.groupId}:${parent.artifactId}:${parent.version}`;
      if (seen.includes(parentKey)) {
        throw new ResolveError(
          `the parent POMs form a cycle: ${[...seen, parentKey].join(" -> ")}`,
          {
            coordinates: parentKey,
            hint: "a repository serves broken POMs; report it to the project that published them",
          },
        );
      }
      const loaded = await this.#loadPom(parentKey);
      if (!loaded) {
        throw new ResolveError(
          `the parent POM ${parentKey} of ${seen[seen.length - 1]} was not found` +
            this.#triedSuffix(),
          {
            coordinates: parentKey,
            hint: "check the repositories in dvt.yaml (sync.repositories) or DVT_MAVEN_REPOS",
          },
        );
      }
      chain.push(loaded);
      seen.push(parentKey);
    }
    return chain;
  }

  #triedSuffix(): string {
    const tried = this.#source.repositories;
    return tried?.length ? ` (tried ${tried.join(", ")})` : "";
  }

  async #assemble(
    key: string,
    chain: LoadedPom[],
    importChain: string[],
  ): Promise<EffectiveModel> {
    const poms = chain.map((loaded) => this.#withActiveProfiles(loaded.pom));
    const merged = inherit(poms);
    const self = poms[0];
    const interpolate = createInterpolator(
      { ...merged, artifactId: self.artifactId, packaging: self.packaging, parent: self.parent },
      merged.properties,
      this.#env,
    );
    const toModel = (raw: PomDependency) => toModelDependency(raw, interpolate);
    const management = await this.#importBoms(
      merged.dependencyManagement.map(toModel),
      [...importChain, key],
      key,
    );
    const index = indexManagement(management);
    const model: EffectiveModel = {
      groupId: interpolate(merged.groupId ?? ""),
      artifactId: interpolate(self.artifactId ?? ""),
      version: interpolate(merged.version ?? ""),
      packaging: interpolate(self.packaging ?? "jar"),
      dependencies: merged.dependencies.map((raw) => applyManagement(toModel(raw), index)),
      dependencyManagement: management,
      repository: chain[0].repository,
    };
    if (self.relocation) model.relocation = interpolateRelocation(self.relocation, interpolate);
    return model;
  }

  // Each POM of the chain activates its own profiles, judged on its own properties.
  #withActiveProfiles(raw: Pom): Pom {
    const pom = { ...raw, dependencies: lastDeclarationWins(raw.dependencies) };
    const active = selectActiveProfiles(pom.profiles, pom.properties, this.#activation);
    return active.length ? injectProfiles(pom, active) : pom;
  }

  async #importBoms(
    entries: readonly ModelDependency[],
    importChain: string[],
    owner: string,
  ): Promise<ModelDependency[]> {
    const own = entries.filter((entry) => !isImport(entry));
    const imported: ModelDependency[][] = [];
    for (const bom of entries.filter(isImport)) {
      imported.push(
        (await this.#loadBom(bom.coordinates, importChain, owner)).dependencyManagement,
      );
    }
    return mergeImportedManagement(own, imported);
  }

  async #loadBom(c: Coordinates, importChain: string[], owner: string): Promise<EffectiveModel> {
    const key = `${c.groupId}:${c.artifactId}:${c.version}`;
    if (!c.version || c.version.includes("${")) {
      throw new ResolveError(
        `the BOM ${formatCoordinates(c)} imported by ${owner} has no usable version`,
        {
          coordinates: formatCoordinates(c),
          hint: "give the imported BOM a concrete <version> (or define the property it uses)",
        },
      );
    }
    if (importChain.includes(key)) {
      throw new ResolveError(`BOM imports form a cycle: ${[...importChain, key].join(" -> ")}`, {
        coordinates: key,
        hint: "a BOM imports itself through other BOMs; remove one of the imports",
      });
    }
    const model = await this.#build(key, importChain);
    if (!model) {
      throw new ResolveError(
        `the BOM ${key} imported by ${owner} was not found${this.#triedSuffix()}`,
        {
          coordinates: key,
          hint: "check the BOM coordinates and the repositories in dvt.yaml (sync.repositories)",
        },
      );
    }
    return model;
  }
}

interface MergedPom {
  groupId?: string;
  version?: string;
  properties: Map<string, string>;
  dependencies: PomDependency[];
  dependencyManagement: PomDependency[];
}

// Applies inheritance from the eldest ancestor down to the POM itself.
function inherit(chainChildFirst: Pom[]): MergedPom {
  let merged: MergedPom = { properties: new Map(), dependencies: [], dependencyManagement: [] };
  for (const pom of [...chainChildFirst].reverse()) {
    merged = {
      groupId: pom.groupId ?? pom.parent?.groupId ?? merged.groupId,
      version: pom.version ?? pom.parent?.version ?? merged.version,
      properties: new Map([...merged.properties, ...pom.properties]),
      dependencies: mergeByKey(pom.dependencies, merged.dependencies),
      dependencyManagement: mergeByKey(pom.dependencyManagement, merged.dependencyManagement),
    };
  }
  return merged;
}

const keyOf = (d: PomDependency) =>
  `${d.groupId}:${d.artifactId}:${d.type ?? "jar"}:${d.classifier ?? ""}`;

// Maven's inheritance merge: the child's entries, then the parent's whose key the child lacks.
function mergeByKey(child: PomDependency[], parent: PomDependency[]): PomDependency[] {
  const childKeys = new Set(child.map(keyOf));
  return [...child, ...parent.filter((d) => !childKeys.has(keyOf(d)))];
}

/**
 * A dependency declared twice in one POM: Maven 3 (DefaultModelNormalizer.mergeDuplicates,
 * kept for Maven 2 compatibility) keeps the last declaration, at the place of the first.
 */
function lastDeclarationWins(dependencies: PomDependency[]): PomDependency[] {
  const byKey = new Map<string, PomDependency>();
  for (const dependency of dependencies) byKey.set(keyOf(dependency), dependency);
  return byKey.size === dependencies.length ? dependencies : [...byKey.values()];
}

function toModelDependency(raw: PomDependency, interpolate: Interpolator): ModelDependency {
  const coordinates: Coordinates = {
    groupId: interpolate(raw.groupId ?? ""),
    artifactId: interpolate(raw.artifactId ?? ""),
    version: interpolate(raw.version ?? ""),
    type: interpolate(raw.type ?? "jar"),
  };
  if (raw.classifier) coordinates.classifier = interpolate(raw.classifier);
  const dependency: ModelDependency = {
    coordinates,
    exclusions: raw.exclusions.map((e) => ({
      groupId: interpolate(e.groupId),
      artifactId: interpolate(e.artifactId),
    })),
  };
  if (raw.scope) dependency.scope = interpolate(raw.scope);
  if (raw.optional) dependency.optional = interpolate(raw.optional) === "true";
  return dependency;
}

function interpolateRelocation(
  relocation: PomRelocation,
  interpolate: Interpolator,
): PomRelocation {
  const result: PomRelocation = {};
  for (const field of ["groupId", "artifactId", "version", "message"] as const) {
    const value = relocation[field];
    if (value !== undefined) result[field] = interpolate(value);
  }
  return result;
}

function readEnvironment(): Record<string, string> {
  try {
    return Deno.env.toObject();
  } catch {
    return {}; // without --allow-env, ${env.X} simply stays unresolved
  }
}

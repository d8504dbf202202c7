/**
 * Transitive dependency resolution with Maven 3's semantics. The requests are the direct
 * dependencies of a virtual root project; the graph is walked breadth-first in declaration
 * order and mediated as Maven 3 does:
 *
 * - nearest wins; at equal depth the first reached wins; so a direct declaration always wins.
 *   The losers' subtrees are not walked (Maven prunes them).
 * - only the root's dependencyManagement (`options.managed`, BOMs imported) overrides versions,
 *   scopes and exclusions of transitive dependencies (Maven's ClassicDependencyManager); a
 *   dependency's own dependencyManagement only completes its own POM's dependencies.
 * - transitive dependencies declared test, provided or system, and optional ones, are dropped;
 *   exclusions (`*` wildcards) apply to the subtree of the dependency declaring them.
 * - scopes: see scope_selection.ts; only compile and runtime artifacts are returned.
 * - dependency cycles are cut where they close, as Maven does (reported through `onCycle`);
 *   cycles of parents, BOM imports or relocations are errors.
 *
 * @module
 */
import { type Coordinates, formatCoordinates } from "./coordinates.ts";
import {
  applyManagement,
  indexManagement,
  managementKey,
  mergeExclusions,
  type ModelDependency,
} from "./dependency_management.ts";
import { type ArtifactDescriptor, DescriptorReader } from "./descriptor_reader.ts";
import { limitPomSource } from "./limited_pom_source.ts";
import { ModelBuilder } from "./model_builder.ts";
import type { Exclusion } from "./pom.ts";
import type { PomSource } from "./pom_source.ts";
import type { ActivationOptions } from "./profile_activation.ts";
import { type ScopeOccurrence, selectScopes } from "./scope_selection.ts";

/** A direct dependency of the virtual root project (or a root-level managed entry). */
export interface DependencyRequest {
  /** An empty version is filled from `options.managed`. */
  coordinates: Coordinates;
  /** Default: the managed scope, else `compile`. */
  scope?: "compile" | "runtime";
  exclusions?: Array<{ groupId: string; artifactId: string }>;
}

/** One artifact to download. */
export interface ResolvedArtifact {
  /** After relocation and mediation, version concrete. */
  coordinates: Coordinates;
  scope: "compile" | "runtime";
  /** 1 = direct. */
  depth: number;
  /** Formatted coordinates from the root request to this artifact (both included). */
  trail: string[];
  /** Where its POM came from. */
  repository?: string;
}

/** Options of {@linkcode resolveDependencies}. */
export interface ResolveOptions {
  /**
   * Root-level dependencyManagement, in precedence order. Entries of type `pom` are BOMs: their
   * managed entries are imported (as `<scope>import</scope>` would), first declaration wins.
   */
  managed?: DependencyRequest[];
  /** Serves `${env.X}` in POMs; default: the process environment. */
  env?: Readonly<Record<string, string>>;
  /**
   * The JDK, OS and user properties POM profiles are activated against; default JDK 17 and
   * this machine's OS (see profile_activation.ts).
   */
  activation?: ActivationOptions;
  /** Most POM/metadata fetches in flight at once; default 8. */
  concurrency?: number;
  /** Called with the path of each dependency cycle that was cut. */
  onCycle?: (trail: string[]) => void;
}

interface GraphNode {
  key: string;
  coordinates: Coordinates;
  depth: number;
  trail: string[];
  /** Exclusions in force for this node's children (inherited plus its own). */
  exclusions: Exclusion[];
  repository: string;
  ancestors: ReadonlySet<string>;
}

interface Candidate {
  dependency: ModelDependency;
  scope: string;
  parent?: GraphNode;
  depth: number;
}

const DROPPED_TRANSITIVE_SCOPES = new Set(["test", "provided", "system", "import"]);

/**
 * Resolves the transitive closure of `roots` the way Maven 3 would, returning the artifacts
 * with a file to download (pom-type dependencies are walked but not returned) in
 * breadth-first, declaration order.
 *
 * @example
 * ```ts ignore
 * const artifacts = await resolveDependencies(
 *   [{ coordinates: parseCoordinates("org.postgresql:postgresql:42.7.4") }],
 *   source,
 * );
 * ```
 */
export async function resolveDependencies(
  roots: DependencyRequest[],
  source: PomSource,
  options: ResolveOptions = {},
): Promise<ResolvedArtifact[]> {
  const limited = limitPomSource(source, options.concurrency ?? 8);
  const builder = new ModelBuilder(limited, options.env, options.activation);
  const reader = new DescriptorReader(builder, limited);
  const managed = indexManagement(
    await builder.resolveManagement((options.managed ?? []).map(managedToModel)),
  );
  const walk = new GraphWalk(reader, managed, options.onCycle);
  let level: Candidate[] = roots.map((root) => {
    const dependency = applyManagement(requestToModel(root), managed);
    return { dependency, scope: dependency.scope ?? "compile", depth: 1 };
  }).filter((candidate) => candidate.scope === "compile" || candidate.scope === "runtime");
  while (level.length) level = await walk.visitLevel(level);
  return walk.result();
}

function requestToModel(request: DependencyRequest): ModelDependency {
  const dependency: ModelDependency = {
    coordinates: { ...request.coordinates, type: request.coordinates.type || "jar" },
    exclusions: request.exclusions ?? [],
  };
  if (request.scope) dependency.scope = request.scope;
  return dependency;
}

// A managed entry of type pom is a BOM to import, whatever scope the caller gave.
function managedToModel(request: DependencyRequest): ModelDependency {
  const dependency = requestToModel(request);
  if (dependency.coordinates.type === "pom") dependency.scope = "import";
  return dependency;
}

/** The mutable state of one breadth-first walk. */
class GraphWalk {
  readonly #reader: DescriptorReader;
  readonly #managed: ReadonlyMap<string, ModelDependency>;
  readonly #onCycle?: (trail: string[]) => void;
  readonly #winners: GraphNode[] = [];
  readonly #winnerByKey = new Map<string, GraphNode>();
  // Declared key -> mediation key, so a later occurrence is mediated without reading its POM.
  readonly #declaredKeys = new Map<string, string>();
  readonly #occurrences = new Map<string, ScopeOccurrence[]>();

  constructor(
    reader: DescriptorReader,
    managed: ReadonlyMap<string, ModelDependency>,
    onCycle?: (trail: string[]) => void,
  ) {
    this.#reader = reader;
    this.#managed = managed;
    this.#onCycle = onCycle;
  }

  /** Mediates one level in order and returns the next level's candidates. */
  async visitLevel(level: Candidate[]): Promise<Candidate[]> {
    const reads = this.#prefetch(level);
    const next: Candidate[] = [];
    for (const candidate of level) {
      const declaredKey = managementKey(candidate.dependency.coordinates);
      const knownKey = this.#declaredKeys.get(declaredKey);
      if (knownKey !== undefined) {
        this.#lose(knownKey, candidate);
        continue;
      }
      const descriptor = await (reads.get(candidate) ?? this.#read(candidate));
      const key = managementKey(descriptor.coordinates);
      this.#declaredKeys.set(declaredKey, key);
      if (this.#winnerByKey.has(key)) {
        this.#lose(key, candidate);
        continue;
      }
      const node = this.#win(key, candidate, descriptor);
      next.push(...this.#children(node, descriptor));
    }
    return next;
  }

  /** The winners with a downloadable file and a runtime scope, in breadth-first order. */
  result(): ResolvedArtifact[] {
    const scopes = selectScopes(this.#winners.map((node) => node.key), this.#occurrences);
    const artifacts: ResolvedArtifact[] = [];
    for (const node of this.#winners) {
      const scope = scopes.get(node.key);
      if (node.coordinates.type === "pom") continue;
      if (scope !== "compile" && scope !== "runtime") continue;
      artifacts.push({
        coordinates: node.coordinates,
        scope,
        depth: node.depth,
        trail: node.trail,
        repository: node.repository,
      });
    }
    return artifacts;
  }

  // Starts reading the first candidate of each not-yet-mediated key, so fetches overlap.
  #prefetch(level: Candidate[]): Map<Candidate, Promise<ArtifactDescriptor>> {
    const reads = new Map<Candidate, Promise<ArtifactDescriptor>>();
    const started = new Set<string>();
    for (const candidate of level) {
      const declaredKey = managementKey(candidate.dependency.coordinates);
      if (this.#declaredKeys.has(declaredKey) || started.has(declaredKey)) continue;
      started.add(declaredKey);
      const read = this.#read(candidate);
      read.catch(() => {}); // surfaced when the candidate is processed, in order
      reads.set(candidate, read);
    }
    return reads;
  }

  #read(candidate: Candidate): Promise<ArtifactDescriptor> {
    return this.#reader.read(candidate.dependency.coordinates, candidate.parent?.trail ?? []);
  }

  #lose(key: string, candidate: Candidate): void {
    this.#record(key, candidate);
    const winner = this.#winnerByKey.get(key);
    if (winner && candidate.parent?.ancestors.has(key)) {
      const closing = formatCoordinates(candidate.dependency.coordinates);
      this.#onCycle?.([...candidate.parent.trail, closing]);
    }
  }

  #record(key: string, candidate: Candidate): void {
    const occurrence: ScopeOccurrence = { scope: candidate.scope };
    if (candidate.parent) occurrence.parentKey = candidate.parent.key;
    const list = this.#occurrences.get(key);
    if (list) list.push(occurrence);
    else this.#occurrences.set(key, [occurrence]);
  }

  #win(key: string, candidate: Candidate, descriptor: ArtifactDescriptor): GraphNode {
    const parent = candidate.parent;
    const node: GraphNode = {
      key,
      coordinates: descriptor.coordinates,
      depth: candidate.depth,
      trail: [...(parent?.trail ?? []), formatCoordinates(descriptor.coordinates)],
      exclusions: mergeExclusions(parent?.exclusions ?? [], candidate.dependency.exclusions),
      repository: descriptor.model.repository,
      ancestors: new Set([...(parent?.ancestors ?? []), key]),
    };
    this.#winners.push(node);
    this.#winnerByKey.set(key, node);
    this.#record(key, candidate);
    return node;
  }

  // The node's dependencies that Maven would follow, with root management applied.
  #children(node: GraphNode, descriptor: ArtifactDescriptor): Candidate[] {
    const children: Candidate[] = [];
    for (const declared of descriptor.model.dependencies) {
      const scope = declared.scope ?? "compile";
      if (DROPPED_TRANSITIVE_SCOPES.has(scope) || declared.optional) continue;
      if (isExcluded(declared.coordinates, node.exclusions)) continue;
      const dependency = this.#manage(declared);
      children.push({
        dependency,
        scope: dependency.scope ?? scope,
        parent: node,
        depth: node.depth + 1,
      });
    }
    return children;
  }

  // Root management overrides a transitive dependency's version and scope and adds exclusions.
  #manage(dependency: ModelDependency): ModelDependency {
    const entry = this.#managed.get(managementKey(dependency.coordinates));
    if (!entry) return dependency;
    const managed: ModelDependency = {
      ...dependency,
      coordinates: {
        ...dependency.coordinates,
        version: entry.coordinates.version || dependency.coordinates.version,
      },
      exclusions: mergeExclusions(dependency.exclusions, entry.exclusions),
    };
    if (entry.scope) managed.scope = entry.scope;
    return managed;
  }
}

/** Whether an exclusion (`*` matching anything) removes the coordinates. */
export function isExcluded(c: Coordinates, exclusions: readonly Exclusion[]): boolean {
  return exclusions.some((exclusion) =>
    (exclusion.groupId === "*" || exclusion.groupId === c.groupId) &&
    (exclusion.artifactId === "*" || exclusion.artifactId === c.artifactId)
  );
}

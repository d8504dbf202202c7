/**
 * Turning a declared dependency into a concrete artifact and its effective model: validating
 * the coordinates, choosing a version for a range from maven-metadata.xml, loading the POM and
 * following `<relocation>`s. Reads are memoised per declared coordinates.
 *
 * @module
 */
import { ResolveError } from "../errors.ts";
import { type Coordinates, coordinatesProblem, formatCoordinates } from "./coordinates.ts";
import { parseMetadataVersions } from "./metadata.ts";
import type { EffectiveModel, ModelBuilder } from "./model_builder.ts";
import type { PomSource } from "./pom_source.ts";
import { highestInRange, isVersionRange, parseVersionRequirement } from "./version_range.ts";

/** A concrete artifact (version chosen, relocations followed) and its effective model. */
export interface ArtifactDescriptor {
  coordinates: Coordinates;
  model: EffectiveModel;
}

const MAX_RELOCATIONS = 10;

/** Reads artifact descriptors through a {@linkcode ModelBuilder}, memoised. */
export class DescriptorReader {
  readonly #builder: ModelBuilder;
  readonly #source: PomSource;
  readonly #reads = new Map<string, Promise<ArtifactDescriptor>>();
  readonly #versions = new Map<string, Promise<string[]>>();

  constructor(builder: ModelBuilder, source: PomSource) {
    this.#builder = builder;
    this.#source = source;
  }

  /**
   * The descriptor of declared coordinates. `trail` (formatted coordinates from the root
   * request down to the requester) is named in errors.
   */
  read(declared: Coordinates, trail: readonly string[]): Promise<ArtifactDescriptor> {
    const key = formatCoordinates(declared);
    let read = this.#reads.get(key);
    if (!read) {
      read = this.#read(declared, trail);
      this.#reads.set(key, read);
    }
    return read;
  }

  async #read(declared: Coordinates, trail: readonly string[]): Promise<ArtifactDescriptor> {
    checkCoordinates(declared, trail);
    let coordinates = { ...declared, version: await this.#chooseVersion(declared, trail) };
    let model = await this.#model(coordinates, trail);
    const visited = [formatCoordinates(coordinates)];
    while (model.relocation) {
      const target: Coordinates = {
        ...coordinates,
        groupId: model.relocation.groupId || coordinates.groupId,
        artifactId: model.relocation.artifactId || coordinates.artifactId,
        version: model.relocation.version || coordinates.version,
      };
      const formatted = formatCoordinates(target);
      if (formatted === visited[visited.length - 1]) break; // relocation to itself: none
      if (visited.includes(formatted) || visited.length > MAX_RELOCATIONS) {
        throw new ResolveError(
          `relocations form a cycle: ${[...visited, formatted].join(" -> ")}`,
          {
            coordinates: formatted,
            hint:
              "the repository's POMs relocate in a circle; declare the final coordinates directly",
          },
        );
      }
      checkCoordinates(target, [...trail, ...visited]);
      coordinates = target;
      model = await this.#model(target, [...trail, ...visited]);
      visited.push(formatted);
    }
    return { coordinates, model };
  }

  async #model(c: Coordinates, trail: readonly string[]): Promise<EffectiveModel> {
    const model = await this.#builder.build(c.groupId, c.artifactId, c.version);
    if (model) return model;
    const tried = this.#source.repositories?.length
      ? ` in ${this.#source.repositories.join(", ")}`
      : "";
    const path = [...trail, formatCoordinates(c)].join(" -> ");
    throw new ResolveError(
      `the POM of ${formatCoordinates(c)} was not found${tried}; needed by ${path}`,
      {
        coordinates: formatCoordinates(c),
        hint:
          "check the coordinates and version, and the repositories in dvt.yaml (sync.repositories)",
      },
    );
  }

  async #chooseVersion(c: Coordinates, trail: readonly string[]): Promise<string> {
    if (!isVersionRange(c.version)) return c.version;
    const path = [...trail, formatCoordinates(c)].join(" -> ");
    let requirement;
    try {
      requirement = parseVersionRequirement(c.version);
    } catch (error) {
      if (!(error instanceof ResolveError)) throw error;
      throw new ResolveError(`${error.message}; needed by ${path}`, {
        coordinates: formatCoordinates(c),
        hint: error.hint,
      });
    }
    const available = await this.#availableVersions(c.groupId, c.artifactId);
    const chosen = highestInRange(requirement, available);
    if (chosen !== undefined) return chosen;
    throw new ResolveError(
      `no version of ${c.groupId}:${c.artifactId} matches ${c.version} ` +
        `(available: ${available.join(", ") || "none"}); needed by ${path}`,
      {
        coordinates: formatCoordinates(c),
        hint: "widen the range, or pin a version in dependencyManagement (sync.adapters)",
      },
    );
  }

  #availableVersions(groupId: string, artifactId: string): Promise<string[]> {
    const key = `${groupId}:${artifactId}`;
    let versions = this.#versions.get(key);
    if (!versions) {
      versions = this.#source.fetchMetadata(groupId, artifactId).then((xml) =>
        xml === undefined ? [] : parseMetadataVersions(xml, key)
      );
      this.#versions.set(key, versions);
    }
    return versions;
  }
}

// Rejects coordinates that are incomplete, still hold `${...}`, or are unsafe in a path.
function checkCoordinates(c: Coordinates, trail: readonly string[]): void {
  const declaredBy = trail.length ? ` declared by ${trail.join(" -> ")}` : "";
  const shown = formatCoordinates(c);
  if (!c.version) {
    throw new ResolveError(`the dependency ${shown}${declaredBy} has no version`, {
      coordinates: shown,
      hint: "the POM neither gives a version nor manages one; pin it in dependencyManagement",
    });
  }
  const unresolved = Object.values(c).find((v) => typeof v === "string" && v.includes("${"));
  if (unresolved !== undefined) {
    const expression = /\$\{[^}]*\}/.exec(unresolved)?.[0] ?? unresolved;
    throw new ResolveError(
      `the dependency ${shown}${declaredBy} uses ${expression}, which is not defined`,
      {
        coordinates: shown,
        hint: "define the property in the POM or its parents (or set the environment variable)",
      },
    );
  }
  const problem = coordinatesProblem(c);
  if (problem) {
    throw new ResolveError(`the dependency ${shown}${declaredBy} is invalid: ${problem}`, {
      coordinates: shown,
      hint: "the POM declares coordinates Maven would reject; report it to its publisher",
    });
  }
}

/**
 * Test helper: POMs written from a compact description and served from memory, with a log of
 * what was fetched.
 *
 * @module
 */
import type { FetchedPom, PomSource } from "../../../runtime/maven/pom_source.ts";

/** A dependency: "g:a[:type[:classifier]]:v" (or "g:a" without version) plus options. */
export type DepSpec = string | {
  c: string;
  scope?: string;
  optional?: boolean;
  exclusions?: string[];
};

/** One POM. */
export interface PomSpec {
  /** "g:a:v" */
  id: string;
  parent?: string;
  packaging?: string;
  properties?: Record<string, string>;
  deps?: DepSpec[];
  managed?: DepSpec[];
  relocation?: { groupId?: string; artifactId?: string; version?: string };
}

/** The base URL reported as the repository of every POM. */
export const MEMORY_REPOSITORY = "memory://test-repo/";

/** Serves the given POMs; metadata lists the versions of each g:a present. */
export class MemoryPomSource implements PomSource {
  readonly repositories = [MEMORY_REPOSITORY];
  readonly fetched: string[] = [];
  readonly #poms = new Map<string, string>();

  constructor(specs: PomSpec[]) {
    for (const spec of specs) this.#poms.set(spec.id, pomXml(spec));
  }

  fetchPom(groupId: string, artifactId: string, version: string): Promise<FetchedPom | undefined> {
    const key = `${groupId}:${artifactId}:${version}`;
    this.fetched.push(key);
    const xml = this.#poms.get(key);
    return Promise.resolve(xml === undefined ? undefined : { xml, repository: MEMORY_REPOSITORY });
  }

  fetchMetadata(groupId: string, artifactId: string): Promise<string | undefined> {
    const prefix = `${groupId}:${artifactId}:`;
    const versions = [...this.#poms.keys()].filter((key) => key.startsWith(prefix))
      .map((key) => key.slice(prefix.length));
    if (!versions.length) return Promise.resolve(undefined);
    const items = versions.map((v) => `<version>${v}</version>`).join("");
    return Promise.resolve(
      `<metadata><versioning><versions>${items}</versions></versioning></metadata>`,
    );
  }
}

function element(name: string, value: string | undefined): string {
  return value === undefined ? "" : `<${name}>${value}</${name}>`;
}

function dependencyXml(dep: DepSpec): string {
  const spec = typeof dep === "string" ? { c: dep } : dep;
  const parts = spec.c.split(":");
  const [groupId, artifactId] = parts;
  const version = parts.length >= 3 ? parts[parts.length - 1] : undefined;
  const type = parts.length >= 4 ? parts[2] : undefined;
  const classifier = parts.length === 5 ? parts[3] : undefined;
  const exclusions = (spec.exclusions ?? []).map((e) => {
    const [g, a] = e.split(":");
    return `<exclusion>${element("groupId", g)}${element("artifactId", a)}</exclusion>`;
  }).join("");
  return `<dependency>${element("groupId", groupId)}${element("artifactId", artifactId)}` +
    `${element("version", version)}${element("type", type)}${element("classifier", classifier)}` +
    `${element("scope", spec.scope)}${element("optional", spec.optional ? "true" : undefined)}` +
    `${exclusions ? `<exclusions>${exclusions}</exclusions>` : ""}</dependency>`;
}

/** Writes a POM for a spec. */
export function pomXml(spec: PomSpec): string {
  const [groupId, artifactId, version] = spec.id.split(":");
  const parent = spec.parent?.split(":");
  const properties = Object.entries(spec.properties ?? {})
    .map(([name, value]) => element(name, value)).join("");
  const relocation = spec.relocation
    ? `<distributionManagement><relocation>${element("groupId", spec.relocation.groupId)}` +
      `${element("artifactId", spec.relocation.artifactId)}` +
      `${element("version", spec.relocation.version)}</relocation></distributionManagement>`
    : "";
  return `<?xml version="1.0"?>\n<project xmlns="http://maven.apache.org/POM/4.0.0">` +
    `<modelVersion>4.0.0</modelVersion>` +
    (parent
      ? `<parent>${element("groupId", parent[0])}${element("artifactId", parent[1])}` +
        `${element("version", parent[2])}</parent>`
      : "") +
    `${element("groupId", groupId)}${element("artifactId", artifactId)}${
      element("version", version)
    }` +
    `${element("packaging", spec.packaging)}` +
    (properties ? `<properties>${properties}</properties>` : "") +
    (spec.managed?.length
      ? `<dependencyManagement><dependencies>${spec.managed.map(dependencyXml).join("")}` +
        `</dependencies></dependencyManagement>`
      : "") +
    (spec.deps?.length
      ? `<dependencies>${spec.deps.map(dependencyXml).join("")}</dependencies>`
      : "") +
    relocation + `</project>`;
}

/**
 * Reading one POM file into plain data, exactly as written (no inheritance, no interpolation):
 * the parts dependency resolution needs.
 *
 * @module
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { ResolveError } from "../errors.ts";

/** A `<exclusion>`: `*` is a wildcard for either part. */
export interface Exclusion {
  groupId: string;
  artifactId: string;
}

/** A `<dependency>` as written; any field may still hold `${...}` expressions. */
export interface PomDependency {
  groupId?: string;
  artifactId?: string;
  version?: string;
  type?: string;
  classifier?: string;
  scope?: string;
  optional?: string;
  exclusions: Exclusion[];
}

/** `<parent>` coordinates. */
export interface PomParent {
  groupId: string;
  artifactId: string;
  version: string;
}

/** `<distributionManagement><relocation>`: missing fields default to the original's. */
export interface PomRelocation {
  groupId?: string;
  artifactId?: string;
  version?: string;
  message?: string;
}

/** One POM as written. */
export interface Pom {
  parent?: PomParent;
  groupId?: string;
  artifactId?: string;
  version?: string;
  packaging?: string;
  /** `<properties>` in document order. */
  properties: Map<string, string>;
  dependencies: PomDependency[];
  dependencyManagement: PomDependency[];
  relocation?: PomRelocation;
}

type XmlNode = Record<string, unknown>;

const ARRAY_PATHS = new Set([
  "project.dependencies.dependency",
  "project.dependencyManagement.dependencies.dependency",
  "project.dependencies.dependency.exclusions.exclusion",
  "project.dependencyManagement.dependencies.dependency.exclusions.exclusion",
]);

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (_name, path) => ARRAY_PATHS.has(String(path)),
});

/**
 * Parses POM XML. `label` names the POM (its coordinates) in errors.
 *
 * @example
 * ```ts
 * import { parsePom } from "./pom.ts";
 * const pom = parsePom("<project><artifactId>x</artifactId></project>", "g:x:1");
 * console.assert(pom.artifactId === "x");
 * ```
 */
export function parsePom(xml: string, label: string): Pom {
  const validation = XMLValidator.validate(xml);
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    throw new ResolveError(`the POM of ${label} is not well-formed XML: ${msg}`, {
      hint: "the repository served a broken POM; check the repository or mirror",
      location: { file: label, line, column: col },
    });
  }
  const document = parser.parse(xml) as XmlNode;
  const project = document.project;
  if (!isNode(project)) {
    throw new ResolveError(`the POM of ${label} has no <project> element`, {
      hint: "the repository served something that is not a POM; check the repository URL",
    });
  }
  return readProject(project);
}

function readProject(project: XmlNode): Pom {
  const pom: Pom = {
    properties: readProperties(project.properties),
    dependencies: readDependencies(child(project.dependencies)?.dependency),
    dependencyManagement: readDependencies(
      child(child(project.dependencyManagement)?.dependencies)?.dependency,
    ),
  };
  assignText(pom, "groupId", project.groupId);
  assignText(pom, "artifactId", project.artifactId);
  assignText(pom, "version", project.version);
  assignText(pom, "packaging", project.packaging);
  const parent = child(project.parent);
  if (parent) {
    pom.parent = {
      groupId: text(parent.groupId) ?? "",
      artifactId: text(parent.artifactId) ?? "",
      version: text(parent.version) ?? "",
    };
  }
  const relocation = child(child(project.distributionManagement)?.relocation);
  if (relocation) pom.relocation = readRelocation(relocation);
  return pom;
}

function readRelocation(node: XmlNode): PomRelocation {
  const relocation: PomRelocation = {};
  assignText(relocation, "groupId", node.groupId);
  assignText(relocation, "artifactId", node.artifactId);
  assignText(relocation, "version", node.version);
  assignText(relocation, "message", node.message);
  return relocation;
}

function readProperties(value: unknown): Map<string, string> {
  const properties = new Map<string, string>();
  const node = child(value);
  if (!node) return properties;
  for (const [name, raw] of Object.entries(node)) {
    // A repeated property element: the last one wins, as in Maven.
    const last = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    properties.set(name, text(last) ?? "");
  }
  return properties;
}

function readDependencies(value: unknown): PomDependency[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isNode).map(readDependency);
}

function readDependency(node: XmlNode): PomDependency {
  const dependency: PomDependency = {
    exclusions: readExclusions(child(node.exclusions)?.exclusion),
  };
  for (const field of FIELDS) assignText(dependency, field, node[field]);
  return dependency;
}

const FIELDS = [
  "groupId",
  "artifactId",
  "version",
  "type",
  "classifier",
  "scope",
  "optional",
] as const;

function readExclusions(value: unknown): Exclusion[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isNode).map((node) => ({
    groupId: text(node.groupId) ?? "*",
    artifactId: text(node.artifactId) ?? "*",
  }));
}

function isNode(value: unknown): value is XmlNode {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function child(value: unknown): XmlNode | undefined {
  return isNode(value) ? value : undefined;
}

// Element text; empty elements and nested markup count as absent.
function text(value: unknown): string | undefined {
  if (typeof value === "string") return value === "" ? undefined : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

function assignText<T extends object>(target: T, key: keyof T & string, value: unknown): void {
  const found = text(value);
  if (found !== undefined) (target as Record<string, unknown>)[key] = found;
}

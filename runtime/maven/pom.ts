/**
 * Reading one POM file into plain data, exactly as written (no inheritance, no interpolation):
 * the parts dependency resolution needs.
 *
 * @module
 */
import { ResolveError } from "../errors.ts";
import { mavenXmlParser, xmlSyntaxError } from "./maven_xml.ts";

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

/** `<activation><os>`: each field may start with `!` (negation). */
export interface PomActivationOs {
  name?: string;
  family?: string;
  arch?: string;
  version?: string;
}

/** A profile's `<activation>` as written; absent triggers are undefined. */
export interface PomActivation {
  activeByDefault: boolean;
  jdk?: string;
  os?: PomActivationOs;
  property?: { name?: string; value?: string };
  file?: { exists?: string; missing?: string };
}

/** A `<profile>`: the parts that change dependency resolution. */
export interface PomProfile {
  id: string;
  activation?: PomActivation;
  properties: Map<string, string>;
  dependencies: PomDependency[];
  dependencyManagement: PomDependency[];
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
  /** `<profiles>` in document order, none activated yet. */
  profiles: PomProfile[];
}

type XmlNode = Record<string, unknown>;

const DEPENDENCY_LISTS = [
  "dependencies.dependency",
  "dependencyManagement.dependencies.dependency",
];

// Elements that may repeat, in the project and in each profile.
const ARRAY_PATHS = new Set([
  "project.profiles.profile",
  ...["project", "project.profiles.profile"].flatMap((base) =>
    DEPENDENCY_LISTS.flatMap((list) => [`${base}.${list}`, `${base}.${list}.exclusions.exclusion`])
  ),
]);

const parse = mavenXmlParser(ARRAY_PATHS);

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
  const syntax = xmlSyntaxError(xml);
  if (syntax) {
    const { message, line, column } = syntax;
    throw new ResolveError(`the POM of ${label} is not well-formed XML: ${message}`, {
      coordinates: label,
      hint: "the repository served a broken POM; check the repository or mirror",
      location: { file: label, line, column },
    });
  }
  const document = parse(xml) as XmlNode;
  const project = document.project;
  if (!isNode(project)) {
    throw new ResolveError(`the POM of ${label} has no <project> element`, {
      coordinates: label,
      hint: "the repository served something that is not a POM; check the repository URL",
    });
  }
  return readProject(project);
}

function readProject(project: XmlNode): Pom {
  const pom: Pom = {
    properties: readProperties(project.properties),
    dependencies: readDependencies(child(project.dependencies)?.dependency),
    dependencyManagement: readManagement(project.dependencyManagement),
    profiles: readProfiles(child(project.profiles)?.profile),
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

function readManagement(value: unknown): PomDependency[] {
  return readDependencies(child(child(value)?.dependencies)?.dependency);
}

function readProfiles(value: unknown): PomProfile[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isNode).map((node) => {
    const profile: PomProfile = {
      id: text(node.id) ?? "default", // Maven's default profile id
      properties: readProperties(node.properties),
      dependencies: readDependencies(child(node.dependencies)?.dependency),
      dependencyManagement: readManagement(node.dependencyManagement),
    };
    const activation = child(node.activation);
    if (activation) profile.activation = readActivation(activation);
    return profile;
  });
}

function readActivation(node: XmlNode): PomActivation {
  const activation: PomActivation = { activeByDefault: text(node.activeByDefault) === "true" };
  assignText(activation, "jdk", node.jdk);
  const os = child(node.os);
  if (os) activation.os = readFields(os, ["name", "family", "arch", "version"]);
  const property = child(node.property);
  if (property) activation.property = readFields(property, ["name", "value"]);
  const file = child(node.file);
  if (file) activation.file = readFields(file, ["exists", "missing"]);
  // An empty <property/> or <file/> parses as "": still present, as in Maven.
  if (node.property === "") activation.property = {};
  if (node.file === "") activation.file = {};
  if (node.os === "") activation.os = {};
  return activation;
}

function readFields<K extends string>(
  node: XmlNode,
  fields: readonly K[],
): Partial<Record<K, string>> {
  const result: Partial<Record<K, string>> = {};
  for (const field of fields) assignText(result, field, node[field]);
  return result;
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

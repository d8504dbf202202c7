/**
 * Maven coordinates: parsing `group:artifact[:type[:classifier]]:version`, the canonical string
 * form, and the repository layout paths built from them. Every path segment is validated, since
 * coordinates come from untrusted POMs and must never let a path leave the repository root.
 *
 * @module
 */
import { InputError } from "../errors.ts";

/** One Maven artifact. `type` is the dependency type (default `jar`), not the file extension. */
export interface Coordinates {
  groupId: string;
  artifactId: string;
  version: string;
  /** Dependency type: `jar` (default), `pom`, `test-jar`, `bundle`, ... */
  type: string;
  classifier?: string;
}

/** The file extension and implied classifier of the dependency types Maven knows. */
const TYPE_HANDLERS: Record<string, { extension: string; classifier?: string }> = {
  "jar": { extension: "jar" },
  "pom": { extension: "pom" },
  "bundle": { extension: "jar" },
  "maven-plugin": { extension: "jar" },
  "ejb": { extension: "jar" },
  "test-jar": { extension: "jar", classifier: "tests" },
  "ejb-client": { extension: "jar", classifier: "client" },
  "java-source": { extension: "jar", classifier: "sources" },
  "javadoc": { extension: "jar", classifier: "javadoc" },
};

const EXPECTED_FORMAT = "groupId:artifactId[:type[:classifier]]:version";

// Group and artifact ids: Maven's own validation allows letters, digits, `_`, `-` and `.`.
const ID_PATTERN = /^[A-Za-z0-9_.-]+$/;
// Versions and classifiers also appear in file names; ranges add brackets and commas.
const VERSION_PATTERN = /^[A-Za-z0-9_.+\-\[\](),]+$/;

/**
 * Parses `group:artifact[:type[:classifier]]:version`.
 *
 * @example
 * ```ts
 * import { parseCoordinates } from "./coordinates.ts";
 * const c = parseCoordinates("org.postgresql:postgresql:42.7.4");
 * console.assert(c.type === "jar" && c.version === "42.7.4");
 * ```
 */
export function parseCoordinates(text: string): Coordinates {
  const parts = text.trim().split(":");
  if (parts.length < 3 || parts.length > 5 || parts.some((part) => part === "")) {
    throw new InputError(
      `invalid Maven coordinates "${text}": expected ${EXPECTED_FORMAT}`,
      { hint: 'write e.g. "org.postgresql:postgresql:42.7.4"' },
    );
  }
  const [groupId, artifactId] = parts;
  const version = parts[parts.length - 1];
  const type = parts.length >= 4 ? parts[2] : "jar";
  const classifier = parts.length === 5 ? parts[3] : undefined;
  const coordinates: Coordinates = { groupId, artifactId, version, type };
  if (classifier !== undefined) coordinates.classifier = classifier;
  const problem = coordinatesProblem(coordinates);
  if (problem) {
    throw new InputError(`invalid Maven coordinates "${text}": ${problem}`, {
      hint: `use ${EXPECTED_FORMAT} with letters, digits, ".", "-" and "_" only`,
    });
  }
  return coordinates;
}

/**
 * Explains what is wrong with coordinates, or returns undefined when they are safe to use in
 * repository paths.
 */
export function coordinatesProblem(c: Coordinates): string | undefined {
  if (!ID_PATTERN.test(c.groupId)) return `groupId "${c.groupId}" has characters not allowed`;
  if (!ID_PATTERN.test(c.artifactId)) {
    return `artifactId "${c.artifactId}" has characters not allowed`;
  }
  if (!ID_PATTERN.test(c.type)) return `type "${c.type}" has characters not allowed`;
  if (c.classifier !== undefined && !ID_PATTERN.test(c.classifier)) {
    return `classifier "${c.classifier}" has characters not allowed`;
  }
  if (!VERSION_PATTERN.test(c.version)) return `version "${c.version}" has characters not allowed`;
  if ([c.groupId, c.artifactId, c.version].some((part) => /^\.+$/.test(part))) {
    return "a part consists of dots only";
  }
  return undefined;
}

/**
 * The canonical string: `group:artifact:version`, or with `:type[:classifier]` when the type is
 * not `jar` or a classifier is set.
 */
export function formatCoordinates(c: Coordinates): string {
  if (c.classifier) return `${c.groupId}:${c.artifactId}:${c.type}:${c.classifier}:${c.version}`;
  if (c.type !== "jar") return `${c.groupId}:${c.artifactId}:${c.type}:${c.version}`;
  return `${c.groupId}:${c.artifactId}:${c.version}`;
}

/** The file extension a dependency type downloads (`bundle` -> `jar`, unknown types as-is). */
export function typeExtension(type: string): string {
  return TYPE_HANDLERS[type]?.extension ?? type;
}

/** The classifier a file carries: the explicit one, else the one the type implies. */
export function effectiveClassifier(c: Coordinates): string | undefined {
  return c.classifier || TYPE_HANDLERS[c.type]?.classifier;
}

/** The artifact's file name: `artifact-version[-classifier].ext`. */
export function artifactFileName(c: Coordinates): string {
  assertSafe(c);
  const classifier = effectiveClassifier(c);
  const suffix = classifier ? `-${classifier}` : "";
  return `${c.artifactId}-${c.version}${suffix}.${typeExtension(c.type)}`;
}

/** The artifact's path in a Maven 2 layout repository, e.g. `org/postgresql/.../x-1.jar`. */
export function artifactPath(c: Coordinates): string {
  return `${versionDirectory(c.groupId, c.artifactId, c.version)}/${artifactFileName(c)}`;
}

/** The path of a POM in a Maven 2 layout repository. */
export function pomPath(groupId: string, artifactId: string, version: string): string {
  return artifactPath({ groupId, artifactId, version, type: "pom" });
}

/** The path of an artifact's `maven-metadata.xml` (the list of its versions). */
export function metadataPath(groupId: string, artifactId: string): string {
  assertSafe({ groupId, artifactId, version: "0", type: "jar" });
  return `${groupId.replaceAll(".", "/")}/${artifactId}/maven-metadata.xml`;
}

function versionDirectory(groupId: string, artifactId: string, version: string): string {
  return `${groupId.replaceAll(".", "/")}/${artifactId}/${version}`;
}

function assertSafe(c: Coordinates): void {
  const problem = coordinatesProblem(c);
  if (problem) {
    throw new InputError(`unsafe Maven coordinates ${formatCoordinates(c)}: ${problem}`, {
      hint: "check the coordinates in dvt.yaml or the POM that declared them",
    });
  }
}

/**
 * Reading `maven-metadata.xml`: the versions a repository holds for one artifact.
 *
 * @module
 */
import { ResolveError } from "../errors.ts";
import { mavenXmlParser, xmlSyntaxError } from "./maven_xml.ts";

const parse = mavenXmlParser(new Set(["metadata.versioning.versions.version"]));

/**
 * The versions listed in a maven-metadata.xml, in document order. `label` names the artifact
 * in errors.
 *
 * @example
 * ```ts
 * import { parseMetadataVersions } from "./metadata.ts";
 * const xml = "<metadata><versioning><versions><version>1.0</version></versions></versioning></metadata>";
 * console.assert(parseMetadataVersions(xml, "g:a")[0] === "1.0");
 * ```
 */
export function parseMetadataVersions(xml: string, label: string): string[] {
  const syntax = xmlSyntaxError(xml);
  if (syntax) {
    throw new ResolveError(
      `the maven-metadata.xml of ${label} is not well-formed XML: ${syntax.message}`,
      {
        coordinates: label,
        hint: "the repository served broken metadata; check the repository or mirror",
        location: { file: `${label} maven-metadata.xml`, line: syntax.line },
      },
    );
  }
  const document = parse(xml) as {
    metadata?: { versioning?: { versions?: { version?: unknown[] } } };
  };
  const versions = document.metadata?.versioning?.versions?.version ?? [];
  return versions.filter((version): version is string =>
    typeof version === "string" && version !== ""
  );
}

/**
 * The one fast-xml-parser configuration for Maven's XML (POMs and maven-metadata.xml): elements
 * only (attributes and namespace prefixes dropped), every value a trimmed string, and the
 * elements a caller names always parsed as lists, even when one occurs once.
 *
 * @module
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";

/** Where a document stops being well-formed XML. Lines and columns are 1-based. */
export interface XmlSyntaxError {
  message: string;
  line: number;
  column: number;
}

/** The first syntax error of `xml`, or undefined when it is well-formed. */
export function xmlSyntaxError(xml: string): XmlSyntaxError | undefined {
  const validation = XMLValidator.validate(xml);
  if (validation === true) return undefined;
  const { msg, line, col } = validation.err;
  return { message: msg, line, column: col };
}

/**
 * A parser for well-formed Maven XML; `listPaths` are the dotted element paths that are lists.
 *
 * @example
 * ```ts
 * import { mavenXmlParser } from "./maven_xml.ts";
 * const parse = mavenXmlParser(new Set(["a.b"]));
 * const doc = parse("<a><b> 1 </b></a>") as { a: { b: string[] } };
 * if (doc.a.b[0] !== "1") throw new Error("unreachable");
 * ```
 */
export function mavenXmlParser(listPaths: ReadonlySet<string>): (xml: string) => unknown {
  const parser = new XMLParser({
    ignoreAttributes: true,
    removeNSPrefix: true,
    parseTagValue: false,
    trimValues: true,
    isArray: (_name, path) => listPaths.has(String(path)),
  });
  return (xml) => parser.parse(xml);
}

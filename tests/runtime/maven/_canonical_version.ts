/**
 * Test helper: Maven's canonical form of a version (`1.0.0` -> `1`, `1-GA` -> `1`), written from
 * the parsed item list so tests can see what parsing normalised. dvt itself only compares.
 *
 * @module
 */
import { type ParsedVersion, parseVersion } from "../../../runtime/maven/version.ts";

type Item = ParsedVersion["items"][number];

function formatList(list: readonly Item[]): string {
  let text = "";
  for (const item of list) {
    if (text) text += Array.isArray(item) ? "-" : ".";
    text += Array.isArray(item) ? formatList(item) : String(item);
  }
  return text;
}

/** The canonical form of `text` as Maven's ComparableVersion prints it. */
export function canonicalVersion(text: string): string {
  return formatList(parseVersion(text).items);
}

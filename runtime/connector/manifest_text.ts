/**
 * connector.yaml text -> a validated Manifest: the YAML parse (with positions for errors) and
 * manifest.ts's validation. Imported lazily by loadManifest, so extracts of built-in connectors
 * never load the YAML parser.
 *
 * @module
 */
import { ManifestError } from "../errors.ts";
import { parseYamlText } from "../util/yaml_file.ts";
import { type Manifest, manifestFromYaml } from "./manifest.ts";

/**
 * Validates connector.yaml text. `path` (file path or URL) is used in errors and to resolve the
 * entrypoint.
 *
 * @example
 * ```ts
 * import { parseManifest } from "./manifest_text.ts";
 * const manifest = parseManifest(
 *   "name: demo\nversion: 1.0.0\nentrypoint: ./connector.ts\ncapabilities: [discover, read]\n",
 *   "connectors/demo/connector.yaml",
 * );
 * manifest.caps; // 3
 * ```
 */
export function parseManifest(text: string, path: string): Manifest {
  return manifestFromYaml(parseYamlText(text, path, ManifestError));
}

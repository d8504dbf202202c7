/**
 * `buckets.yml`: the cloud storage native connectors stage data in. Its `default.type` applies
 * to every adapter, `adapters.<name>.type` to one; the adapter's own entry wins.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { readYamlFile } from "../util/yaml_file.ts";
import { pathKind } from "../util/path_kind.ts";

/** The parts of buckets.yml sync reads. */
export interface BucketsConfig {
  defaultType?: string;
  adapterTypes: Record<string, string>;
}

/** Reads buckets.yml; undefined when the file does not exist (then nothing is checked). */
export async function readBucketsConfig(path: string): Promise<BucketsConfig | undefined> {
  if (!await pathKind(path)) return undefined;
  const file = await readYamlFile(path, ConfigError);
  const fail = (at: string[], message: string) =>
    new ConfigError(message, {
      location: file.locate(at),
      hint: "write e.g. default: { type: s3 } and adapters: { bigquery: { type: gcs } }",
    });
  const root = file.value ?? {};
  if (!isRecord(root)) throw fail([], "expected a mapping");
  const config: BucketsConfig = { adapterTypes: {} };
  if (root.default !== undefined) config.defaultType = typeOf(root.default, ["default"], fail);
  if (root.adapters !== undefined) {
    if (!isRecord(root.adapters)) throw fail(["adapters"], "expected a mapping of adapters");
    for (const [adapter, entry] of Object.entries(root.adapters)) {
      const type = typeOf(entry, ["adapters", adapter], fail);
      if (type) config.adapterTypes[adapter] = type;
    }
  }
  return config;
}

function typeOf(
  entry: unknown,
  at: string[],
  fail: (at: string[], message: string) => ConfigError,
): string | undefined {
  if (!isRecord(entry)) throw fail(at, "expected a mapping with a type");
  if (entry.type === undefined) return undefined;
  if (typeof entry.type !== "string") throw fail([...at, "type"], "expected s3, gcs or azure");
  return entry.type.trim().toLowerCase();
}

/** The bucket type configured for an adapter: its own entry, else the default. */
export function bucketTypeForAdapter(adapter: string, config: BucketsConfig): string | undefined {
  return config.adapterTypes[adapter] ?? config.defaultType;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * From adapter types to what must be resolved: per group (`jdbc`, `native`) the root
 * coordinates of each adapter, after dvt.yaml overrides. Unknown adapters and bucket type
 * mismatches are reported as events, never fatal.
 *
 * @module
 */
import { type Coordinates, parseCoordinates } from "../maven/coordinates.ts";
import { type BucketsConfig, bucketTypeForAdapter } from "./buckets.ts";
import { JDBC_DRIVERS } from "./jdbc_drivers.ts";
import { NATIVE_CONNECTORS } from "./native_connectors.ts";
import type { AdapterOverride } from "./sync_config.ts";
import type { SyncEventSink } from "./sync_events.ts";
import { ConfigError } from "../errors.ts";
import { alternatives, didYouMean } from "../util/field_check.ts";

/** The two sets of JARs sync manages. */
export type SyncGroup = "jdbc" | "native";

/** One adapter's roots in one group; `roots[0]` is the JAR reported as "OK (...)". */
export interface AdapterRoots {
  adapter: string;
  roots: Coordinates[];
}

/** What to resolve. */
export interface SyncPlan {
  jdbc: AdapterRoots[];
  native: AdapterRoots[];
}

/** Builds the plan for the adapters in use; emits UnknownAdapter, mismatch and skip events. */
export function buildSyncPlan(
  adapters: readonly string[],
  overrides: Readonly<Record<string, AdapterOverride>>,
  buckets: BucketsConfig | undefined,
  groups: { jdbc: boolean; native: boolean },
  emit: SyncEventSink,
): SyncPlan {
  const plan: SyncPlan = { jdbc: [], native: [] };
  const supported = [...new Set([...Object.keys(JDBC_DRIVERS), ...Object.keys(overrides)])].sort();
  for (const adapter of adapters) {
    const override = overrides[adapter] ?? {};
    const jdbc = override.jdbc ?? JDBC_DRIVERS[adapter];
    const spec = NATIVE_CONNECTORS[adapter];
    const native = override.native ?? (spec ? [spec.connector, ...spec.dependencies] : undefined);
    if (!jdbc && !native) {
      emit({ name: "UnknownAdapter", adapter, supported });
      continue;
    }
    if (groups.jdbc && jdbc) plan.jdbc.push({ adapter, roots: [parseCoordinates(jdbc)] });
    if (!native) {
      emit({ name: "NativeConnectorSkipped", adapter, reason: "no native connector" });
      continue;
    }
    if (!groups.native) {
      emit({ name: "NativeConnectorSkipped", adapter, reason: "--no-native" });
      continue;
    }
    const required = override.bucket ?? spec?.requiresBucketType;
    const configured = buckets ? bucketTypeForAdapter(adapter, buckets) : undefined;
    if (required && configured && configured !== required) {
      emit({ name: "NativeConnectorBucketMismatch", adapter, required, configured });
    }
    plan.native.push({ adapter, roots: native.map(parseCoordinates) });
  }
  return plan;
}

/**
 * An adapter type within a typo of a known one (`postgress`) is a mistake, not a custom adapter:
 * it fails (exit 2) naming profiles.yml and the type it probably means, before anything is
 * resolved or written. Types far from every known one stay warnings (UnknownAdapter).
 */
export function checkAdapterSpelling(
  adapters: readonly string[],
  overrides: Readonly<Record<string, AdapterOverride>>,
  profilesPath: string,
): void {
  const known = [
    ...new Set([
      ...Object.keys(JDBC_DRIVERS),
      ...Object.keys(NATIVE_CONNECTORS),
      ...Object.keys(overrides),
    ]),
  ].sort();
  for (const adapter of adapters) {
    if (known.includes(adapter) || !didYouMean(adapter, known)) continue;
    throw new ConfigError(`unknown adapter type "${adapter}"`, {
      location: { file: profilesPath, field: "type" },
      hint: alternatives(adapter, known),
    });
  }
}

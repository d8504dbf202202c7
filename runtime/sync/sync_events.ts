/**
 * The events `dvt sync` reports, as the seed names them, at their levels: downloads (info),
 * bucket mismatches and unknown adapters (warn), skipped connectors (debug). They go to stderr,
 * filtered by `--log-level`: as text lines, or as JSON lines with `--json`.
 *
 * @module
 */
import { LOG_LEVELS, type LogLevel, paint, printDiagnostic, printEvent } from "../util/output.ts";

/** Every event sync emits: name, level and fields. */
export type SyncEvent =
  | { name: "JdbcDriverDownloaded"; adapter: string; jar_name: string; path: string }
  | { name: "NativeConnectorDownloaded"; adapter: string; jar_name: string; path: string }
  | { name: "ArtifactDownloaded"; coordinates: string; repository: string; bytes: number }
  | { name: "NativeConnectorBucketMismatch"; adapter: string; required: string; configured: string }
  | { name: "NativeConnectorSkipped"; adapter: string; reason: string }
  | { name: "UnknownAdapter"; adapter: string; supported: string[] }
  | { name: "StaleJarRemoved"; file: string; directory: string }
  | { name: "LockfileWritten"; path: string; artifacts: number }
  | { name: "DependencyCycleCut"; trail: string[] }
  | { name: "UnverifiedArtifactTrusted"; coordinates: string; repository: string; sha256: string };

const LEVELS: Record<SyncEvent["name"], LogLevel> = {
  JdbcDriverDownloaded: "info",
  NativeConnectorDownloaded: "info",
  ArtifactDownloaded: "debug",
  NativeConnectorBucketMismatch: "warn",
  NativeConnectorSkipped: "debug",
  UnknownAdapter: "warn",
  StaleJarRemoved: "info",
  LockfileWritten: "info",
  DependencyCycleCut: "warn",
  UnverifiedArtifactTrusted: "warn",
};

/** The human message of an event. */
export function eventMessage(event: SyncEvent): string {
  switch (event.name) {
    case "JdbcDriverDownloaded":
      return `Downloaded JDBC driver for ${event.adapter}: ${event.jar_name}`;
    case "NativeConnectorDownloaded":
      return `Downloaded native connector for ${event.adapter}: ${event.jar_name}`;
    case "ArtifactDownloaded":
      return `Downloaded ${event.coordinates} from ${event.repository} (${event.bytes} bytes)`;
    case "NativeConnectorBucketMismatch":
      return `Native connector for ${event.adapter} requires ${event.required} bucket but ` +
        `${event.configured} is configured. Native connector may not work.`;
    case "NativeConnectorSkipped":
      return `Skipped native connector for ${event.adapter}: ${event.reason}`;
    case "UnknownAdapter":
      return `Unknown adapter type "${event.adapter}" in profiles.yml: no JDBC driver synced ` +
        `(supported: ${event.supported.join(", ")}; or add sync.adapters.${event.adapter}.jdbc ` +
        "to dvt.yaml)";
    case "StaleJarRemoved":
      return `Removed ${event.file} from ${event.directory} (no longer needed)`;
    case "LockfileWritten":
      return `Wrote ${event.path} (${event.artifacts} artifacts)`;
    case "UnverifiedArtifactTrusted":
      return `Trusted on first use (no checksum published): ${event.coordinates} from ` +
        `${event.repository}, sha256 ${event.sha256}; pinned in dvt.lock`;
    case "DependencyCycleCut":
      return `Dependency cycle cut where it closes, as Maven does: ${event.trail.join(" -> ")}`;
  }
}

/** Receives sync events. */
export type SyncEventSink = (event: SyncEvent) => void;

/** A sink printing events at or above `minimum` to stderr, as text or JSON lines. */
export function createEventSink(json: boolean, minimum: LogLevel): SyncEventSink {
  const threshold = LOG_LEVELS.indexOf(minimum);
  return (event) => {
    const level = LEVELS[event.name];
    if (LOG_LEVELS.indexOf(level) < threshold) return;
    const message = eventMessage(event);
    if (json) {
      const { name, ...fields } = event;
      printEvent({ event: name, level, message, ...fields });
      return;
    }
    const colour = level === "warn" ? "yellow" : level === "debug" ? "dim" : "cyan";
    printDiagnostic(`${paint(level, colour)} ${message}`);
  };
}

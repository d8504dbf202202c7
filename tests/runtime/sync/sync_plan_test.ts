import assert from "node:assert/strict";
import { buildSyncPlan } from "../../../runtime/sync/sync_plan.ts";
import type { SyncEvent } from "../../../runtime/sync/sync_events.ts";
import { formatCoordinates } from "../../../runtime/maven/coordinates.ts";
import { JDBC_DRIVERS } from "../../../runtime/sync/jdbc_drivers.ts";
import { NATIVE_CONNECTORS } from "../../../runtime/sync/native_connectors.ts";

function plan(adapters: string[], buckets?: { defaultType?: string; adapterTypes?: object }) {
  const events: SyncEvent[] = [];
  const result = buildSyncPlan(
    adapters,
    { postgres: { jdbc: "org.postgresql:postgresql:42.5.5" } },
    buckets ? { adapterTypes: {}, ...buckets } as never : undefined,
    { jdbc: true, native: true },
    (event) => events.push(event),
  );
  return { result, events };
}

Deno.test("buildSyncPlan() maps adapters to drivers, applying dvt.yaml overrides", () => {
  const { result } = plan(["postgres", "snowflake"]);
  assert.deepEqual(result.jdbc.map((a) => [a.adapter, formatCoordinates(a.roots[0])]), [
    ["postgres", "org.postgresql:postgresql:42.5.5"],
    ["snowflake", JDBC_DRIVERS.snowflake],
  ]);
  assert.deepEqual(result.native.map((a) => a.roots.map(formatCoordinates)), [
    [NATIVE_CONNECTORS.snowflake.connector],
  ]);
});

Deno.test("buildSyncPlan() lists native dependencies as coordinates to resolve", () => {
  const { result } = plan(["redshift"]);
  assert.deepEqual(result.native[0].roots.map(formatCoordinates), [
    NATIVE_CONNECTORS.redshift.connector,
    ...NATIVE_CONNECTORS.redshift.dependencies,
  ]);
});

Deno.test("buildSyncPlan() warns on a bucket type mismatch, the adapter's entry first", () => {
  const { events } = plan(["snowflake", "bigquery"], {
    defaultType: "gcs",
    adapterTypes: { bigquery: "gcs" },
  });
  const mismatches = events.filter((e) => e.name === "NativeConnectorBucketMismatch");
  assert.deepEqual(mismatches, [{
    name: "NativeConnectorBucketMismatch",
    adapter: "snowflake",
    required: "s3",
    configured: "gcs",
  }]);
});

Deno.test("buildSyncPlan() warns about unknown adapters and skips absent native connectors", () => {
  const { result, events } = plan(["nosuchdb", "postgres"]);
  const unknown = events.find((e) => e.name === "UnknownAdapter");
  assert.ok(unknown && unknown.name === "UnknownAdapter" && unknown.supported.includes("mysql"));
  assert.ok(events.some((e) => e.name === "NativeConnectorSkipped" && e.adapter === "postgres"));
  assert.deepEqual(result.jdbc.map((a) => a.adapter), ["postgres"]);
});

Deno.test("the driver registry has about 24 adapters with valid coordinates", () => {
  assert.ok(Object.keys(JDBC_DRIVERS).length >= 24);
  for (const coordinates of Object.values(JDBC_DRIVERS)) {
    assert.match(coordinates, /^[\w.-]+:[\w.-]+(:[\w.-]+){1,3}$/);
  }
});

/**
 * The built-in registry of Spark native connectors: adapters whose data moves through cloud
 * storage instead of JDBC. Each names the connector's coordinates, the bucket type it needs
 * (checked against buckets.yml) and extra dependencies as coordinates, resolved transitively
 * like the connector itself. No checksums here: they come from the repository and dvt.lock.
 *
 * @module
 */

/** Bucket types a native connector can stage data in. */
export const BUCKET_TYPES = ["s3", "gcs", "azure"] as const;

/** One bucket type. */
export type BucketType = typeof BUCKET_TYPES[number];

/** A native connector of one adapter. */
export interface NativeConnectorSpec {
  /** The connector's own coordinates (its JAR is the one reported as "OK (...)"). */
  connector: string;
  /** Extra dependencies, as coordinates; the adapter's JDBC driver is not repeated here. */
  dependencies: readonly string[];
  /** The bucket type it stages data in. */
  requiresBucketType: BucketType;
}

/** Adapter type -> its native connector. */
export const NATIVE_CONNECTORS: Readonly<Record<string, NativeConnectorSpec>> = {
  snowflake: {
    connector: "net.snowflake:spark-snowflake_2.12:2.12.0-spark_3.4",
    dependencies: [],
    requiresBucketType: "s3",
  },
  bigquery: {
    connector: "com.google.cloud.spark:spark-bigquery-with-dependencies_2.12:0.32.2",
    dependencies: [],
    requiresBucketType: "gcs",
  },
  redshift: {
    connector: "io.github.spark-redshift-community:spark-redshift_2.12:6.0.0-spark_3.4",
    dependencies: [
      "org.apache.hadoop:hadoop-aws:3.3.4",
      "com.amazonaws:aws-java-sdk-bundle:1.12.262",
    ],
    requiresBucketType: "s3",
  },
};

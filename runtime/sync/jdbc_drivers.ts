/**
 * The built-in registry of JDBC drivers: dbt adapter type -> Maven coordinates of its driver on
 * Maven Central. Dependencies are resolved transitively from the POMs, so only the driver itself
 * is listed. No checksums here: they come from the repository and dvt.lock. Users override or
 * extend entries in dvt.yaml `sync.adapters.<name>.jdbc`.
 *
 * @module
 */

/** Adapter type (as in profiles.yml `type:`) -> driver coordinates. */
export const JDBC_DRIVERS: Readonly<Record<string, string>> = {
  athena: "com.amazon.athena:athena-jdbc:jar:with-dependencies:3.2.0",
  bigquery: "com.google.cloud:google-cloud-bigquery-jdbc:1.2.0",
  clickhouse: "com.clickhouse:clickhouse-jdbc:0.6.5",
  databricks: "com.databricks:databricks-jdbc:2.6.40",
  db2: "com.ibm.db2:jcc:11.5.9.0",
  duckdb: "org.duckdb:duckdb_jdbc:1.1.3",
  exasol: "com.exasol:exasol-jdbc:24.1.1",
  fabric: "com.microsoft.sqlserver:mssql-jdbc:12.8.1.jre11",
  h2: "com.h2database:h2:2.3.232",
  hive: "org.apache.hive:hive-jdbc:3.1.3",
  mariadb: "org.mariadb.jdbc:mariadb-java-client:3.4.1",
  materialize: "org.postgresql:postgresql:42.7.4",
  mysql: "com.mysql:mysql-connector-j:8.4.0",
  oracle: "com.oracle.database.jdbc:ojdbc11:23.5.0.24.07",
  postgres: "org.postgresql:postgresql:42.7.4",
  presto: "com.facebook.presto:presto-jdbc:0.289",
  redshift: "com.amazon.redshift:redshift-jdbc42:2.1.0.30",
  singlestore: "com.singlestore:singlestore-jdbc-client:1.2.4",
  snowflake: "net.snowflake:snowflake-jdbc:3.19.0",
  spark: "org.apache.kyuubi:kyuubi-hive-jdbc-shaded:1.9.2",
  sqlite: "org.xerial:sqlite-jdbc:3.46.1.0",
  sqlserver: "com.microsoft.sqlserver:mssql-jdbc:12.8.1.jre11",
  synapse: "com.microsoft.sqlserver:mssql-jdbc:12.8.1.jre11",
  trino: "io.trino:trino-jdbc:455",
  vertica: "com.vertica.jdbc:vertica-jdbc:24.3.0-0",
};

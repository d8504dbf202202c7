/**
 * dvt's public API for connector authors: the protocol types, capability helpers and the
 * contract tests. Connector files import from here only, and only as types where they can, so
 * one file runs unchanged in-process, sandboxed, under `deno run` and in the compiled binary.
 *
 * @example
 * ```ts
 * import { Cap, type ConnectorFactory } from "./mod.ts";
 *
 * const orders: ConnectorFactory = ({ arrow }) => {
 *   const table = arrow.tableFromArrays({ id: Int32Array.from([1, 2, 3]) });
 *   return {
 *     capabilities: Cap.DISCOVER | Cap.READ,
 *     discover: () => [{ name: "orders", schema: table.schema, capabilities: Cap.READ }],
 *     *read() {
 *       yield* table.batches;
 *     },
 *   };
 * };
 * export default orders;
 * ```
 *
 * @module
 */
export {
  Cap,
  CAPABILITY_NAMES,
  capsFromNames,
  capsToNames,
  FILTER_OPERATORS,
  hasCap,
} from "./runtime/protocol.ts";
export type {
  BatchSource,
  Capabilities,
  CapabilityName,
  Connector,
  ConnectorConfig,
  ConnectorContext,
  ConnectorFactory,
  CursorValue,
  ExtractStats,
  Filter,
  FilterOperator,
  LogFields,
  Logger,
  ReadOptions,
  RemoteAttachInfo,
  RetryingFetch,
  RetypedColumn,
  SchemaChange,
  TableError,
  TableInfo,
} from "./runtime/protocol.ts";
export { createRetryingFetch, parseRetryAfter } from "./runtime/util/retrying_fetch.ts";
export { quoteIdentifier, quoteLiteral } from "./runtime/util/sql.ts";
export type { RetryPolicy } from "./runtime/util/retrying_fetch.ts";
export {
  ConfigError,
  ConnectorError,
  DvtError,
  ExtractError,
  InputError,
  IntegrityError,
  ManifestError,
  ResolveError,
  SandboxError,
  UsageError,
} from "./runtime/errors.ts";
export type { DvtErrorOptions, SourceLocation } from "./runtime/errors.ts";
export { formatContractReport, runContractTests } from "./runtime/contract/contract_tests.ts";
export type {
  ContractCheckResult,
  ContractOptions,
  ContractReport,
} from "./runtime/contract/contract_tests.ts";
export {
  checkDiscover,
  checkIncremental,
  checkReadSchema,
  checkRemote,
  checkStream,
  ContractFailure,
  schemaDifferences,
  SkipCheck,
} from "./runtime/contract/checks.ts";
export type { CheckLimits } from "./runtime/contract/checks.ts";
export { contractReportToJUnit } from "./runtime/contract/junit.ts";
export { secretShape } from "./runtime/connector/secret_shapes.ts";
export type { Field, RecordBatch, Schema } from "apache-arrow";

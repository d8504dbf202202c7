/**
 * dvt's public API for connector authors: the protocol types, the capability flags, the two
 * errors a connector throws, the contract tests with their report formatters, and SQL quoting.
 * Connector files import from here only, and only as types where they can, so one file runs
 * unchanged in-process, sandboxed, under `deno run` and in the compiled binary.
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
export { Cap, hasCap } from "./runtime/protocol.ts";
export type {
  BatchSource,
  Capabilities,
  Connector,
  ConnectorConfig,
  ConnectorContext,
  ConnectorFactory,
  CursorValue,
  Download,
  Downloader,
  DownloadInit,
  EventRows,
  Filter,
  FilterOperator,
  LogFields,
  Logger,
  ReadOptions,
  ReceivedBatch,
  RemoteAttachInfo,
  RetryingFetch,
  TableInfo,
  WebhookEvent,
} from "./runtime/protocol.ts";
// The errors a connector throws: bad input it was given (exit 2) or a failing source (exit 1).
export { ConnectorError, InputError } from "./runtime/errors.ts";
export type { DvtErrorOptions, SourceLocation } from "./runtime/errors.ts";
export { formatContractReport, runContractTests } from "./runtime/contract/contract_tests.ts";
export type {
  ContractCheckResult,
  ContractOptions,
  ContractReport,
} from "./runtime/contract/contract_tests.ts";
// Part of ContractOptions (`limits`), so a test can tighten the row and time bounds.
export type { CheckLimits } from "./runtime/contract/checks.ts";
export { contractReportToJUnit } from "./runtime/contract/junit.ts";
export { quoteIdentifier, quoteLiteral } from "./runtime/util/sql.ts";
// Bounded concurrency, for connectors with many independent requests (listings, pages).
export { createLimiter } from "./runtime/util/pool.ts";
export type { Limiter } from "./runtime/util/pool.ts";
export {
  batchFromValues,
  parseDecimal,
  parseTimestampMicros,
  ValueParseError,
} from "./runtime/connector/text_columns.ts";
export type { ApiValue } from "./runtime/connector/text_columns.ts";
// Column buffers for connectors that decode database rows into Arrow themselves.
export {
  BoolBuffer,
  BuilderBuffer,
  BytesBuffer,
  FixedBuffer,
} from "./runtime/connector/column_buffers.ts";
export type {
  ColumnBuffer,
  FixedStore,
  FixedStoreCtor,
} from "./runtime/connector/column_buffers.ts";
// Arrow data crossing between a connector's reader thread and the main thread.
export { dataFromWire, dataToWire } from "./runtime/connector/data_wire.ts";
export type { WireData } from "./runtime/connector/data_wire.ts";
export type { Field, RecordBatch, Schema } from "apache-arrow";

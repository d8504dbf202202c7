/**
 * The individual contract checks. Each throws {@linkcode ContractFailure} with a message that
 * explains the defect, or {@linkcode SkipCheck} when it does not apply.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import {
  Cap,
  type CapabilityName,
  capsFromNames,
  type Connector,
  type CursorValue,
  hasCap,
  type ReadOptions,
  type TableInfo,
} from "../protocol.ts";
import { secretShape } from "../connector/secret_shapes.ts";

/** A contract violation; the message says what is wrong and what was expected. */
export class ContractFailure extends Error {}

/** The check does not apply to this connector; the message says why. */
export class SkipCheck extends Error {}

/**
 * A table under test. Without DISCOVER no schema is declared: the first batch a read or stream
 * yields stands in for it, so every later batch must still match it.
 */
export interface ContractTable extends Omit<TableInfo, "schema"> {
  schema?: Arrow.Schema;
}

/** Limits that keep every check bounded. */
export interface CheckLimits {
  /** Rows read per table at most (default 100 000). */
  maxRows: number;
  /** Batches taken from stream() (default 3). */
  streamBatches: number;
  /** Milliseconds to wait for stream batches (default 5000). */
  streamWaitMs: number;
}

function fail(message: string): never {
  throw new ContractFailure(message);
}

function isSchema(value: unknown): value is Arrow.Schema {
  const fields = (value as Arrow.Schema | undefined)?.fields;
  return Array.isArray(fields) &&
    fields.every((field) => typeof field?.name === "string" && field.type);
}

function isBatch(value: unknown): value is Arrow.RecordBatch {
  const batch = value as Arrow.RecordBatch | undefined;
  return !!batch && isSchema(batch.schema) && typeof batch.numRows === "number" &&
    typeof batch.getChildAt === "function";
}

/** Lists how two schemas differ: names, types, nullability, order. Empty when equal. */
export function schemaDifferences(
  declared: Arrow.Schema,
  actual: Arrow.Schema,
  expected = "declared",
): string[] {
  const describe = (schema: Arrow.Schema) =>
    schema.fields.map((field) =>
      `${field.name}: ${field.type}${field.nullable ? "" : " not null"}`
    );
  const want = describe(declared);
  const got = describe(actual);
  const differences: string[] = [];
  for (let index = 0; index < Math.max(want.length, got.length); index++) {
    if (want[index] === got[index]) continue;
    differences.push(
      `column ${index + 1}: ${expected} ${want[index] ?? "(none)"}, batch has ${
        got[index] ?? "(none)"
      }`,
    );
  }
  return differences;
}

/** discover() returns at least one well-formed table. */
export async function checkDiscover(connector: Connector): Promise<TableInfo[]> {
  requireCapability(connector, "discover");
  const tables = await connector.discover!();
  if (!Array.isArray(tables) || !tables.length) fail("discover() must return at least one table");
  const seen = new Set<string>();
  for (const table of tables) {
    if (!table || typeof table.name !== "string" || !table.name) {
      fail("every table needs a non-empty name");
    }
    if (seen.has(table.name)) fail(`table "${table.name}" is listed twice`);
    seen.add(table.name);
    if (!isSchema(table.schema)) fail(`table "${table.name}": schema must be an Arrow Schema`);
    if (!table.capabilities || (table.capabilities & ~connector.capabilities) !== 0) {
      fail(
        `table "${table.name}": capabilities ${table.capabilities} must be non-empty and a subset of the connector's ${connector.capabilities}`,
      );
    }
    const columns = table.schema.fields.map((field) => field.name);
    for (
      const key of [
        ...(table.primaryKey ?? []),
        ...(table.cursorField ? [table.cursorField] : []),
        ...(table.deletedFlag ? [table.deletedFlag] : []),
      ]
    ) {
      if (!columns.includes(key)) {
        fail(
          `table "${table.name}": key column "${key}" is not in its schema (${columns.join(", ")})`,
        );
      }
    }
    // The runtime reads the flag as BOOLEAN; another type would be a delete of every row or none.
    const flag = table.schema.fields.find((field) => field.name === table.deletedFlag);
    if (flag && String(flag.type) !== "Bool") {
      fail(`table "${table.name}": deletedFlag column "${flag.name}" is ${flag.type}, not Bool`);
    }
  }
  return tables;
}

/** The schema batches must have: the declared one, else the first batch's. */
function referenceSchema(table: ContractTable, first: Arrow.Schema) {
  return table.schema
    ? { schema: table.schema, what: "the declared one", label: "declared" }
    : { schema: first, what: "the first batch's", label: "first batch" };
}

async function readRows(
  connector: Connector,
  table: ContractTable,
  options: ReadOptions,
  limits: CheckLimits,
): Promise<Arrow.RecordBatch[]> {
  const batches: Arrow.RecordBatch[] = [];
  let rows = 0;
  for await (const batch of connector.read!(table.name, options)) {
    if (!isBatch(batch)) {
      fail(`read("${table.name}") yielded ${typeof batch}, not an Arrow RecordBatch`);
    }
    const reference = referenceSchema(table, batches[0]?.schema ?? batch.schema);
    const differences = schemaDifferences(reference.schema, batch.schema, reference.label);
    if (differences.length) {
      fail(
        `read("${table.name}") yielded a batch whose schema differs from ${reference.what}: ${
          differences.join("; ")
        }`,
      );
    }
    batches.push(batch);
    rows += batch.numRows;
    if (rows >= limits.maxRows) break;
  }
  return batches;
}

/** Skips the calling check when the connector does not declare `name`. */
function requireCapability(connector: Connector, name: CapabilityName): void {
  if (!hasCap(connector.capabilities, capsFromNames([name]))) {
    throw new SkipCheck(`connector does not declare ${name}`);
  }
}

function readable(tables: ContractTable[], cap: number): ContractTable[] {
  return tables.filter((table) => hasCap(table.capabilities, cap));
}

/** read() yields RecordBatches whose schema equals the declared one, for every readable table. */
export async function checkReadSchema(
  connector: Connector,
  tables: ContractTable[],
  limits: CheckLimits,
): Promise<string> {
  requireCapability(connector, "read");
  const targets = readable(tables, Cap.READ);
  if (!targets.length) {
    throw new SkipCheck("no table declares read (without discover, pass tables)");
  }
  let rows = 0;
  for (const table of targets) {
    const batches = await readRows(connector, table, { batchSize: 1000 }, limits);
    rows += batches.reduce((sum, batch) => sum + batch.numRows, 0);
  }
  return `${targets.length} table(s), ${rows} row(s)`;
}

type Comparable = number | bigint | string;

function comparable(value: unknown): Comparable | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.getTime();
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "string") {
    return value;
  }
  return String(value);
}

function cursorValueFor(value: Comparable, type: Arrow.DataType): CursorValue {
  const name = String(type);
  if (/^Timestamp/.test(name) && typeof value === "number") return new Date(value).toISOString();
  if (/^Date/.test(name) && typeof value === "number") {
    return new Date(value).toISOString().slice(0, 10);
  }
  return typeof value === "bigint" ? value.toString() : value;
}

function rowKeys(batches: Arrow.RecordBatch[], cursor: string, above?: Comparable): string[] {
  const keys: string[] = [];
  for (const batch of batches) {
    const column = batch.getChild(cursor)!;
    for (let index = 0; index < batch.numRows; index++) {
      const value = comparable(column.get(index));
      if (above !== undefined && (value === null || !(value > above))) continue;
      keys.push(
        JSON.stringify(batch.get(index)?.toJSON(), (_, v) => typeof v === "bigint" ? `${v}n` : v),
      );
    }
  }
  return keys.sort();
}

/**
 * Incremental reads respect incrementalValue: read all, take a cursor value from the middle,
 * read again; every row must be greater, and every greater row must be present.
 */
export async function checkIncremental(
  connector: Connector,
  tables: ContractTable[],
  limits: CheckLimits,
): Promise<string> {
  requireCapability(connector, "read");
  const table = readable(tables, Cap.READ).find((candidate) => candidate.cursorField);
  if (!table) throw new SkipCheck("no readable table declares a cursorField");
  const cursor = table.cursorField!;
  const all = await readRows(connector, table, { batchSize: 1000 }, limits);
  const values = all.flatMap((batch) => [...batch.getChild(cursor)!].map(comparable))
    .filter((value): value is Comparable => value !== null)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const distinct = [...new Set(values)];
  if (distinct.length < 2) {
    throw new SkipCheck(`table "${table.name}" has fewer than 2 distinct ${cursor} values`);
  }
  const middle = distinct[Math.floor((distinct.length - 1) / 2)];
  const field = (table.schema ?? all[0].schema).fields.find((f) => f.name === cursor)!;
  const incrementalValue = cursorValueFor(middle, field.type);
  const options = { batchSize: 1000, incrementalKey: cursor, incrementalValue };
  const again = await readRows(connector, table, options, limits);
  const expected = rowKeys(all, cursor, middle);
  const got = rowKeys(again, cursor);
  const tooOld = rowKeys(again, cursor).length - rowKeys(again, cursor, middle).length;
  if (tooOld > 0) {
    fail(
      `read("${table.name}") with incrementalValue ${
        JSON.stringify(incrementalValue)
      } returned ${tooOld} row(s) whose ${cursor} is not greater; it must yield only newer rows`,
    );
  }
  if (JSON.stringify(expected) !== JSON.stringify(got)) {
    fail(
      `read("${table.name}") with incrementalValue ${
        JSON.stringify(incrementalValue)
      } returned ${got.length} row(s), expected the ${expected.length} row(s) whose ${cursor} is greater`,
    );
  }
  return `table ${table.name}: ${got.length} of ${
    expected.length + (values.length - expected.length)
  } rows after ${cursor} > ${JSON.stringify(incrementalValue)}`;
}

/** remote() returns an extension, a URL without credentials and an env var NAME, never a secret. */
export async function checkRemote(
  connector: Connector,
  secrets: readonly string[],
): Promise<string> {
  requireCapability(connector, "remote");
  const info = await connector.remote!();
  if (!info || typeof info.extension !== "string" || !info.extension) {
    fail("remote() must return a non-empty extension");
  }
  if (typeof info.url !== "string" || !info.url) fail("remote() must return a non-empty url");
  if (typeof info.tokenEnv !== "string") {
    fail('remote() must return tokenEnv: an env var name, or ""');
  }
  if (info.tokenEnv && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(info.tokenEnv)) {
    const shape = secretShape(info.tokenEnv, secrets);
    fail(
      `remote().tokenEnv must be an environment variable NAME, found ${
        shape ? shape : "a value that is not a variable name"
      }`,
    );
  }
  for (
    const [field, value] of [["tokenEnv", info.tokenEnv], ["url", info.url], [
      "alias",
      info.alias ?? "",
    ]]
  ) {
    const shape = secretShape(value, secrets);
    if (shape) {
      fail(
        `remote().${field} contains ${shape}; return the env var name in tokenEnv instead of the secret`,
      );
    }
  }
  return `${info.extension} (token from ${info.tokenEnv || "ambient auth"})`;
}

/** stream() yields valid batches of the declared schema; takes a bounded number, then stops. */
export async function checkStream(
  connector: Connector,
  tables: ContractTable[],
  limits: CheckLimits,
): Promise<string> {
  requireCapability(connector, "stream");
  const table = readable(tables, Cap.STREAM)[0];
  if (!table) throw new SkipCheck("no table declares stream (without discover, pass tables)");
  const iterator = connector.stream!(table.name)[Symbol.asyncIterator]();
  let taken = 0;
  let first: Arrow.Schema | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    while (taken < limits.streamBatches) {
      const timeout = new Promise<"timeout">((
        done,
      ) => (timer = setTimeout(() => done("timeout"), limits.streamWaitMs)));
      const next = await Promise.race([iterator.next(), timeout]);
      clearTimeout(timer);
      if (next === "timeout") break;
      if (next.done) break;
      if (!isBatch(next.value)) {
        fail(`stream("${table.name}") yielded ${typeof next.value}, not an Arrow RecordBatch`);
      }
      first ??= next.value.schema;
      const reference = referenceSchema(table, first);
      const differences = schemaDifferences(reference.schema, next.value.schema, reference.label);
      if (differences.length) {
        fail(
          `stream("${table.name}") yielded a batch whose schema differs from ${reference.what}: ${
            differences.join("; ")
          }`,
        );
      }
      taken++;
    }
  } finally {
    clearTimeout(timer);
    void iterator.return?.();
  }
  if (!taken) {
    throw new SkipCheck(
      `stream("${table.name}") yielded no batch within ${limits.streamWaitMs} ms`,
    );
  }
  return `table ${table.name}: ${taken} batch(es)`;
}

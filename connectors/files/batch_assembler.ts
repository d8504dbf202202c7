/**
 * Collects DuckDB result chunks and turns them into Arrow RecordBatches of a fixed schema.
 * Buffers are built directly (typed arrays, validity bitmaps, UTF-8 offsets, list offsets with
 * their flattened children) rather than through Arrow's row builders, which keeps the portable
 * path exact for 64-bit integers, decimals, sub-millisecond timestamps and nested values.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import type { DuckDBDataChunk } from "@duckdb/node-api";
import type { ColumnKind, ColumnPlan, ValuePlan } from "./column_plan.ts";

type Raw = unknown;

const encoder = new TextEncoder();

function validityOf(values: Raw[]): { bitmap?: Uint8Array; nullCount: number } {
  let nullCount = 0;
  for (const value of values) if (value === null) nullCount++;
  if (!nullCount) return { nullCount };
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  values.forEach((value, i) => {
    if (value !== null) bitmap[i >> 3] |= 1 << (i & 7);
  });
  return { bitmap, nullCount };
}

/** The integer a DuckDB temporal value carries, per column kind. */
function temporalInteger(kind: ColumnKind, value: Raw): bigint {
  const v = value as Record<string, bigint>;
  switch (kind) {
    case "ts_seconds":
      return v.seconds;
    case "ts_millis":
      return v.millis;
    case "ts_nanos":
    case "time_nanos":
      return v.nanos;
    default:
      return v.micros;
  }
}

function writeInt128(words: Uint32Array, index: number, value: bigint): void {
  let rest = BigInt.asUintN(128, value);
  for (let word = 0; word < 4; word++) {
    words[index * 4 + word] = Number(rest & 0xffffffffn);
    rest >>= 32n;
  }
}

function variableWidth(values: Raw[], bytesOf: (value: Raw) => Uint8Array) {
  const offsets = new Int32Array(values.length + 1);
  const parts: Uint8Array[] = [];
  let total = 0;
  values.forEach((value, i) => {
    if (value !== null) {
      const bytes = bytesOf(value);
      parts.push(bytes);
      total += bytes.length;
    }
    offsets[i + 1] = total;
  });
  const data = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    data.set(part, at);
    at += part.length;
  }
  return { valueOffsets: offsets, data };
}

const MICROS_PER_DAY = 86_400_000_000n;

/** Parquet keeps TIME WITH TIME ZONE as UTC time of day; DuckDB writes it the same way. */
function utcTimeOfDay(value: Raw): bigint {
  const { micros, offset } = value as { micros: bigint; offset: number };
  const utc = micros - BigInt(offset) * 1_000_000n;
  return ((utc % MICROS_PER_DAY) + MICROS_PER_DAY) % MICROS_PER_DAY;
}

/** A UUID's 16 bytes in network order, from its canonical text. */
function uuidBytes(value: Raw): Uint8Array {
  const hex = String(value).replaceAll("-", "");
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/**
 * Parquet's INTERVAL layout: uint32 months, days and milliseconds, little-endian. Like DuckDB's
 * own writer, sub-millisecond parts are dropped.
 */
function intervals(values: Raw[]): Uint8Array {
  const data = new Uint8Array(values.length * 12);
  const view = new DataView(data.buffer);
  values.forEach((v, i) => {
    if (v === null) return;
    const { months, days, micros } = v as { months: number; days: number; micros: bigint };
    view.setUint32(i * 12, months >>> 0, true);
    view.setUint32(i * 12 + 4, days >>> 0, true);
    view.setUint32(i * 12 + 8, Number(BigInt.asUintN(32, micros / 1000n)), true);
  });
  return data;
}

/** Offsets of variable-length lists, and their items flattened in order. */
function flatten<T>(values: Raw[], itemsOf: (value: Raw) => readonly T[]) {
  const valueOffsets = new Int32Array(values.length + 1);
  const items: T[] = [];
  values.forEach((value, i) => {
    if (value !== null) items.push(...itemsOf(value));
    valueOffsets[i + 1] = items.length;
  });
  return { valueOffsets, items };
}

function nestedProps(arrow: typeof Arrow, plan: ValuePlan, values: Raw[]) {
  const [first, second] = plan.children!;
  switch (plan.kind) {
    case "list": {
      const { valueOffsets, items } = flatten(values, (v) => (v as { items: Raw[] }).items);
      return { valueOffsets, child: buildData(arrow, first.plan, items) };
    }
    case "map": {
      type Entry = { key: Raw; value: Raw };
      const { valueOffsets, items } = flatten(values, (v) => (v as { entries: Entry[] }).entries);
      const keys = buildData(arrow, first.plan, items.map((entry) => entry.key));
      const entryValues = buildData(arrow, second.plan, items.map((entry) => entry.value));
      const entries = arrow.makeData({
        type: (plan.type as Arrow.Map_).children[0].type as Arrow.Struct,
        length: items.length,
        nullCount: 0,
        children: [keys, entryValues],
      });
      return { valueOffsets, child: entries };
    }
    default: {
      const fieldsOf = (v: Raw) => (v as { entries: Record<string, Raw> }).entries;
      const children = plan.children!.map((child) =>
        buildData(arrow, child.plan, values.map((v) => v === null ? null : fieldsOf(v)[child.name]))
      );
      return { children };
    }
  }
}

function buffersFor(arrow: typeof Arrow, plan: ValuePlan, values: Raw[]) {
  const n = values.length;
  switch (plan.kind) {
    case "bool": {
      const data = new Uint8Array((n + 7) >> 3);
      values.forEach((v, i) => {
        if (v === true) data[i >> 3] |= 1 << (i & 7);
      });
      return { data };
    }
    case "number": {
      const ArrayType = (plan.type as unknown as { ArrayType: Float64ArrayConstructor })
        .ArrayType;
      const data = new ArrayType(n);
      values.forEach((v, i) => {
        if (v !== null) data[i] = v as number;
      });
      return { data };
    }
    case "bigint": {
      const signed = (plan.type as unknown as { isSigned: boolean }).isSigned;
      const data = signed ? new BigInt64Array(n) : new BigUint64Array(n);
      values.forEach((v, i) => {
        if (v !== null) data[i] = v as bigint;
      });
      return { data };
    }
    case "decimal": {
      const data = new Uint32Array(n * 4);
      values.forEach((v, i) => {
        if (v !== null) writeInt128(data, i, (v as { value: bigint }).value);
      });
      return { data };
    }
    case "utf8":
      return variableWidth(values, (v) => encoder.encode(v as string));
    case "binary":
      return variableWidth(values, (v) => (v as { bytes: Uint8Array }).bytes);
    case "uuid": {
      const data = new Uint8Array(n * 16);
      values.forEach((v, i) => {
        if (v !== null) data.set(uuidBytes(v), i * 16);
      });
      return { data };
    }
    case "date": {
      const data = new Int32Array(n);
      values.forEach((v, i) => {
        if (v !== null) data[i] = (v as { days: number }).days;
      });
      return { data };
    }
    case "time_tz": {
      const data = new BigInt64Array(n);
      values.forEach((v, i) => {
        if (v !== null) data[i] = utcTimeOfDay(v);
      });
      return { data };
    }
    case "interval":
      return { data: intervals(values) };
    case "list":
    case "map":
    case "struct":
      return nestedProps(arrow, plan, values);
    default: {
      const data = new BigInt64Array(n);
      values.forEach((v, i) => {
        if (v !== null) data[i] = temporalInteger(plan.kind, v);
      });
      return { data };
    }
  }
}

/** Builds Arrow data of one planned value (a column or a nested child) from DuckDB values. */
export function buildData(arrow: typeof Arrow, plan: ValuePlan, values: Raw[]): Arrow.Data {
  const { bitmap, nullCount } = validityOf(values);
  return arrow.makeData({
    type: plan.type,
    length: values.length,
    nullCount,
    nullBitmap: bitmap,
    ...buffersFor(arrow, plan, values),
    // deno-lint-ignore no-explicit-any -- makeData's props are a union keyed by type
  } as any);
}

/** Accumulates chunks until a batch is full, then emits one RecordBatch. */
export class BatchAssembler {
  #arrow: typeof Arrow;
  #plans: ColumnPlan[];
  #schema: Arrow.Schema;
  #columns: Raw[][];
  #rows = 0;

  constructor(arrow: typeof Arrow, plans: ColumnPlan[], schema: Arrow.Schema) {
    this.#arrow = arrow;
    this.#plans = plans;
    this.#schema = schema;
    this.#columns = plans.map(() => []);
  }

  /** Rows collected and not yet emitted. */
  get rows(): number {
    return this.#rows;
  }

  /** Adds a DuckDB chunk whose columns follow the plans' order. */
  add(chunk: DuckDBDataChunk): void {
    const count = chunk.rowCount;
    this.#columns.forEach((column, index) => {
      const vector = chunk.getColumnVector(index);
      for (let row = 0; row < count; row++) column.push(vector.getItem(row));
    });
    this.#rows += count;
  }

  /** Emits up to `limit` collected rows (default all) as one batch. */
  take(limit = this.#rows): Arrow.RecordBatch {
    const arrow = this.#arrow;
    const length = Math.min(limit, this.#rows);
    const taken = this.#columns.map((column) => column.splice(0, length));
    const children = this.#plans.map((plan, i) => buildData(arrow, plan, taken[i]));
    this.#rows -= length;
    const data = arrow.makeData({
      type: new arrow.Struct(this.#schema.fields),
      length,
      nullCount: 0,
      children,
    });
    return new arrow.RecordBatch(this.#schema, data);
  }
}

/**
 * Tracks the highest incremental cursor value among the rows actually written, so the next run
 * asks the source only for newer rows. Values are kept exact (bigint for 64-bit integers and
 * timestamps) and rendered as the protocol's {@linkcode CursorValue}: ISO-8601 strings for
 * dates and timestamps, decimal strings for 64-bit integers, numbers for small numbers.
 *
 * @module
 */
import * as arrow from "apache-arrow";
import { ExtractError } from "../errors.ts";
import { alternatives } from "../util/field_check.ts";
import type { CursorValue } from "../protocol.ts";

type Comparable = bigint | number | string;

const INT64_MAX = 0x7fff_ffff_ffff_ffffn;
const INT32_MAX = 0x7fff_ffff;

const NANOS_PER_UNIT: Record<number, bigint> = {
  [arrow.TimeUnit.SECOND]: 1_000_000_000n,
  [arrow.TimeUnit.MILLISECOND]: 1_000_000n,
  [arrow.TimeUnit.MICROSECOND]: 1_000n,
  [arrow.TimeUnit.NANOSECOND]: 1n,
};

/** Renders nanoseconds since the epoch as ISO-8601 UTC, keeping sub-millisecond digits. */
export function isoFromEpochNanos(nanos: bigint): string {
  const millis = nanos / 1_000_000n - (nanos % 1_000_000n < 0n ? 1n : 0n);
  const rest = nanos - millis * 1_000_000n;
  const iso = new Date(Number(millis)).toISOString();
  if (rest === 0n) return iso;
  const fraction = rest.toString().padStart(6, "0").replace(/0+$/, "");
  return `${iso.slice(0, -1)}${fraction}Z`;
}

/** Follows the maximum of one column across the batches written. */
export class CursorTracker {
  readonly column: string;
  readonly #table: string;
  #type: arrow.DataType;
  #max: Comparable | undefined;

  /** `schema` is the schema of the batches; the column must exist with a supported type. */
  constructor(table: string, column: string, schema: arrow.Schema) {
    const field = schema.fields.find((f) => f.name === column);
    if (!field) {
      throw new ExtractError(`table "${table}" has no cursor column "${column}"`, {
        table,
        hint: alternatives(column, schema.fields.map((f) => f.name)),
      });
    }
    const type = field.type;
    const supported = arrow.DataType.isInt(type) || arrow.DataType.isFloat(type) ||
      arrow.DataType.isTimestamp(type) || arrow.DataType.isDate(type) ||
      arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type);
    if (!supported) {
      throw new ExtractError(
        `table "${table}": cursor column "${column}" has type ${type}, which cannot order rows`,
        { table, hint: "use an integer, float, date, timestamp or string column as cursor" },
      );
    }
    this.column = column;
    this.#table = table;
    this.#type = type;
  }

  /** Folds one batch into the maximum. */
  observe(batch: arrow.RecordBatch): void {
    const vector = batch.getChild(this.column);
    if (!vector) return;
    for (const data of vector.data) {
      const read = this.#reader(data);
      for (let i = 0; i < data.length; i++) {
        if (!data.getValid(i)) continue;
        const value = read(i);
        if (this.#max === undefined || value > this.#max) this.#max = value;
      }
    }
  }

  /** Reads raw storage for temporal types (exact, in the column's unit), values otherwise. */
  #reader(data: arrow.Data): (index: number) => Comparable {
    const type = this.#type;
    if (arrow.DataType.isTimestamp(type) || arrow.DataType.isDate(type)) {
      // Arrow JS slices value buffers with the data, so index i is row i of this chunk.
      const values = data.values as ArrayLike<number | bigint>;
      return (index) => BigInt(values[index]);
    }
    const vector = arrow.makeVector(data);
    return (index) => vector.get(index) as Comparable;
  }

  /** The maximum seen, as the value to pass back as `incrementalValue`; undefined if no rows. */
  value(): CursorValue | undefined {
    const max = this.#max;
    if (max === undefined) return undefined;
    const type = this.#type;
    if (arrow.DataType.isTimestamp(type)) {
      if (max === INT64_MAX || max === -INT64_MAX) this.#failInfinite(max > 0n);
      return this.#rendered(() => isoFromEpochNanos((max as bigint) * NANOS_PER_UNIT[type.unit]));
    }
    if (arrow.DataType.isDate(type)) {
      if (type.unit === arrow.DateUnit.DAY && Math.abs(Number(max)) === INT32_MAX) {
        this.#failInfinite(Number(max) > 0);
      }
      const millis = type.unit === arrow.DateUnit.DAY ? Number(max) * 86_400_000 : Number(max);
      return this.#rendered(() => new Date(millis).toISOString().slice(0, 10));
    }
    if (typeof max === "bigint") return max.toString();
    return max;
  }

  /**
   * `infinity` (stored as the type's maximum, DuckDB's convention) cannot be a cursor: nothing
   * is later, so every following run would select no rows. The table fails instead of
   * publishing a cursor that silently stops the incremental loads.
   */
  #failInfinite(positive: boolean): never {
    const value = positive ? "infinity" : "-infinity";
    throw new ExtractError(
      `table "${this.#table}": cursor column "${this.column}" holds ${value}, which cannot be ` +
        `an incremental cursor (no later value exists, so later runs would read nothing new)`,
      {
        table: this.#table,
        hint: `read the table through a view without those rows (e.g. WHERE "${this.column}" ` +
          `<> '${value}'), or choose another cursor column`,
      },
    );
  }

  /** Runs `render`, turning a date outside JavaScript's range into a clear table error. */
  #rendered(render: () => string): string {
    try {
      return render();
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw new ExtractError(
        `table "${this.#table}": cursor column "${this.column}" holds a date outside ` +
          `years -271821 to 275760, which the incremental state cannot store`,
        {
          table: this.#table,
          hint: `read the table through a view without those rows, or choose another cursor column`,
        },
      );
    }
  }
}

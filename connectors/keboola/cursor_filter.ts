/**
 * Keeps rows whose cursor cell is greater than the previous run's cursor value. Keboola's
 * `changedSince` narrows the export to rows changed since a time, which can include rows the
 * previous run already wrote; this makes the incremental read exact.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import type { CursorValue } from "../../mod.ts";
import { parseDecimal, parseTimestampMicros } from "../../mod.ts";

/** Returns a predicate on the cursor column's text, for the column's Arrow type. */
export function cursorPredicate(
  arrow: typeof Arrow,
  type: Arrow.DataType,
  after: CursorValue,
): (text: string) => boolean {
  const bound = String(after);
  if (arrow.DataType.isTimestamp(type) || arrow.DataType.isDate(type)) {
    const limit = parseTimestampMicros(bound);
    if (limit === undefined) return (text) => text > bound;
    return (text) => {
      const value = text === "" ? undefined : parseTimestampMicros(text);
      return value !== undefined && value > limit;
    };
  }
  if (arrow.DataType.isInt(type) || arrow.DataType.isDecimal(type)) {
    const scale = arrow.DataType.isDecimal(type) ? (type as Arrow.Decimal).scale : 0;
    const limit = parseDecimal(bound, scale);
    return (text) => {
      const value = text === "" ? undefined : parseDecimal(text, scale);
      return value !== undefined && limit !== undefined && value > limit;
    };
  }
  if (arrow.DataType.isFloat(type)) {
    const limit = Number(bound);
    return (text) => text !== "" && Number(text) > limit;
  }
  return (text) => text > bound;
}

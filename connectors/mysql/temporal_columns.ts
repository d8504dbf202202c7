/**
 * MySQL/MariaDB DATE, DATETIME, TIMESTAMP and TIME columns: their Arrow types, and appenders that
 * parse the text protocol's bytes, with zero dates read as NULL or failing the table as the
 * config says. Part of the mapping in column_types.ts (and README.md).
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import { FixedBuffer } from "../../mod.ts";
import type { ColumnInfo, ColumnPlan, MakePlan, MappingOptions } from "./column_types.ts";
import { tableFailure } from "./mysql_errors.ts";
import {
  ascii,
  isZeroDate,
  parseDateDays,
  parseDateTimeMicros,
  parseDateTimeMicrosExact,
  parseTimeMicros,
} from "./text_values.ts";

type ArrowModule = typeof Arrow;

/** A zero date (`0000-00-00…`) is NULL or fails the table, as `zero_dates` says. */
function appendZeroDate(
  buffer: { appendNull(): void },
  options: MappingOptions,
  table: string,
  column: string,
  text: string,
): void {
  if (options.zeroDates !== "error") return buffer.appendNull();
  throw tableFailure(
    `table "${table}" column "${column}" holds the zero date ${text}, which is not a real date`,
    "set zero_dates: null in the source config to read zero dates as NULL",
  );
}

/** The plan of a date or time column, or undefined for other types. */
export function planTemporal(
  arrow: ArrowModule,
  info: ColumnInfo,
  options: MappingOptions,
  make: MakePlan,
): ColumnPlan | undefined {
  const type = info.dataType;
  if (type === "date") {
    const arrowType = new arrow.DateDay();
    return make(arrowType, (capacity, table) => {
      const buffer = new FixedBuffer(arrow, arrowType, Int32Array, capacity);
      return {
        buffer,
        append(value, start, end) {
          if (isZeroDate(value, start)) {
            return appendZeroDate(buffer, options, table, info.name, ascii(value, start, end));
          }
          buffer.append(parseDateDays(value, start));
        },
        appendDateTime: (days) => buffer.append(days),
      };
    }, "date");
  }
  if (type === "datetime" || type === "timestamp") {
    // DATETIME is a wall-clock value without zone; TIMESTAMP is an instant, read in a UTC session.
    const arrowType = new arrow.Timestamp(
      arrow.TimeUnit.MICROSECOND,
      type === "timestamp" ? "UTC" : null,
    );
    return make(arrowType, (capacity, table) => {
      const buffer = new FixedBuffer(arrow, arrowType, BigInt64Array, capacity);
      return {
        buffer,
        append(value, start, end) {
          if (isZeroDate(value, start)) {
            return appendZeroDate(buffer, options, table, info.name, ascii(value, start, end));
          }
          const micros = parseDateTimeMicros(value, start, end);
          if (Number.isSafeInteger(micros)) buffer.appendInt64(micros);
          else buffer.append(parseDateTimeMicrosExact(value, start, end));
        },
        appendDateTime(days, microsOfDay) {
          const micros = days * 86_400_000_000 + microsOfDay;
          if (Number.isSafeInteger(micros)) buffer.appendInt64(micros);
          else buffer.append(BigInt(days) * 86_400_000_000n + BigInt(microsOfDay));
        },
      };
    }, "datetime");
  }
  if (type === "time") {
    const arrowType = new arrow.TimeMicrosecond();
    return make(arrowType, (capacity, table) => {
      const buffer = new FixedBuffer(arrow, arrowType, BigInt64Array, capacity);
      return {
        buffer,
        append(value, start, end) {
          const micros = parseTimeMicros(value, start, end);
          if (micros < 0 || micros >= 86_400_000_000) {
            throw tableFailure(
              `table "${table}" column "${info.name}" holds the TIME ${
                ascii(value, start, end)
              }, outside a day`,
              "read it through a view with TIME_TO_SEC(column) to keep it as seconds",
            );
          }
          buffer.appendInt64(micros);
        },
      };
    });
  }
  return undefined;
}

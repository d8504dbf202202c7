/**
 * The binary-protocol row decoder of the mysql connector on hand-built rows: the integer limits
 * where a number stops being exact, dates outside the look-up table, zero dates and TIME (which
 * go through the text appenders), NULL bitmaps across bytes, and floats kept as the server's text.
 */
import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { binaryRowDecoder, type WireColumn } from "../../../connectors/mysql/binary_rows.ts";
import { type ColumnInfo, planColumn } from "../../../connectors/mysql/column_types.ts";

function info(name: string, dataType: string, columnType = dataType, more = {}): ColumnInfo {
  return {
    name,
    dataType,
    columnType,
    precision: null,
    scale: null,
    fractionDigits: null,
    nullable: true,
    comment: "",
    binary: false,
    ...more,
  };
}

/** Builds one binary row: header, NULL bitmap, then the given value bytes. */
function row(columns: number, nulls: number[], values: number[][]): Uint8Array {
  const bitmap = new Array((columns + 9) >> 3).fill(0);
  for (const i of nulls) bitmap[(i + 2) >> 3] |= 1 << ((i + 2) & 7);
  return new Uint8Array([0xaa, 0x00, ...bitmap, ...values.flat()]);
}

const le64 = (value: bigint) => {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigInt64(0, BigInt.asIntN(64, value), true);
  return [...bytes];
};

function decode(infos: ColumnInfo[], wire: WireColumn[], rows: Uint8Array[]) {
  const options = { zeroDates: "null" as const, tinyint1AsBoolean: true };
  const sinks = infos.map((i) => planColumn(arrow, i, options).sink(4, "t"));
  const decodeRow = binaryRowDecoder(wire, sinks);
  for (const bytes of rows) decodeRow(bytes, 1);
  return sinks.map((sink) => [...arrow.makeVector(sink.buffer.flush())]);
}

/** The stored 64-bit values of a timestamp column (Arrow's getter would round them to ms). */
function rawStamps(info: ColumnInfo, wire: WireColumn, rows: Uint8Array[]) {
  const sink = planColumn(arrow, info, { zeroDates: "null", tinyint1AsBoolean: true }).sink(4, "t");
  const decodeRow = binaryRowDecoder([wire], [sink]);
  for (const bytes of rows) decodeRow(bytes, 1);
  const data = sink.buffer.flush();
  return Array.from({ length: data.length }, (_, i) => data.getValid(i) ? data.values[i] : null);
}

const LONGLONG = { columnType: 0x08, flags: 0, decimals: 0 };

Deno.test("binary rows: BIGINT exact at 2^53 and at both 64-bit ends, unsigned max too", () => {
  const values = [2n ** 53n - 1n, -(2n ** 53n), 2n ** 53n, -(2n ** 63n), 2n ** 63n - 1n];
  const [signed] = decode(
    [info("b", "bigint")],
    [LONGLONG],
    values.map((v) => row(1, [], [le64(v)])),
  );
  assert.deepEqual([...signed], values);
  const [unsigned] = decode(
    [info("u", "bigint", "bigint unsigned")],
    [{ columnType: 0x08, flags: 32, decimals: 0 }],
    [row(1, [], [le64(2n ** 64n - 1n)]), row(1, [], [le64(2n ** 53n + 1n)])],
  );
  assert.deepEqual([...unsigned], [2n ** 64n - 1n, 2n ** 53n + 1n]);
});

Deno.test("binary rows: dates and timestamps inside and outside 1900-2299, zero dates NULL", () => {
  const date = (y: number, m: number, d: number) => [4, y & 0xff, y >> 8, m, d];
  const dateTime = (y: number, m: number, d: number, micros: number) => [
    11,
    y & 0xff,
    y >> 8,
    m,
    d,
    1,
    2,
    3,
    ...new Uint8Array(new Uint32Array([micros]).buffer),
  ];
  // zero date and zero date-time (length 0), then a zero month and a zero day
  const dates = [date(2020, 2, 29), date(1000, 1, 1), [0], date(2020, 0, 15)];
  const stampsWire = [
    dateTime(1969, 12, 31, 999_999),
    dateTime(9999, 12, 31, 5),
    [0],
    dateTime(2020, 1, 0, 0),
  ];
  const tsWire = { columnType: 0x07, flags: 0, decimals: 6 };
  const [days] = decode(
    [info("d", "date"), info("ts", "timestamp", "timestamp(6)")],
    [{ columnType: 0x0a, flags: 0, decimals: 0 }, tsWire],
    dates.map((d, i) => row(2, [], [d, stampsWire[i]])),
  );
  const stamps = rawStamps(
    info("ts", "timestamp", "timestamp(6)"),
    tsWire,
    stampsWire.map((ts) => row(1, [], [ts])),
  );
  const day = (iso: string) => Date.parse(iso) / 86_400_000;
  assert.deepEqual([...days].map((d) => (d === null ? null : Number(d) / 86_400_000)), [
    day("2020-02-29"),
    day("1000-01-01"),
    null,
    null,
  ]);
  const micros = (iso: string, extra: bigint) => BigInt(Date.parse(iso)) * 1000n + extra;
  assert.deepEqual([...stamps], [
    micros("1969-12-31T01:02:03Z", 999_999n),
    micros("9999-12-31T01:02:03Z", 5n),
    null,
    null,
  ]);
});

Deno.test("binary rows: NULL bitmap past the first byte, TIME and FLOAT through text forms", () => {
  const infos = Array.from({ length: 9 }, (_, i) => info(`c${i}`, "int"));
  const wire = Array.from({ length: 9 }, () => ({ columnType: 0x03, flags: 0, decimals: 0 }));
  infos.push(info("tm", "time", "time(3)"), info("f", "float"), info("txt", "varchar"));
  wire.push(
    { columnType: 0x0b, flags: 0, decimals: 3 },
    { columnType: 0x04, flags: 0, decimals: 31 },
    { columnType: 0x04, flags: 0, decimals: 31 },
  );
  const int = (v: number) => [...new Uint8Array(new Int32Array([v]).buffer)];
  const time = [
    12,
    0,
    0,
    0,
    0,
    0,
    12,
    34,
    56,
    ...new Uint8Array(new Uint32Array([789_000]).buffer),
  ];
  const float = [...new Uint8Array(new Float32Array([1.1]).buffer)];
  const columns = decode(infos, wire, [
    row(12, [0, 6, 7], [int(1), int(2), int(3), int(4), int(5), int(-6), time, float, float]),
  ]);
  assert.deepEqual(columns.slice(0, 9).map((c) => c[0]), [null, 1, 2, 3, 4, 5, null, null, -6]);
  assert.equal(Number(columns[9][0]), ((12 * 60 + 34) * 60 + 56) * 1_000_000 + 789_000);
  assert.equal(columns[10][0], Math.fround(1.1));
  assert.equal(columns[11][0], "1.1"); // a FLOAT read as text keeps the server's shortest form
});

import assert from "node:assert/strict";
import { join } from "node:path";
import * as arrow from "apache-arrow";
import { queryDuckDB, tempDir } from "../../_helpers.ts";
import { batchOf, sliced } from "./_batches.ts";
import { ExtractError } from "../../../runtime/errors.ts";
import { writeParquetFile } from "../../../runtime/parquet/parquet_writer.ts";
import { DirectParquetWriter } from "../../../runtime/parquet/direct_parquet_writer.ts";
import { directlyWritable } from "../../../runtime/parquet/parquet_leaf.ts";
import { MAX_STATISTICS_BYTES } from "../../../runtime/parquet/parquet_values.ts";

const extension = (name: string) =>
  new Map([["ARROW:extension:name", name], ["ARROW:extension:metadata", ""]]);

/** Row `i` is null in nullable columns when this says so (every 11th row, and a run). */
const isNull = (i: number) => i % 11 === 3 || (i >= 1000 && i < 1100);

function bitmapOf(length: number, valid: (i: number) => boolean): [Uint8Array, number] {
  const bitmap = new Uint8Array(Math.ceil(length / 8));
  let nulls = 0;
  for (let i = 0; i < length; i++) {
    if (valid(i)) bitmap[i >> 3] |= 1 << (i & 7);
    else nulls++;
  }
  return [bitmap, nulls];
}

/** A fixed-width column: `value(i, array)` fills row i's slot(s). */
function fixedColumn<T extends arrow.DataType>(
  type: T,
  n: number,
  // deno-lint-ignore no-explicit-any
  make: (n: number) => any,
  fill: (i: number, values: never) => void,
  valid: (i: number) => boolean = (i) => !isNull(i),
): arrow.Data<T> {
  const values = make(n);
  for (let i = 0; i < n; i++) if (valid(i)) fill(i, values as never);
  const [nullBitmap, nullCount] = bitmapOf(n, valid);
  return arrow.makeData(
    { type, length: n, nullCount, nullBitmap, data: values } as never,
  ) as arrow.Data<T>;
}

function bytesColumn<T extends arrow.DataType>(
  type: T,
  n: number,
  value: (i: number) => Uint8Array,
  large = false,
): arrow.Data<T> {
  const valid = (i: number) => !isNull(i);
  const parts = Array.from({ length: n }, (_, i) => valid(i) ? value(i) : new Uint8Array());
  const offsets = large ? new BigInt64Array(n + 1) : new Int32Array(n + 1);
  let total = 0;
  parts.forEach((part, i) => {
    total += part.length;
    offsets[i + 1] = (large ? BigInt(total) : total) as never;
  });
  const data = new Uint8Array(total);
  parts.forEach((part, i) => data.set(part, Number(offsets[i])));
  const [nullBitmap, nullCount] = bitmapOf(n, valid);
  return arrow.makeData(
    { type, length: n, nullCount, nullBitmap, valueOffsets: offsets, data } as never,
  ) as arrow.Data<T>;
}

const utf8 = (text: string) => new TextEncoder().encode(text);
const STRINGS = ["", "a", "Zürich", "東京", "emoji 🦆", "x".repeat(200), 'O\'Brien "quoted"\n'];
const MAX_38 = 10n ** 38n - 1n;

/** 128-bit two's complement words, least significant first. */
function decimalWords(value: bigint, words: Uint32Array, at: number): void {
  const bits = BigInt.asUintN(128, value);
  for (let k = 0; k < 4; k++) words[at + k] = Number((bits >> BigInt(32 * k)) & 0xffffffffn);
}

/** A decimal column: extremes of `precision` digits first, then a spread of signed values. */
function decimalColumn(precision: number, scale: number, n: number): arrow.Data {
  const max = 10n ** BigInt(precision) - 1n;
  return fixedColumn(
    new arrow.Decimal(scale, precision, 128),
    n,
    (n) => new Uint32Array(n * 4),
    (i, words: Uint32Array) => {
      const value = i === 0 ? max : i === 1 ? -max : BigInt((i * 7919) % 2_000_003 - 1_000_001);
      decimalWords(value, words, i * 4);
    },
  );
}

/** Days since 1970 of row i: 1833 to 2106. */
const days = (i: number) => (i % 100_000) - 50_000;
/** Microseconds since 1970 of row i's timestamps. */
const micros = (i: number) => BigInt(days(i)) * 86_400_000_000n + BigInt(i) * 1_234_567n;

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

/** Every type the direct writer covers, with nulls, extremes, pre-1970 times and unicode. */
function everyTypeBatch(n: number): arrow.RecordBatch {
  const big = (i: number, extremes: bigint[], spread: bigint) =>
    i < extremes.length ? extremes[i] : BigInt(i) * spread - 5_000_000n * spread;
  const columns: [arrow.Field, arrow.Data][] = [];
  const add = (name: string, data: arrow.Data, nullable = true, metadata?: Map<string, string>) =>
    columns.push([new arrow.Field(name, data.type, nullable, metadata), data]);
  add(
    "i",
    fixedColumn(new arrow.Int64(), n, (n) => new BigInt64Array(n), (i, v: BigInt64Array) => {
      v[i] = BigInt(i);
    }, () => true),
    false,
  );
  const ints: [string, arrow.DataType, (n: number) => ArrayLike<number>, number[]][] = [
    ["i8", new arrow.Int8(), (n) => new Int8Array(n), [-128, 127]],
    ["u8", new arrow.Uint8(), (n) => new Uint8Array(n), [0, 255]],
    ["i16", new arrow.Int16(), (n) => new Int16Array(n), [-32768, 32767]],
    ["u16", new arrow.Uint16(), (n) => new Uint16Array(n), [0, 65535]],
    ["i32", new arrow.Int32(), (n) => new Int32Array(n), [-(2 ** 31), 2 ** 31 - 1]],
    ["u32", new arrow.Uint32(), (n) => new Uint32Array(n), [0, 2 ** 32 - 1]],
  ];
  for (const [name, type, make, extremes] of ints) {
    add(
      name,
      fixedColumn(type, n, make, (i, v: number[]) => {
        v[i] = i < 2 ? extremes[i] : (i * 2654435761) % 251 - 100;
      }),
    );
  }
  add(
    "i64",
    fixedColumn(new arrow.Int64(), n, (n) => new BigInt64Array(n), (i, v: bigint[]) => {
      v[i] = big(i, [I64_MIN, I64_MAX], 1_000_003n);
    }),
  );
  add(
    "u64",
    fixedColumn(new arrow.Uint64(), n, (n) => new BigUint64Array(n), (i, v: bigint[]) => {
      v[i] = i === 0 ? 2n ** 64n - 1n : BigInt(i) * 3n;
    }),
  );
  add(
    "f32",
    fixedColumn(new arrow.Float32(), n, (n) => new Float32Array(n), (i, v: number[]) => {
      v[i] = [-3.4e38, 3.4e38, -0, Infinity, NaN][i] ?? (i % 1000) / 8 - 60;
    }),
  );
  add(
    "f64",
    fixedColumn(new arrow.Float64(), n, (n) => new Float64Array(n), (i, v: number[]) => {
      v[i] = [-Number.MAX_VALUE, Number.MAX_VALUE, -Infinity, 5e-324, NaN][i] ?? i * 1.5 - 1e6;
    }),
  );
  add("d12_2", decimalColumn(12, 2, n));
  add("d9_3", decimalColumn(9, 3, n));
  add("d18_4", decimalColumn(18, 4, n));
  add("d20_0", decimalColumn(20, 0, n));
  add("d38_10", decimalColumn(38, 10, n));
  add("s", bytesColumn(new arrow.Utf8(), n, (i) => utf8(STRINGS[i % STRINGS.length] + i)));
  // Sorted strings (each row a new max, or a new min) exercise the running min/max.
  add("up", bytesColumn(new arrow.Utf8(), n, (i) => utf8(`key-${String(i).padStart(9, "0")}`)));
  add(
    "down",
    bytesColumn(new arrow.Utf8(), n, (i) => utf8(`key-${String(n - i).padStart(9, "0")}`)),
  );
  add("ls", bytesColumn(new arrow.LargeUtf8(), n, (i) => utf8(`${STRINGS[i % 3]}${i}`), true));
  add("b", bytesColumn(new arrow.Binary(), n, (i) => Uint8Array.of(i & 255, 0, 255)));
  add("lb", bytesColumn(new arrow.LargeBinary(), n, (i) => Uint8Array.of(i % 3), true));
  add(
    "fsb",
    fixedColumn(new arrow.FixedSizeBinary(4), n, (n) => new Uint8Array(n * 4), (i, v: number[]) => {
      v[i * 4] = i & 255;
      v[i * 4 + 3] = 7;
    }),
  );
  add(
    "flag",
    fixedColumn(new arrow.Bool(), n, (n) => new Uint8Array(Math.ceil(n / 8)), (i, v: number[]) => {
      if (i % 3 !== 0) v[i >> 3] |= 1 << (i & 7);
    }),
  );
  add(
    "d32",
    fixedColumn(new arrow.DateDay(), n, (n) => new Int32Array(n), (i, v: number[]) => {
      v[i] = days(i);
    }),
  );
  add(
    "d64",
    fixedColumn(new arrow.DateMillisecond(), n, (n) => new BigInt64Array(n), (i, v: bigint[]) => {
      v[i] = BigInt(days(i)) * 86_400_000n;
    }),
  );
  const timestamps: [string, arrow.DataType, bigint][] = [
    ["ts_s", new arrow.TimestampSecond(), 1_000_000n],
    ["ts_ms_tz", new arrow.TimestampMillisecond("+01:00"), 1000n],
    ["ts_us_utc", new arrow.TimestampMicrosecond("UTC"), 1n],
    ["ts_us", new arrow.TimestampMicrosecond(), 1n],
    ["ts_ns", new arrow.TimestampNanosecond(), -1000n],
    ["ts_ns_utc", new arrow.TimestampNanosecond("UTC"), -1000n],
  ];
  for (const [name, type, divisor] of timestamps) {
    add(
      name,
      fixedColumn(type, n, (n) => new BigInt64Array(n), (i, v: bigint[]) => {
        v[i] = divisor > 0 ? micros(i) / divisor : micros(i) * -divisor;
      }),
    );
  }
  const dayMicros = (i: number) => (i * 1_234_567_891) % 86_400_000_000;
  add(
    "t_s",
    fixedColumn(new arrow.TimeSecond(), n, (n) => new Int32Array(n), (i, v: number[]) => {
      v[i] = Math.floor(dayMicros(i) / 1e6);
    }),
  );
  add(
    "t_ms",
    fixedColumn(new arrow.TimeMillisecond(), n, (n) => new Int32Array(n), (i, v: number[]) => {
      v[i] = Math.floor(dayMicros(i) / 1000);
    }),
  );
  add(
    "t_us",
    fixedColumn(new arrow.TimeMicrosecond(), n, (n) => new BigInt64Array(n), (i, v: bigint[]) => {
      v[i] = BigInt(dayMicros(i));
    }),
  );
  add(
    "t_ns",
    fixedColumn(new arrow.TimeNanosecond(), n, (n) => new BigInt64Array(n), (i, v: bigint[]) => {
      v[i] = BigInt(dayMicros(i)) * 1000n;
    }),
  );
  // TIME WITH TIME ZONE, as the files connector declares it.
  add(
    "t_us_tz",
    fixedColumn(new arrow.TimeMicrosecond(), n, (n) => new BigInt64Array(n), (i, v: bigint[]) => {
      v[i] = BigInt(dayMicros(i));
    }),
    true,
    new Map([["adjusted_to_utc", "true"]]),
  );
  add(
    "uuid",
    fixedColumn(
      new arrow.FixedSizeBinary(16),
      n,
      (n) => new Uint8Array(n * 16),
      (i, v: number[]) => {
        for (let k = 0; k < 16; k++) v[i * 16 + k] = (i + k * 17) & 255;
      },
    ),
    true,
    extension("arrow.uuid"),
  );
  add(
    "json",
    bytesColumn(new arrow.Utf8(), n, (i) => utf8(`{"n": ${i}}`)),
    true,
    extension("arrow.json"),
  );
  add(
    "span",
    fixedColumn(
      new arrow.FixedSizeBinary(12),
      n,
      (n) => new Uint8Array(n * 12),
      (i, v: number[]) => {
        v[i * 12] = i % 12; // months
        v[i * 12 + 4] = i % 28; // days
        v[i * 12 + 9] = i % 200; // milliseconds / 256
      },
    ),
    true,
    extension("dvt.parquet_interval"),
  );
  add(
    "all_null",
    fixedColumn(new arrow.Int32(), n, (n) => new Int32Array(n), () => {}, () => false),
  );
  const fields = columns.map(([field]) => field);
  const data = arrow.makeData({
    type: new arrow.Struct(fields),
    length: n,
    nullCount: 0,
    children: columns.map(([, data]) => data),
  });
  return new arrow.RecordBatch(new arrow.Schema(fields), data);
}

const SCHEMA_COLUMNS =
  "name, type, type_length, repetition_type, num_children, converted_type, scale, precision, logical_type";

async function rowsOf(sql: string) {
  return await queryDuckDB(undefined, sql);
}

/** Rows of `a` missing from `b` plus rows of `b` missing from `a`, compared by DuckDB. */
async function differingRows(a: string, b: string): Promise<number> {
  const [row] = await rowsOf(
    `SELECT (SELECT count(*) FROM (FROM '${a}' EXCEPT ALL FROM '${b}')) +
            (SELECT count(*) FROM (FROM '${b}' EXCEPT ALL FROM '${a}')) AS n`,
  );
  return Number(row.n);
}

Deno.test("direct writer: every covered type reads back in DuckDB as parquet-wasm's file does, across row groups", async () => {
  await using dir = await tempDir();
  const rows = 130_007;
  const batch = everyTypeBatch(rows);
  assert.ok(directlyWritable(batch.schema));
  const batches = sliced(batch, [0, 50_001, 0, 59_999, 17_003, 3_004]);
  const direct = join(dir.path, "direct.parquet");
  const wasm = join(dir.path, "wasm.parquet");
  const schema = batch.schema;
  const written = await writeParquetFile(direct, batches, { table: "t", schema });
  await writeParquetFile(wasm, batches, { table: "t", schema, encoder: "parquet-wasm" });
  assert.equal(written.rows, rows);
  assert.equal(written.bytes, (await Deno.stat(direct)).size);

  // Same Parquet types (physical, converted, logical) and the same DuckDB column types.
  const schemaSql = (path: string) => `SELECT ${SCHEMA_COLUMNS} FROM parquet_schema('${path}')`;
  assert.deepEqual(await rowsOf(schemaSql(direct)), await rowsOf(schemaSql(wasm)));
  const describe = (path: string) => rowsOf(`DESCRIBE FROM '${path}'`);
  assert.deepEqual(await describe(direct), await describe(wasm));

  // Value by value: every row (with its row number i) is in the other file, and in order.
  assert.equal(await differingRows(direct, wasm), 0);
  const head = (path: string) => rowsOf(`SELECT * FROM '${path}' LIMIT 1200`);
  assert.deepEqual(await head(direct), await head(wasm));
  const [order] = await rowsOf(
    `SELECT bool_and(i = file_row_number) AS ok, count(*) AS n
     FROM read_parquet('${direct}', file_row_number = true)`,
  );
  assert.deepEqual(order, { ok: true, n: BigInt(rows) });

  // Extremes, spelled out rather than only compared with the other writer.
  const [edges] = await rowsOf(
    `SELECT max(d38_10)::VARCHAR AS d38max, min(d38_10)::VARCHAR AS d38min,
            min(i64) AS i64min, max(i64) AS i64max, max(u64)::VARCHAR AS u64max,
            min(u32) AS u32min, max(u32) AS u32max, epoch_us(min(ts_us_utc)) AS tsmin,
            date_diff('day', DATE '1970-01-01', min(d32))::INT AS dmin,
            count(*) FILTER (s LIKE 'Zürich%') AS zurich, count(*) FILTER (s LIKE '東京%') AS tokyo,
            count(*) FILTER (all_null IS NULL) AS nulls, count(*) FILTER (json IS NULL) AS json_nulls
     FROM '${direct}'`,
  );
  const valid = Array.from({ length: rows }, (_, i) => i).filter((i) => !isNull(i));
  const count = (test: (i: number) => boolean) => BigInt(valid.filter(test).length);
  const digits = `${MAX_38 / 10n ** 10n}.${String(MAX_38 % 10n ** 10n)}`;
  assert.deepEqual(edges, {
    d38max: digits,
    d38min: `-${digits}`,
    i64min: I64_MIN,
    i64max: I64_MAX,
    u64max: String(2n ** 64n - 1n),
    u32min: 0,
    u32max: 2 ** 32 - 1,
    tsmin: valid.map(micros).reduce((a, b) => a < b ? a : b),
    dmin: Math.min(...valid.map(days)),
    zurich: count((i) => i % STRINGS.length === 2),
    tokyo: count((i) => i % STRINGS.length === 3),
    nulls: BigInt(rows),
    json_nulls: BigInt(rows - valid.length),
  });
  assert.ok(edges.tsmin < 0n && edges.dmin < 0, "pre-1970 values are in the data");
});

Deno.test("direct writer: zstd, 122,880-row groups and the statistics parquet-wasm writes", async () => {
  await using dir = await tempDir();
  const rows = 250_000;
  // Without the interval column: DuckDB fails on parquet-wasm's INTERVAL statistics
  // ("Unsupported type for stats INTERVAL") in parquet_metadata().
  const full = everyTypeBatch(rows);
  const keep = full.schema.fields.map((f, k) => [f.name, k] as const).filter(([n]) => n !== "span");
  const batch = full.selectAt(keep.map(([, k]) => k));
  const batches = sliced(batch, [100_000, 100_000, 50_000]);
  const direct = join(dir.path, "direct.parquet");
  const wasm = join(dir.path, "wasm.parquet");
  await writeParquetFile(direct, batches, { table: "t" });
  await writeParquetFile(wasm, batches, { table: "t", encoder: "parquet-wasm" });
  const groups = await rowsOf(
    `SELECT DISTINCT row_group_id, row_group_num_rows::INT AS n, compression
     FROM parquet_metadata('${direct}') ORDER BY row_group_id`,
  );
  assert.deepEqual(groups, [
    { row_group_id: 0n, n: 122_880, compression: "ZSTD" },
    { row_group_id: 1n, n: 122_880, compression: "ZSTD" },
    { row_group_id: 2n, n: rows - 2 * 122_880, compression: "ZSTD" },
  ]);
  const stats = (path: string) =>
    rowsOf(
      `SELECT row_group_id, path_in_schema AS column, stats_null_count AS nulls,
              stats_min_value AS min, stats_max_value AS max
       FROM parquet_metadata('${path}') ORDER BY row_group_id, column_id`,
    );
  const ours = await stats(direct);
  const theirs = await stats(wasm);
  assert.equal(ours.length, theirs.length);
  // Columns whose min/max the direct writer leaves out: fixed-size binary (no sort order DuckDB
  // prunes by). Column s has 200-byte values, but none is the min or the max.
  const withoutMinMax = new Set(["fsb", "uuid"]);
  for (let k = 0; k < ours.length; k++) {
    const [mine, reference] = [ours[k], theirs[k]];
    const column = String(mine.column);
    assert.equal(mine.nulls, reference.nulls, column);
    if (withoutMinMax.has(column) || column === "all_null") {
      assert.equal(mine.min, null, column);
      continue;
    }
    assert.deepEqual([mine.min, mine.max], [reference.min, reference.max], column);
  }
  // Pruning works: a range on i reads one row group's rows.
  const [pruned] = await rowsOf(`SELECT count(*)::INT AS n FROM '${direct}' WHERE i < 10`);
  assert.equal(pruned.n, 10);
});

Deno.test("direct writer: string statistics stop at MAX_STATISTICS_BYTES", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "s.parquet");
  const schema = new arrow.Schema([new arrow.Field("s", new arrow.Utf8(), true)]);
  const short = arrow.vectorFromArray(["b", "a", null, "c"], new arrow.Utf8());
  const long = arrow.vectorFromArray(["b", "z".repeat(MAX_STATISTICS_BYTES + 1)], new arrow.Utf8());
  const writer = await DirectParquetWriter.open(path, schema);
  writer.write(batchOf(schema, [short.data[0]]));
  await writer.finish();
  const [stats] = await rowsOf(
    `SELECT stats_min_value AS min, stats_max_value AS max, stats_null_count AS nulls
     FROM parquet_metadata('${path}')`,
  );
  assert.deepEqual(stats, { min: "a", max: "c", nulls: 1n });
  await writeParquetFile(path, [new arrow.RecordBatch({ s: long.data[0] })], { table: "t" });
  const [none] = await rowsOf(`SELECT stats_min_value AS min FROM parquet_metadata('${path}')`);
  assert.equal(none.min, null);
  const [value] = await rowsOf(`SELECT max(length(s))::INT AS n FROM '${path}'`);
  assert.equal(value.n, MAX_STATISTICS_BYTES + 1);
});

Deno.test("writeParquetFile() writes flat schemas with the direct writer, byte for byte", async () => {
  await using dir = await tempDir();
  const batch = everyTypeBatch(5_000);
  const viaWriteParquetFile = join(dir.path, "a.parquet");
  const direct = join(dir.path, "b.parquet");
  await writeParquetFile(viaWriteParquetFile, sliced(batch, [2_000, 3_000]), { table: "t" });
  const writer = await DirectParquetWriter.open(direct, batch.schema);
  for (const part of sliced(batch, [2_000, 3_000])) writer.write(part);
  await writer.finish();
  assert.deepEqual(await Deno.readFile(viaWriteParquetFile), await Deno.readFile(direct));
});

Deno.test("direct writer: an empty table and an all-null column keep their types", async () => {
  await using dir = await tempDir();
  const schema = everyTypeBatch(1).schema;
  const direct = join(dir.path, "direct.parquet");
  const wasm = join(dir.path, "wasm.parquet");
  const empty = await writeParquetFile(direct, [], { table: "e", schema });
  await writeParquetFile(wasm, [], { table: "e", schema, encoder: "parquet-wasm" });
  assert.equal(empty.rows, 0);
  const describe = (path: string) => rowsOf(`DESCRIBE FROM '${path}'`);
  assert.deepEqual(await describe(direct), await describe(wasm));
  const [count] = await rowsOf(`SELECT count(*)::INT AS n FROM '${direct}'`);
  assert.equal(count.n, 0);
});

Deno.test("direct writer: a null in a NOT NULL column fails the table", async () => {
  await using dir = await tempDir();
  const schema = new arrow.Schema([new arrow.Field("id", new arrow.Int64(), false)]);
  const values = arrow.vectorFromArray([1n, null, 3n], new arrow.Int64());
  const batch = new arrow.RecordBatch({ id: values.data[0] });
  const error = await writeParquetFile(join(dir.path, "n.parquet"), [batch], {
    table: "n",
    schema,
  }).catch((e) => e);
  assert.ok(error instanceof ExtractError, String(error));
  assert.match(error.message, /table "n".*column "id" is declared NOT NULL/);
});

Deno.test("direct writer: structs, lists of lists and dictionaries still go through parquet-wasm", () => {
  const item = (type: arrow.DataType) => new arrow.Field("item", type, true);
  const listOfLists = new arrow.List(item(new arrow.List(item(new arrow.Int32()))));
  const listOfFloat16 = new arrow.List(item(new arrow.Float16()));
  const struct = new arrow.Struct([new arrow.Field("a", new arrow.Int32())]);
  const dictionary = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
  const others = [new arrow.Float16(), new arrow.IntervalDayTime()];
  for (const type of [listOfLists, listOfFloat16, struct, dictionary, ...others]) {
    const schema = new arrow.Schema([
      new arrow.Field("id", new arrow.Int64()),
      new arrow.Field("x", type),
    ]);
    assert.equal(directlyWritable(schema), false, String(type));
  }
});

Deno.test("direct writer: a batch is written without yielding to the event loop", async () => {
  // Awaiting a write per page let the source run ahead between pages (peak RSS 955 MiB for
  // 10M postgres rows); writes into the page cache are synchronous instead.
  await using dir = await tempDir();
  const rows = 3 * 122_880;
  const ids = fixedColumn(
    new arrow.Int64(),
    rows,
    (n) => new BigInt64Array(n),
    (i, v: bigint[]) => {
      v[i] = BigInt(i);
    },
  );
  const names = bytesColumn(new arrow.Utf8(), rows, (i) => utf8(`name-${i}`));
  const batch = new arrow.RecordBatch({ id: ids, name: names });
  let timerFired = false;
  let firedDuringWrite: boolean | undefined;
  function* source() {
    yield batch.slice(0, 10); // the file is open once this one is written
    setTimeout(() => timerFired = true, 0);
    yield batch;
  }
  await writeParquetFile(join(dir.path, "t.parquet"), source(), {
    table: "t",
    onBatch: (written) => {
      if (written.numRows === rows) firedDuringWrite = timerFired;
    },
  });
  assert.equal(firedDuringWrite, false);
});

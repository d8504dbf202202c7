/**
 * What a parallel reader (read_worker.ts) uses instead of the Arrow module, which lives on the
 * main thread: planColumn() and the column buffers of mod.ts construct Arrow types only to hand
 * them to `makeData`, so here every type is an empty placeholder and `makeData` returns the
 * plain buffers (lengths, bitmap, offsets, values) a worker can transfer without copying. The
 * main thread turns them into Arrow data of the declared field types ({@linkcode dataOf}).
 *
 * @module
 */
import type * as Arrow from "apache-arrow";

/** One column of a batch as plain, transferable buffers. */
export interface PlainData {
  length: number;
  nullCount: number;
  nullBitmap?: Uint8Array;
  valueOffsets?: Int32Array;
  data: ArrayBufferView;
}

class Placeholder {}

function plainData(props: PlainData & { type?: unknown }): PlainData {
  const { length, nullCount, nullBitmap, valueOffsets, data } = props;
  return { length, nullCount, nullBitmap, valueOffsets, data };
}

/** An Arrow stand-in: any type is a placeholder, `makeData` keeps the buffers. */
export const plainArrow: typeof Arrow = new Proxy({}, {
  get(_, name) {
    if (name === "makeData") return plainData;
    if (name === "TimeUnit") return { SECOND: 0, MILLISECOND: 1, MICROSECOND: 2, NANOSECOND: 3 };
    return Placeholder;
  },
}) as typeof Arrow;

/** The buffers to transfer with `columns` (each once). */
export function transferables(columns: PlainData[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const column of columns) {
    for (const view of [column.data, column.nullBitmap, column.valueOffsets]) {
      if (view) buffers.add(view.buffer as ArrayBuffer);
    }
  }
  return [...buffers];
}

/** Arrow data of `type` from a worker's plain column. */
export function dataOf(arrow: typeof Arrow, type: Arrow.DataType, column: PlainData): Arrow.Data {
  return arrow.makeData({ ...column, type } as Parameters<typeof arrow.makeData>[0]);
}

/**
 * The DuckDB a fold thread keeps from one fold to the next: one in-memory instance that each
 * fold's catalog database is attached to while it is built, and that merges partitions when
 * they are compacted. Starting and closing a DuckDB instance per catalog build and per merge
 * cost ~70-100 ms of CPU per fold (a build with its own instance: 140-170 ms of CPU, attached to
 * a kept one: 55-75 ms), twice a second at 2,000 deliveries/s.
 *
 * One thread (`threads=1`): a fold must never take both cores from the thread that answers
 * deliveries, whose acknowledgements wait behind anything running on the machine; with DuckDB's
 * default (a thread per core) a merge or a checkpoint took both.
 *
 * @module
 */
import { DuckDB } from "../parquet/duckdb.ts";

/** Opens the engine; the settings are those catalog files are written with (see catalog.ts). */
export async function openFoldEngine(): Promise<DuckDB> {
  return await DuckDB.create(":memory:", {
    settings: { checkpoint_threshold: "0b", threads: "1" },
  });
}

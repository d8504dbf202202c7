/**
 * Folds a micro-batch of event rows into an extract: appends stream partitions
 * (`data/<table>/YYYY-MM-<unique>-w<seq>.parquet`) and republishes `extract.duckdb` exactly as
 * `dvt extract` does (built aside, renamed over; see extract/publish.ts), under the output
 * directory's run lock, held only for the fold. Each partition's name carries the highest log
 * position of the flush that wrote it, so after a crash the published catalog itself says which
 * logged deliveries are already in the extract (the fold and that fact are one rename).
 *
 * @module
 */
import type * as arrow from "apache-arrow";
import { schemaToJson } from "../parquet/arrow_schema.ts";
import {
  buildCatalog,
  type Catalog,
  CatalogBuild,
  type CatalogEntry,
  readCatalog,
} from "../extract/catalog.ts";
import type { DuckDB } from "../parquet/duckdb.ts";
import { newRunId, type OutputLayout, TEMP_PREFIX } from "../extract/layout.ts";
import { cleanUpStaleFiles, publishDatabase, removeIfExists } from "../extract/publish.ts";
import { acquireRunLock } from "../extract/run_lock.ts";
import { saveState, stateFromCatalog } from "../extract/state.ts";
import { appendStreamBatches } from "../extract/stream_writer.ts";
import { tableNames } from "../extract/table_names.ts";
import type { TableInfo } from "../protocol.ts";
import { forgetPublished, publishedCatalog, rememberPublished } from "./catalog_cache.ts";
import { compactPartitions } from "./compact_partitions.ts";
import { concatBatches } from "./concat_batches.ts";

/** The rows of one table in a micro-batch. */
export interface TableBatches {
  info: TableInfo;
  batches: arrow.RecordBatch[];
}

/** What to fold and how. */
export interface FoldRequest {
  layout: OutputLayout;
  connectorName: string;
  /** Every table the connector declares (names are assigned as extract assigns them). */
  tables: readonly TableInfo[];
  /** Source table -> its configured `destination`, named as `dvt extract` names it. */
  destinations?: Readonly<Record<string, string>>;
  /** Source table name -> its rows. */
  rows: ReadonlyMap<string, TableBatches>;
  /** Highest log position folded. */
  seq: number;
  /** How long to wait for a `dvt extract` holding the run lock; default: not at all. */
  lockWaitMs?: number;
  /**
   * The DuckDB to build the catalog and merge partitions with (a fold thread keeps one, see
   * fold_engine.ts); by default each opens its own.
   */
  engine?: DuckDB;
  /** Filled with the time each phase took (bench/serve_fold.ts), by `clock` (ms). */
  phases?: FoldPhases;
  clock?: () => number;
}

/** Time a fold spent appending Parquet, compacting and republishing the catalog. */
export interface FoldPhases {
  append: number;
  compact: number;
  catalog: number;
}

/** What a fold published. */
export interface FoldResult {
  runId: string;
  /** View name -> rows appended. */
  rows: Record<string, number>;
  /** The `_meta` entries after the fold. */
  entries: CatalogEntry[];
}

const SEQ_TAG = /-w(\d+)\.parquet$/;

/** The highest log position the published catalog holds (0: none). */
export function publishedSeq(catalog: Catalog): number {
  let highest = 0;
  for (const entry of catalog.entries) {
    for (const file of entry.files) {
      const match = SEQ_TAG.exec(file);
      if (match && file.startsWith(`data/${entry.name}/`)) {
        highest = Math.max(highest, Number(match[1]));
      }
    }
  }
  return highest;
}

/** Reads the published catalog of a layout (empty when there is none yet). */
export async function readPublished(layout: OutputLayout): Promise<Catalog> {
  return await readCatalog(layout.database);
}

/** Appends the rows and publishes; on failure nothing readers see has changed. */
export async function foldEvents(request: FoldRequest): Promise<FoldResult> {
  const { layout } = request;
  const clock = request.clock ?? (() => performance.now());
  const phases = request.phases ?? { append: 0, compact: 0, catalog: 0 };
  let mark = clock();
  const lap = (phase: keyof FoldPhases) => {
    const now = clock();
    phases[phase] += now - mark;
    mark = now;
  };
  await using _lock = await acquireRunLock(layout.stateDir, {
    holder: "dvt serve",
    brief: true,
    waitMs: request.lockWaitMs ?? 0,
  });
  const catalog = await publishedCatalog(layout.database, request.engine);
  await Deno.mkdir(layout.dataDir, { recursive: true });
  const names = tableNames({
    discovered: request.tables.map((t) => t.name),
    selected: [...request.rows.keys()],
    published: new Map(catalog.entries.map((e) => [e.sourceName, e.name])),
    settings: Object.fromEntries(
      Object.entries(request.destinations ?? {}).map(([table, destination]) => [
        table,
        { destination },
      ]),
    ),
  });
  const runId = newRunId();
  const written: string[] = [];
  const fresh = new Map<string, CatalogEntry>();
  const rows: Record<string, number> = {};
  try {
    for (const [source, { info, batches }] of request.rows) {
      const name = names.get(source)!;
      const previous = catalog.entries.find((e) => e.sourceName === source);
      const before = previous?.queryMode === "local"
        ? await listedPartitions(layout, previous)
        : [];
      // One batch per delivery would cost the writer a round trip each: join them first.
      const joined = concatBatches(info.schema, batches);
      const result = await appendStreamBatches(layout, name, joined, {
        schema: info.schema,
        tag: `w${request.seq}`,
      });
      written.push(...result.files);
      lap("append");
      const appended = [...before, ...result.files];
      const files = await compactPartitions(layout, appended, undefined, request.engine);
      lap("compact");
      const merged = files.filter((file) => !appended.includes(file));
      written.push(...merged);
      fresh.set(source, {
        ...baseEntry(info, name, runId, previous),
        files,
        rows: (previous?.queryMode === "local" ? previous.rows : 0) + result.rows,
        sizeBytes: merged.length
          ? await sizeOf(layout, files)
          : (previous?.queryMode === "local" ? previous.sizeBytes : 0) + result.bytes,
      });
      rows[name] = result.rows;
    }
    const entries = catalog.entries
      .filter((e) => !fresh.has(e.sourceName))
      .concat([...fresh.values()])
      .sort((a, b) => a.name.localeCompare(b.name));
    const temp = layout.tempDatabase(runId);
    if (request.engine) {
      const { remote } = catalog;
      await CatalogBuild.write(
        temp,
        request.engine,
        layout.root,
        runId,
        entries,
        remote,
        request.connectorName,
      );
    } else {
      await buildCatalog(temp, layout.root, runId, entries, catalog.remote, request.connectorName);
    }
    await publishDatabase(temp, layout.database);
    await rememberPublished(layout.database, { runId, entries, remote: catalog.remote });
    await saveState(layout, stateFromCatalog(runId, entries));
    await cleanUpStaleFiles(layout, new Set(entries.flatMap((e) => e.files)));
    lap("catalog");
    return { runId, rows, entries };
  } catch (error) {
    // Unpublished partitions are invisible (views list their files); remove them now anyway.
    forgetPublished();
    for (const file of written) await removeIfExists(layout.absolute(file));
    await removeIfExists(layout.tempDatabase(runId));
    throw error;
  }
}

function baseEntry(
  info: TableInfo,
  name: string,
  runId: string,
  previous: CatalogEntry | undefined,
): CatalogEntry {
  return {
    name,
    sourceName: info.name,
    description: previous?.description || info.description || "",
    rows: 0,
    sizeBytes: 0,
    extractedAt: new Date(),
    queryMode: "local",
    schema: previous?.queryMode === "local" ? previous.schema : schemaToJson(info.schema),
    files: [],
    cursorColumn: previous?.cursorColumn,
    cursorValue: previous?.cursorValue,
    disposition: previous?.disposition ?? "append",
    primaryKey: previous?.primaryKey ?? info.primaryKey,
    runId,
  };
}

/**
 * The files a published entry lists. Extracts written before partitions were listed stored the
 * directory's glob: it stands for the partitions there now (listed before this fold writes).
 */
async function listedPartitions(layout: OutputLayout, entry: CatalogEntry): Promise<string[]> {
  const dir = layout.streamDir(entry.name);
  if (!entry.files.includes(`${dir}/*.parquet`)) return entry.files;
  const parts = await Array.fromAsync(Deno.readDir(layout.absolute(dir)));
  return [
    ...entry.files.filter((file) => file !== `${dir}/*.parquet`),
    ...parts
      .filter((part) => part.name.endsWith(".parquet") && !part.name.startsWith(TEMP_PREFIX))
      .map((part) => `${dir}/${part.name}`)
      .sort(),
  ];
}

async function sizeOf(layout: OutputLayout, files: string[]): Promise<number> {
  let total = 0;
  for (const file of files) total += (await Deno.stat(layout.absolute(file))).size;
  return total;
}

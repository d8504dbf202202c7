/**
 * Incremental state in `<out>/.dvt/state.json`: the cursor column and highest cursor value
 * written per source table. It is written after the catalog it describes is published and
 * records that catalog's run id; when they disagree (a crash between the two), the cursors
 * published in `_meta` win.
 *
 * @module
 */
import type { CatalogEntry } from "./catalog.ts";
import type { OutputLayout } from "./layout.ts";
import type { CursorValue } from "../protocol.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";

/** Incremental state of one source table. */
export interface TableState {
  /** Normalised view/file name. */
  name: string;
  cursorColumn?: string;
  cursorValue?: CursorValue;
}

/** The whole state file. */
export interface ExtractState {
  version: 1;
  /** Run id of the catalog this state describes. */
  runId: string;
  /** Source table name -> state. */
  tables: Record<string, TableState>;
}

/** Derives state from published catalog entries. */
export function stateFromCatalog(runId: string, entries: CatalogEntry[]): ExtractState {
  const tables: Record<string, TableState> = {};
  for (const entry of entries) {
    tables[entry.sourceName] = {
      name: entry.name,
      cursorColumn: entry.cursorColumn,
      cursorValue: entry.cursorValue,
    };
  }
  return { version: 1, runId, tables };
}

/** Loads state, falling back to the catalog's cursors when the file is missing or stale. */
export async function loadState(
  layout: OutputLayout,
  catalogRunId: string | undefined,
  entries: CatalogEntry[],
): Promise<ExtractState> {
  try {
    const state = JSON.parse(await Deno.readTextFile(layout.stateFile)) as ExtractState;
    if (state.version === 1 && state.runId === catalogRunId) return state;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound) && !(error instanceof SyntaxError)) throw error;
  }
  return stateFromCatalog(catalogRunId ?? "", entries);
}

/** Writes state atomically. */
export async function saveState(layout: OutputLayout, state: ExtractState): Promise<void> {
  await Deno.mkdir(layout.stateDir, { recursive: true });
  await writeFileAtomic(layout.stateFile, JSON.stringify(state, null, 2) + "\n");
}

/**
 * Which catalog entries a run publishes: the published ones it keeps, with those of tables that
 * landed replaced by their new entry, minus the tables removed from the configuration.
 *
 * @module
 */
import { ExtractError } from "../errors.ts";
import type { CatalogEntry } from "./catalog.ts";
import { failedOutcome } from "./run_result.ts";
import type { TableOutcome } from "./run_types.ts";

/** What one table's run produced: its outcome and, when it has one, its new catalog entry. */
export interface TableRun {
  outcome: TableOutcome;
  entry?: CatalogEntry;
}

/**
 * The published entries of tables not selected this run: removed when `drop` is true (the run
 * covers the source's whole configuration), else none.
 */
export function removedEntries(
  published: readonly CatalogEntry[],
  selected: readonly string[],
  drop: boolean,
): CatalogEntry[] {
  if (!drop) return [];
  const chosen = new Set(selected);
  return published.filter((entry) => !chosen.has(entry.sourceName));
}

/**
 * The entries to publish: `kept` (published, not removed) with each landed table's entry in
 * place of its old one, sorted by name. A new entry whose name another table's kept entry
 * still holds (a renamed table taking the old name of one that failed this run) is not
 * published: that run becomes a failure and both tables keep their previous data.
 */
export function publishedEntries(
  kept: readonly CatalogEntry[],
  runs: TableRun[],
): { entries: CatalogEntry[]; runs: TableRun[] } {
  let current = runs;
  for (;;) {
    const fresh = new Map(current.flatMap((run) => run.entry ? [[run.entry.sourceName, run]] : []));
    const stay = kept.filter((entry) => !fresh.has(entry.sourceName));
    const clash = [...fresh.values()].find(({ entry }) =>
      stay.some((other) => other.name === entry!.name && other.sourceName !== entry!.sourceName)
    );
    if (!clash) {
      const entries = stay.concat([...fresh.values()].map((run) => run.entry!));
      return { entries: entries.sort((a, b) => a.name.localeCompare(b.name)), runs: current };
    }
    const { table, name } = clash.outcome;
    const holder = stay.find((other) => other.name === name)!;
    const error = new ExtractError(
      `table "${table}" cannot be published as "${name}": table "${holder.sourceName}" still holds that name because its own run did not land`,
      { table, hint: "fix the other table and run again; both keep their previous data" },
    );
    current = current.map((run) =>
      run === clash ? { outcome: failedOutcome(table, name, error) } : run
    );
  }
}

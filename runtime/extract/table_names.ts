/**
 * The view and file name of every table of a run: a configured `destination` (normalised like
 * any source name, so it can never leave `<out>` nor break SQL), else the name the table was
 * published under, else its normalised source name. Two tables that would share a name are
 * bad input, reported before anything is read.
 *
 * @module
 */
import { InputError, type SourceLocation } from "../errors.ts";
import type { TableSettings } from "../project/table_settings.ts";
import { assignNames, normaliseName } from "./names.ts";
import { CURRENT_VIEW_SUFFIX } from "./history.ts";

/** What naming looks at. */
export interface NamingInput {
  /** Every table the connector discovered (their names stay reserved for them). */
  discovered: readonly string[];
  /** Tables this run extracts. */
  selected: readonly string[];
  /** Published tables that stay in the extract: source name -> published name. */
  published: ReadonlyMap<string, string>;
  /** Configured settings per source table (only `destination` matters here). */
  settings: Readonly<Record<string, TableSettings>>;
  /** Where a table's destination is configured, for errors. */
  destinationAt?: (table: string) => SourceLocation | undefined;
}

/** Source table -> normalised destination, for every table that configures one. */
function destinations(input: NamingInput): Map<string, string> {
  const byName = new Map<string, string>();
  const result = new Map<string, string>();
  for (const [table, settings] of Object.entries(input.settings)) {
    if (settings.destination === undefined) continue;
    const name = normaliseName(settings.destination);
    const other = byName.get(name);
    if (other !== undefined) {
      throw new InputError(
        `tables "${other}" and "${table}" both have the destination "${name}"`,
        {
          location: input.destinationAt?.(table),
          hint: "give each table its own destination",
        },
      );
    }
    byName.set(name, table);
    result.set(table, name);
  }
  return result;
}

/**
 * Assigns every table its name. Throws {@linkcode InputError} when two configured destinations
 * normalise to one name, or when a destination is the name a table extracted this run, or kept
 * from earlier runs, already goes by.
 *
 * @example
 * ```ts
 * import { tableNames } from "./table_names.ts";
 * const names = tableNames({
 *   discovered: ["orders", "Customers"],
 *   selected: ["orders", "Customers"],
 *   published: new Map(),
 *   settings: { orders: { destination: "Sales Orders" } },
 * });
 * if (names.get("orders") !== "sales_orders" || names.get("Customers") !== "customers") {
 *   throw new Error();
 * }
 * ```
 */
export function tableNames(input: NamingInput): Map<string, string> {
  const destined = destinations(input);
  const others = [...input.discovered, ...input.selected, ...input.published.keys()]
    .filter((table) => !destined.has(table));
  const previous = new Map([...input.published].filter(([table]) => !destined.has(table)));
  const natural = assignNames(others, previous);
  const holders = new Set([...input.selected, ...input.published.keys()]);
  for (const [table, name] of destined) {
    const holder = [...natural].find(([other, taken]) => taken === name && holders.has(other));
    if (!holder) continue;
    throw new InputError(
      `the destination "${name}" of table "${table}" is the name of table "${holder[0]}"`,
      {
        location: input.destinationAt?.(table),
        hint: `choose another destination, or give "${holder[0]}" a destination too`,
      },
    );
  }
  // Tables without a destination never take one that is configured for another table.
  const names = assignNames(others, previous, new Set(destined.values()));
  for (const [table, name] of destined) names.set(table, name);
  return names;
}

/**
 * Checks that the second view of each history table, `<name>_current`, is not the name of
 * another table of the extract (a view cannot have two definitions).
 *
 * @example
 * ```ts
 * import { checkCurrentViewNames } from "./table_names.ts";
 * const names = new Map([["customers", "customers"], ["snapshot", "customers_current"]]);
 * let failed = false;
 * try {
 *   checkCurrentViewNames(names, ["customers"]);
 * } catch {
 *   failed = true;
 * }
 * if (!failed) throw new Error();
 * ```
 */
export function checkCurrentViewNames(
  names: ReadonlyMap<string, string>,
  historyTables: readonly string[],
  destinationAt?: (table: string) => SourceLocation | undefined,
): void {
  for (const table of historyTables) {
    const view = `${names.get(table)}${CURRENT_VIEW_SUFFIX}`;
    const holder = [...names].find(([, name]) => name === view);
    if (!holder) continue;
    throw new InputError(
      `table "${table}" keeps history, whose view "${view}" is the name of table "${holder[0]}"`,
      {
        location: destinationAt?.(holder[0]) ?? destinationAt?.(table),
        hint: "give one of them a destination under tables: in dvt.yaml",
      },
    );
  }
}

/**
 * `dvt connector list`: built-in connectors, project connectors under ./connectors/*, and the
 * connectors dvt.yaml sources name. Invalid ones are listed with their error.
 *
 * @module
 */
import { join, relative, resolve } from "node:path";
import { errorMessage } from "../../errors.ts";
import { BUILTIN_CONNECTORS, builtinNames } from "../../connector/builtin_connectors.ts";
import { resolveConnector } from "../../connector/loader.ts";
import { loadManifest, type Manifest } from "../../connector/manifest.ts";
import { printDiagnostic, printJson, printResult } from "../../util/output.ts";
import { readProjectSources } from "./target.ts";
import { isFile } from "../../util/path_kind.ts";
import type { GlobalOptions } from "../options.ts";

/** One row of the listing. */
export interface ConnectorListing {
  name: string;
  version?: string;
  capabilities: string[];
  origin: "builtin" | "project" | "source";
  location: string;
  /** Source names in dvt.yaml that use it. */
  usedBy: string[];
  error?: string;
}

function row(
  origin: ConnectorListing["origin"],
  location: string,
  manifest: Manifest,
): ConnectorListing {
  return {
    name: manifest.name,
    version: manifest.version,
    capabilities: manifest.capabilities,
    origin,
    location,
    usedBy: [],
  };
}

function broken(
  origin: ConnectorListing["origin"],
  name: string,
  location: string,
  error: unknown,
): ConnectorListing {
  return { name, capabilities: [], origin, location, usedBy: [], error: errorMessage(error) };
}

async function projectConnectors(dir: string): Promise<ConnectorListing[]> {
  const root = join(dir, "connectors");
  const listings: ConnectorListing[] = [];
  const entries = await Array.fromAsync(Deno.readDir(root)).catch(() => []);
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(root, entry.name, "connector.yaml");
    if (!entry.isDirectory || !await isFile(path)) continue;
    const shown = relative(Deno.cwd(), path) || path;
    listings.push(
      await loadManifest(path).then(
        (manifest) => row("project", shown, manifest),
        (error) => broken("project", entry.name, shown, error),
      ),
    );
  }
  return listings;
}

/** Collects the listing (used by the command and its tests). */
export async function listConnectors(project?: string): Promise<ConnectorListing[]> {
  const listings: ConnectorListing[] = [];
  for (const name of builtinNames()) {
    const url = BUILTIN_CONNECTORS[name].manifestUrl.href;
    listings.push(
      await loadManifest(url).then(
        (manifest) => row("builtin", `builtin:${name}`, manifest),
        (error) => broken("builtin", name, `builtin:${name}`, error),
      ),
    );
  }
  const sources = await readProjectSources(project).catch((error) => {
    printDiagnostic(`warning: cannot read project file: ${error.message}`);
    return undefined;
  });
  const dir = sources?.dir ?? Deno.cwd();
  listings.push(...await projectConnectors(dir));
  for (const source of sources?.sources ?? []) {
    const listing = await resolveConnector(source.connector, { projectDir: dir }).then(
      (loaded) => {
        const location = loaded.origin === "builtin" ? loaded.location : resolve(loaded.location);
        const known = listings.find((item) =>
          !item.error && (item.location === loaded.location || resolve(item.location) === location)
        );
        return known ??
          row(
            "source",
            loaded.origin === "remote" ? loaded.location : relative(Deno.cwd(), location),
            loaded.manifest,
          );
      },
      (error) => broken("source", source.connector, source.connector, error),
    );
    if (!listings.includes(listing)) listings.push(listing);
    listing.usedBy.push(source.name);
  }
  return listings;
}

/** Prints the connectors; exit 0 even when some are invalid (they are shown with the error). */
export async function runConnectorList(
  options: { project?: string; json: boolean },
  _globals: GlobalOptions,
): Promise<number> {
  const listings = await listConnectors(options.project);
  if (options.json) {
    printJson(listings);
    return 0;
  }
  const header = ["NAME", "VERSION", "CAPABILITIES", "ORIGIN", "LOCATION"];
  const rows = listings.map((item) => [
    item.name,
    item.version ?? "-",
    item.error ? "INVALID" : item.capabilities.join(","),
    item.origin + (item.usedBy.length ? ` (${item.usedBy.join(", ")})` : ""),
    item.location,
  ]);
  const widths = header.map((_, column) =>
    Math.max(...[header, ...rows].map((cells) => cells[column].length))
  );
  for (const cells of [header, ...rows]) {
    printResult(cells.map((cell, column) => cell.padEnd(widths[column])).join("  ").trimEnd());
  }
  for (const item of listings.filter((listing) => listing.error)) {
    printResult(`\n${item.name}: ${item.error}`);
  }
  return 0;
}

/**
 * `dvt connector new <name>`: scaffolds connector.yaml, connector.ts (serving a sample dataset
 * with the chosen capabilities), README.md and connector_test.ts from the templates in
 * scaffold/. Refuses bad names, bad capabilities and existing files, writing nothing.
 *
 * @module
 */
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "../../errors.ts";
import { alternatives } from "../../util/field_check.ts";
import { printDiagnostic, printResult } from "../../util/output.ts";
import { Cap, type CapabilityName, capsFromNames } from "../../protocol.ts";
import { isOneOf } from "../../util/is_one_of.ts";
import { isFile } from "../../util/path_kind.ts";
import type { GlobalOptions } from "../options.ts";

/** Options of `dvt connector new`. */
export interface ConnectorNewOptions {
  caps: string[];
  dir?: string;
}

/** Capabilities a scaffold can implement (write has no protocol method yet). */
export const SCAFFOLD_CAPS = ["discover", "read", "stream", "remote"] as const;
const NAME = /^[a-z][a-z0-9_-]*$/;
const MOD_URL = new URL("../../../mod.ts", import.meta.url);

async function template(path: string): Promise<string> {
  return await Deno.readTextFile(new URL(`../../../scaffold/${path}`, import.meta.url));
}

function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (match, key: string) => values[key] ?? match);
}

function parseCaps(caps: string[]): CapabilityName[] {
  const chosen = new Set<CapabilityName>();
  for (const cap of caps.map((item) => item.toLowerCase())) {
    if (!isOneOf(SCAFFOLD_CAPS, cap)) {
      throw new UsageError(`unknown capability "${cap}" for --caps`, {
        hint: alternatives(cap, SCAFFOLD_CAPS),
      });
    }
    chosen.add(cap as CapabilityName);
  }
  if (!["read", "stream", "remote"].some((cap) => chosen.has(cap as CapabilityName))) {
    throw new UsageError("--caps needs at least one of read, stream, remote", {
      hint: "e.g. --caps discover,read",
    });
  }
  return SCAFFOLD_CAPS.filter((cap) => chosen.has(cap));
}

function capsExpression(caps: CapabilityName[]): string {
  const flags = caps.map((cap) => cap.toUpperCase());
  return `${capsFromNames(caps)} /* ${flags.join(" | ")} */`;
}

async function modReference(dir: string): Promise<string | undefined> {
  if (MOD_URL.protocol !== "file:") return undefined;
  const modPath = fileURLToPath(MOD_URL);
  if (!await isFile(modPath)) return undefined;
  const path = relative(dir, modPath).replaceAll("\\", "/");
  return path.startsWith(".") ? path : `./${path}`;
}

const TYPE_NAMES = "ConnectorFactory, ReadOptions, RecordBatch, RemoteAttachInfo, TableInfo";

function modImport(path: string | undefined): string {
  if (path) return `import type { ${TYPE_NAMES} } from "${path}";`;
  return [
    "// dvt's mod.ts is not on disk next to this dvt binary: these loose aliases keep the file",
    "// self-contained. For full type checking import the same names from dvt's mod.ts instead.",
    "// deno-lint-ignore no-explicit-any",
    "type Loose = any;",
    "type ConnectorFactory = (ctx: Loose, config: Record<string, unknown>) => Loose;",
    "type ReadOptions = Loose;",
    "type RecordBatch = Loose;",
    "type RemoteAttachInfo = Loose;",
    "type TableInfo = Loose;",
  ].join("\n");
}

function testImport(path: string | undefined): string {
  if (path) return `import { formatContractReport, runContractTests } from "${path}";`;
  return '// Point this import at dvt\'s mod.ts (a checkout of the dvt repository):\nimport { formatContractReport, runContractTests } from "./dvt/mod.ts";';
}

async function refuseExisting(paths: string[]): Promise<void> {
  for (const path of paths) {
    if (await Deno.lstat(path).then(() => true, () => false)) {
      throw new UsageError(`${path} already exists; nothing was written`, {
        hint: "choose another name or --dir, or remove the existing connector first",
      });
    }
  }
}

/** Builds the files of a new connector: relative file name -> content. */
export async function scaffoldFiles(
  name: string,
  caps: CapabilityName[],
  dir: string,
): Promise<Record<string, string>> {
  const mod = await modReference(dir);
  const camel = name.replace(/[-_]+([a-z0-9])/g, (_, char: string) => char.toUpperCase());
  const tableCaps = caps.filter((cap) => cap !== "discover");
  const shown = relative(Deno.cwd(), dir) || ".";
  const dirHint = shown.startsWith(".") || shown.startsWith("/") ? shown : `./${shown}`;
  const noDiscover = !caps.includes("discover");
  const values: Record<string, string> = {
    name,
    name_ident: name.replaceAll("-", "_"),
    title: name.replace(/[-_]+/g, " ").replace(/^./, (char) => char.toUpperCase()),
    camel,
    caps_list: caps.join(", "),
    caps_csv: caps.join(","),
    caps_expr: capsExpression(caps),
    table_caps: tableCaps.length ? capsExpression(tableCaps) : `${Cap.DISCOVER}`,
    token_env: `${name.replaceAll("-", "_").toUpperCase()}_TOKEN`,
    mod_import: modImport(mod),
    test_import: testImport(mod),
    dir_hint: dirHint,
    tables_hint: noDiscover ? " --tables orders" : "",
    extract_tables: noDiscover ? " --tables orders" : "",
    discover_hint: noDiscover
      ? ""
      : `dvt connector discover ${dirHint}            # tables and Arrow schemas\n`,
  };
  const methods: string[] = [];
  for (const cap of caps) methods.push(fill(await template(`methods/${cap}.ts.tmpl`), values));
  values.methods = methods.join("").trimEnd();
  return {
    "connector.yaml": fill(await template("connector.yaml.tmpl"), values),
    "connector.ts": fill(await template("connector.ts.tmpl"), values),
    "connector_test.ts": fill(await template("connector_test.ts.tmpl"), values),
    "README.md": fill(await template("README.md.tmpl"), values),
  };
}

/** Scaffolds the connector; exit 2 (nothing written) on a bad name or existing files. */
export async function runConnectorNew(
  name: string,
  options: ConnectorNewOptions,
  _globals: GlobalOptions,
): Promise<number> {
  if (!NAME.test(name)) {
    throw new UsageError(`invalid connector name "${name}": expected [a-z][a-z0-9_-]*`, {
      hint: "use lower-case letters, digits, _ and -, starting with a letter (e.g. hubspot)",
    });
  }
  const caps = parseCaps(options.caps);
  const dir = resolve(options.dir ?? "connectors", name);
  const files = await scaffoldFiles(name, caps, dir);
  const paths = Object.keys(files).map((file) => join(dir, file));
  await refuseExisting(paths);
  await Deno.mkdir(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    // createNew: never overwrite a file that appeared since the check.
    await Deno.writeTextFile(join(dir, file), content, { createNew: true });
  }
  printDiagnostic(`created connector ${name} (${caps.join(", ")})`);
  for (const path of paths) printResult(relative(Deno.cwd(), path) || path);
  printDiagnostic(`next: dvt connector test ${relative(Deno.cwd(), dir) || dirname(dir)}`);
  return 0;
}

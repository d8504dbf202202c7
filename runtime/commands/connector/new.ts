/**
 * `dvt connector new <name>`: scaffolds connector.yaml, connector.ts (serving a sample dataset
 * with the chosen capabilities), README.md and connector_test.ts from the templates in
 * scaffold/. Refuses bad names, bad capabilities and existing files, writing nothing.
 *
 * @module
 */
import { dirname, join, relative, resolve } from "node:path";
import { UsageError } from "../../errors.ts";
import { alternatives } from "../../util/field_check.ts";
import { printDiagnostic, printResult } from "../../util/output.ts";
import { Cap, type CapabilityName } from "../../protocol.ts";
import { isOneOf } from "../../util/is_one_of.ts";
import { VERSION } from "../../version.ts";
import type { GlobalOptions } from "../options.ts";

/** Options of `dvt connector new`. */
export interface ConnectorNewOptions {
  caps: string[];
  dir?: string;
}

/** Capabilities a scaffold can implement (write has no protocol method yet). */
export const SCAFFOLD_CAPS = ["discover", "read", "stream", "remote"] as const;
const NAME = /^[a-z][a-z0-9_-]*$/;
/** The apache-arrow release dvt runs with; dvt.ts types `ctx.arrow` with it. */
const ARROW_VERSION = "21.2.0";

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

/** `Cap.DISCOVER | Cap.READ`: the flags by name, as the generated dvt.ts exports them. */
function capsExpression(caps: CapabilityName[]): string {
  return caps.map((cap) => `Cap.${cap.toUpperCase()}`).join(" | ");
}

/** dvt's Cap object as TypeScript source, so dvt.ts carries the values of this dvt. */
function capObject(): string {
  const entries = Object.entries(Cap).map(([name, value]) => `  ${name}: ${value},`);
  return `{\n${entries.join("\n")}\n}`;
}

/** The protocol types the chosen methods mention, besides ConnectorFactory and RecordBatch. */
function extraTypes(caps: CapabilityName[]): string {
  const types: Partial<Record<CapabilityName, string>> = {
    discover: "TableInfo",
    read: "ReadOptions",
    remote: "RemoteAttachInfo",
  };
  return caps.flatMap((cap) => types[cap] ? [`, type ${types[cap]}`] : []).join("");
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
    table_caps: tableCaps.length ? capsExpression(tableCaps) : "Cap.DISCOVER",
    token_env: `${name.replaceAll("-", "_").toUpperCase()}_TOKEN`,
    extra_types: extraTypes(caps),
    cap_object: capObject(),
    dvt_version: VERSION,
    arrow_version: ARROW_VERSION,
    test_tables: noDiscover ? ', "--tables", "orders"' : "",
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
    "dvt.ts": fill(await template("dvt.ts.tmpl"), values),
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

/**
 * Renders `--help` for a command of the table: usage, description, arguments, options,
 * subcommands, then the command's own text (Examples). Descriptions wrap to the terminal width
 * (80 columns when not a terminal) beside an aligned column of terms; the layout is the one
 * dvt's commander-based CLI printed, so documented help output stays true.
 *
 * A default appears once: only value defaults that the description does not already state in
 * words are shown, never `false` for a switch or `[]` for a repeatable option.
 *
 * @module
 */
import type { ArgumentSpec, CommandSpec, OptionSpec } from "./command_spec.ts";
import { hasHelpCommand, HELP_FLAGS } from "./cli_parser.ts";

const HELP_OPTION: OptionSpec = {
  flags: HELP_FLAGS.join(", "),
  description: "display help for command",
};
const HELP_COMMAND: CommandSpec = {
  name: "help",
  description: "display help for command",
  arguments: [{ name: "command", description: "" }],
};
const ITEM_INDENT = 2;
const SPACER = 2;
/** Narrower than this, a description column is not wrapped at all. */
const MIN_WIDTH_TO_WRAP = 40;

/** The help text of the last command of `path` (`path[0]` is the program), ending in a newline. */
export function renderHelp(path: CommandSpec[], width = 80): string {
  const command = path[path.length - 1];
  const options = [...command.options ?? [], HELP_OPTION];
  const subcommands = [
    ...command.subcommands ?? [],
    ...hasHelpCommand(command) ? [HELP_COMMAND] : [],
  ];
  const args = command.arguments ?? [];
  const shownArgs = args.some((argument) => argument.description) ? args : [];
  const termWidth = Math.max(
    0,
    ...options.map((option) => option.flags.length),
    ...subcommands.map((sub) => subcommandTerm(sub).length),
    ...shownArgs.map((argument) => argument.name.length),
  );
  const item = (term: string, description: string) =>
    formatItem(term, termWidth, description, width);
  const section = (title: string, items: string[]) => items.length ? [title, ...items, ""] : [];
  const lines = [
    `Usage: ${path.map((part) => part.name).join(" ")} ${usage(command)}`,
    "",
    ...command.description ? [boxWrap(command.description, width), ""] : [],
    ...section("Arguments:", shownArgs.map((a) => item(a.name, argumentDescription(a)))),
    ...section("Options:", options.map((o) => item(o.flags, optionDescription(o)))),
    ...section("Commands:", subcommands.map((sub) => item(subcommandTerm(sub), sub.description))),
  ];
  const after = command.helpAfter === undefined ? "" : `${command.helpAfter}\n`;
  return lines.join("\n") + after;
}

function argumentName(argument: ArgumentSpec): string {
  const name = argument.variadic ? `${argument.name}...` : argument.name;
  return argument.required ? `<${name}>` : `[${name}]`;
}

function usage(command: CommandSpec): string {
  if (command.usage !== undefined) return command.usage;
  return [
    "[options]",
    ...command.subcommands?.length ? ["[command]"] : [],
    ...(command.arguments ?? []).map(argumentName),
  ].join(" ");
}

/** How a subcommand is listed in its group's help: `test [options] <connector>`. */
function subcommandTerm(command: CommandSpec): string {
  return [
    command.name,
    ...command.options?.length ? ["[options]"] : [],
    ...(command.arguments ?? []).map(argumentName),
  ].join(" ");
}

function shownDefault(value: unknown, description: string): string | undefined {
  if (value === undefined || typeof value === "boolean") return undefined;
  if (Array.isArray(value) && value.length === 0) return undefined;
  if (/\bdefault\b/i.test(description)) return undefined;
  return JSON.stringify(value);
}

function optionDescription(option: OptionSpec): string {
  const extra: string[] = [];
  if (option.choices) extra.push(`one of: ${option.choices.join(", ")}`);
  const value = shownDefault(option.default, option.description);
  if (value !== undefined) extra.push(`default: ${value}`);
  return extra.length ? `${option.description} (${extra.join("; ")})` : option.description;
}

function argumentDescription(argument: ArgumentSpec): string {
  const value = shownDefault(argument.default, argument.description);
  return value === undefined ? argument.description : `${argument.description} (default: ${value})`;
}

/** `  term      description`, the description wrapped beside the term column. */
function formatItem(term: string, termWidth: number, description: string, width: number): string {
  const indent = " ".repeat(ITEM_INDENT);
  if (!description) return indent + term;
  const remaining = width - termWidth - SPACER - ITEM_INDENT;
  const preformatted = /\n[^\S\r\n]/.test(description);
  const wrapped = remaining < MIN_WIDTH_TO_WRAP || preformatted
    ? description
    : boxWrap(description, remaining).replace(/\n/g, "\n" + " ".repeat(termWidth + SPACER));
  return indent + term.padEnd(termWidth) + " ".repeat(SPACER) +
    wrapped.replace(/\n/g, `\n${indent}`);
}

/** Wraps text at whitespace to lines of at most `width` characters (longer words stay whole). */
function boxWrap(text: string, width: number): string {
  if (width < MIN_WIDTH_TO_WRAP) return text;
  const wrapped: string[] = [];
  for (const line of text.split(/\r\n|\n/)) {
    const chunks = line.match(/\s*\S+/g);
    if (chunks === null) {
      wrapped.push("");
      continue;
    }
    let current = chunks[0];
    for (const chunk of chunks.slice(1)) {
      if (current.length + chunk.length <= width) {
        current += chunk;
        continue;
      }
      wrapped.push(current);
      current = chunk.trimStart();
    }
    wrapped.push(current);
  }
  return wrapped.join("\n");
}

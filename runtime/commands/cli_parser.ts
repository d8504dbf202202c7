/**
 * Reads dvt's argv against the command table (command_spec.ts) and says what to do: run a
 * command with its arguments and options, print help, or print the version. Bad usage throws
 * {@linkcode CommandLineError}.
 *
 * The rules are the ones dvt's commander-based CLI had, so scripts see the same behaviour:
 * - each level takes its own options wherever they stand (`dvt extract x --debug` sets the
 *   global `--debug`) and passes the rest down; `--` ends options;
 * - an option with a value takes the next argument whatever it looks like, or `--name=value`;
 * - `-h`/`--help` anywhere shows the help of the deepest command named before it, unless an
 *   option value was invalid; a group (`dvt`, `dvt connector`) has a `help [command]` command
 *   and, named without a subcommand, prints its help on stderr;
 * - unknown commands and options are errors with a "did you mean" when one is close.
 *
 * @module
 */
import {
  type CommandInput,
  type CommandSpec,
  InvalidArgumentError,
  type OptionSpec,
  type ParsedOptions,
} from "./command_spec.ts";
import type { GlobalOptions } from "./options.ts";
import { type OptionFlags, optionFlags } from "./option_flags.ts";
import { suggestSimilar } from "./suggest_similar.ts";

/** What the command line asks for. */
export type ParseOutcome =
  | { kind: "run"; command: CommandSpec; input: CommandInput }
  /** Help of the last command of `path` (`path[0]` is the program); on stderr for a bare group. */
  | { kind: "help"; path: CommandSpec[]; toStderr: boolean }
  /** An option with `prints` was given (`--version`): print the text, exit 0. */
  | { kind: "print"; text: string };

/** Bad usage: an unknown command or option, a missing or invalid value. dvt exits 2. */
export class CommandLineError extends Error {
  override name = "CommandLineError";
}

/** The flags of the help option every command has; help_format.ts lists it. */
export const HELP_FLAGS = ["-h", "--help"];

/** The implicit `help [command]` of a group (a command with subcommands and no run). */
export function hasHelpCommand(command: CommandSpec): boolean {
  return !command.run && !!command.subcommands?.length &&
    !command.subcommands.some((sub) => sub.name === "help");
}

/** Reads `args` (without the program name) against `program`. */
export function parseCommandLine(program: CommandSpec, args: string[]): ParseOutcome {
  const values = new Map<CommandSpec, ParsedOptions>();
  try {
    return parseCommand([program], values, [], args);
  } catch (error) {
    if (error instanceof PrintRequested) return { kind: "print", text: error.text };
    throw error;
  }
}

/** Thrown from the middle of option parsing when `--version` is seen: nothing else matters. */
class PrintRequested {
  constructor(readonly text: string) {}
}

function parseCommand(
  path: CommandSpec[],
  values: Map<CommandSpec, ParsedOptions>,
  operandsSoFar: string[],
  rest: string[],
): ParseOutcome {
  const command = path[path.length - 1];
  values.set(command, defaultValues(command));
  const parsed = parseOptions(command, values.get(command)!, rest);
  const operands = [...operandsSoFar, ...parsed.operands];
  const subcommand = command.subcommands?.find((sub) => sub.name === operands[0]);
  if (subcommand) {
    return parseCommand([...path, subcommand], values, operands.slice(1), parsed.unknown);
  }
  if (hasHelpCommand(command) && operands[0] === "help") return helpCommand(path, operands[1]);
  const isGroup = !command.run && !!command.subcommands?.length;
  if (isGroup && operands.length === 0 && parsed.unknown.length === 0) {
    return { kind: "help", path, toStderr: true };
  }
  if (parsed.unknown.some((arg) => HELP_FLAGS.includes(arg))) {
    return { kind: "help", path, toStderr: false };
  }
  if (isGroup && operands.length > 0) unknownCommand(command, operands[0]);
  if (parsed.unknown.length > 0) unknownOption(path, parsed.unknown[0]);
  return {
    kind: "run",
    command,
    input: {
      ...positionalArguments(path, operands),
      options: values.get(command)!,
      globals: values.get(path[0]) as unknown as GlobalOptions,
    },
  };
}

/** `help [command]`: that command's help, or the group's on stderr when there is no such command. */
function helpCommand(path: CommandSpec[], name: string | undefined): ParseOutcome {
  if (name === undefined) return { kind: "help", path, toStderr: false };
  const subcommand = path[path.length - 1].subcommands?.find((sub) => sub.name === name);
  if (subcommand) return { kind: "help", path: [...path, subcommand], toStderr: false };
  return { kind: "help", path, toStderr: true };
}

function defaultValues(command: CommandSpec): ParsedOptions {
  const values: ParsedOptions = {};
  for (const option of command.options ?? []) {
    const flags = optionFlags(option);
    if (option.default !== undefined) values[flags.key] = option.default;
    // A lone `--no-x` means x is on unless turned off.
    const positive = command.options!.some((other) => {
      const otherFlags = optionFlags(other);
      return !otherFlags.negate && otherFlags.key === flags.key;
    });
    if (flags.negate && !positive && !(flags.key in values)) values[flags.key] = true;
  }
  return values;
}

const looksLikeOption = (arg: string) => arg.length > 1 && arg[0] === "-";
const isNegativeNumber = (arg: string) => /^-(\d+|\d*\.\d+)([eE][+-]?\d+)?$/.test(arg);

/**
 * Takes the options `command` knows out of `args`, in order, into `values`. Returns the operands
 * before the first option it does not know, and from that option on everything else (`unknown`),
 * for a subcommand to read.
 */
function parseOptions(
  command: CommandSpec,
  values: ParsedOptions,
  args: string[],
): { operands: string[]; unknown: string[] } {
  const known = (command.options ?? []).map((option) => ({ option, flags: optionFlags(option) }));
  const find = (arg: string) =>
    known.find(({ flags }) => flags.short === arg || flags.long === arg);
  const isLeaf = !command.subcommands?.length;
  const operands: string[] = [];
  const unknown: string[] = [];
  let destination = operands;
  let index = 0;
  let shortGroup: string | undefined; // what is left of `-abc` after `-a`
  while (index < args.length || shortGroup !== undefined) {
    const arg = shortGroup ?? args[index++];
    shortGroup = undefined;
    if (arg === "--") {
      if (destination === unknown) destination.push(arg);
      destination.push(...args.slice(index));
      break;
    }
    const exact = looksLikeOption(arg) ? find(arg) : undefined;
    if (exact) {
      if (exact.flags.takesValue) {
        const value = args[index++];
        if (value === undefined) {
          throw new CommandLineError(`option '${exact.option.flags}' argument missing`);
        }
        setValue(values, exact.option, exact.flags, value);
      } else setValue(values, exact.option, exact.flags, undefined);
      continue;
    }
    if (arg.length > 2 && arg[0] === "-" && arg[1] !== "-") {
      const first = find(`-${arg[1]}`);
      if (first) {
        if (first.flags.takesValue) setValue(values, first.option, first.flags, arg.slice(2));
        else {
          setValue(values, first.option, first.flags, undefined);
          shortGroup = `-${arg.slice(2)}`;
        }
        continue;
      }
    }
    if (/^--[^=]+=/.test(arg)) {
      const equals = arg.indexOf("=");
      const withValue = find(arg.slice(0, equals));
      if (withValue?.flags.takesValue) {
        setValue(values, withValue.option, withValue.flags, arg.slice(equals + 1));
        continue;
      }
    }
    // From the first unknown option on, everything is for a subcommand to read; a negative
    // number given to a command without subcommands is an operand.
    if (destination === operands && looksLikeOption(arg) && !(isLeaf && isNegativeNumber(arg))) {
      destination = unknown;
    }
    destination.push(arg);
  }
  return { operands, unknown };
}

function setValue(
  values: ParsedOptions,
  option: OptionSpec,
  flags: OptionFlags,
  value: string | undefined,
): void {
  if (option.prints !== undefined) throw new PrintRequested(option.prints);
  if (value === undefined) {
    values[flags.key] = !flags.negate;
    return;
  }
  try {
    if (option.choices && !option.choices.includes(value)) {
      throw new InvalidArgumentError(`Allowed choices are ${option.choices.join(", ")}.`);
    }
    values[flags.key] = option.parse ? option.parse(value, values[flags.key]) : value;
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    throw new CommandLineError(
      `option '${option.flags}' argument '${value}' is invalid. ${error.message}`,
    );
  }
}

function positionalArguments(
  path: CommandSpec[],
  operands: string[],
): Pick<CommandInput, "args" | "rest"> {
  const command = path[path.length - 1];
  const declared = command.arguments ?? [];
  const missing = declared.find((argument, index) => argument.required && operands[index] == null);
  if (missing) throw new CommandLineError(`missing required argument '${missing.name}'`);
  const variadic = declared[declared.length - 1]?.variadic === true;
  if (!variadic && operands.length > declared.length) {
    const expected = `${declared.length} argument${declared.length === 1 ? "" : "s"}`;
    const forCommand = path.length > 1 ? ` for '${command.name}'` : "";
    throw new CommandLineError(
      `too many arguments${forCommand}. Expected ${expected} but got ${operands.length}: ` +
        `${operands.join(", ")}.`,
    );
  }
  const fixed = variadic ? declared.slice(0, -1) : declared;
  return {
    args: fixed.map((argument, index) => operands[index] ?? argument.default),
    rest: variadic ? operands.slice(fixed.length) : [],
  };
}

function unknownCommand(group: CommandSpec, name: string): never {
  const names = (group.subcommands ?? []).map((sub) => sub.name);
  if (hasHelpCommand(group)) names.push("help");
  throw new CommandLineError(`unknown command '${name}'${suggestSimilar(name, names)}`);
}

/** An unknown option; `--long` ones get a suggestion from this command's and its parents' options. */
function unknownOption(path: CommandSpec[], flag: string): never {
  const longFlags = path.flatMap((command) => [
    ...(command.options ?? []).map((option) => optionFlags(option).long),
    "--help",
  ]).filter((long): long is string => long !== undefined);
  const suggestion = flag.startsWith("--") ? suggestSimilar(flag, longFlags) : "";
  throw new CommandLineError(`unknown option '${flag}'${suggestion}`);
}

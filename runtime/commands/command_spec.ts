/**
 * The shape of a dvt command as plain data: name, arguments, options, help text and a `run`
 * that imports the command's work lazily. cli_parser.ts reads argv against it and
 * help_format.ts renders `--help` from it; command_table.ts lists the commands.
 *
 * Plain data instead of a CLI library: `dvt --help` must start in at most 2x an empty Deno
 * program, and the library dvt used before (commander) cost that much on its own by pulling in
 * Deno's Node compatibility layer (node:child_process, node:fs).
 *
 * @module
 */
import type { GlobalOptions } from "./options.ts";

/**
 * The option values one command received, keyed by camel-cased long flag (`--full-refresh` ->
 * `fullRefresh`). Each command's `run` reads them as its own options interface
 * (`options as ExtractCliOptions`), which its option list defines.
 */
// deno-lint-ignore no-explicit-any -- the parser cannot know each command's interface
export type ParsedOptions = Record<string, any>;

/** One option of a command. */
export interface OptionSpec {
  /**
   * How it is written and shown in help: `"--json"`, `"--threads <n>"`, `"-V, --version"`;
   * `"--no-jdbc"` sets `jdbc` to false. An option with `<value>` takes the next argument
   * (or `--name=value`); one without is a switch.
   */
  flags: string;
  description: string;
  /** The value when the option is not given (not shown in help when it is a boolean or []). */
  default?: unknown;
  /** The only values accepted, listed in help and in the error for any other. */
  choices?: readonly string[];
  /**
   * Turns the argument into the option's value; `previous` is the value so far (the default, or
   * the earlier occurrence's), which lets an option collect repeats. Throws
   * {@linkcode InvalidArgumentError} for a bad value.
   */
  parse?(value: string, previous: unknown): unknown;
  /** Printed on stdout when the option is given, and dvt exits 0 without running anything (`--version`). */
  prints?: string;
}

/** One positional argument of a command. */
export interface ArgumentSpec {
  name: string;
  description: string;
  /** `<name>` when required, `[name]` otherwise. */
  required?: boolean;
  /** The value when the argument is omitted. */
  default?: string;
  /** Takes every remaining argument (`[source...]`); only the last argument can. They arrive in `rest`. */
  variadic?: boolean;
}

/** What a command's `run` receives. */
export interface CommandInput {
  /** Positional arguments in declared order; omitted optional ones are `undefined`. */
  args: (string | undefined)[];
  /** The values of a variadic last argument (`[source...]`), in order; empty otherwise. */
  rest: string[];
  options: ParsedOptions;
  globals: GlobalOptions;
}

/** A command, or a group of commands when it has `subcommands` and no `run`. */
export interface CommandSpec {
  name: string;
  description: string;
  /** Replaces the usage line's default `[options] <args>` part. */
  usage?: string;
  arguments?: ArgumentSpec[];
  options?: OptionSpec[];
  /** Text printed after the option and command lists, e.g. the Examples block. */
  helpAfter?: string;
  subcommands?: CommandSpec[];
  /** Does the work and returns the exit code; import the work module inside, not at the top. */
  run?: (input: CommandInput) => Promise<number>;
}

/** Thrown by an option's `parse` for a value it does not accept; the message says what it expected. */
export class InvalidArgumentError extends Error {
  override name = "InvalidArgumentError";
}

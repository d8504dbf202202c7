/**
 * How `--help` shows options: a default appears once. Commander appends `(default: false)` to
 * every switch, `(default: [])` to repeatable options and repeats defaults that descriptions
 * already state in words; none of that helps a reader, so only value defaults that the
 * description does not mention are shown.
 *
 * @module
 */
import type { Argument, Command, Option } from "commander";

function shownDefault(value: unknown, description: string): string | undefined {
  if (value === undefined || typeof value === "boolean") return undefined;
  if (Array.isArray(value) && value.length === 0) return undefined;
  if (/\bdefault\b/i.test(description)) return undefined;
  return JSON.stringify(value);
}

function optionDescription(option: Option): string {
  const extra: string[] = [];
  if (option.argChoices) extra.push(`one of: ${option.argChoices.join(", ")}`);
  const value = option.defaultValueDescription ??
    shownDefault(option.defaultValue, option.description);
  if (value !== undefined) extra.push(`default: ${value}`);
  if (option.envVar) extra.push(`env: ${option.envVar}`);
  return extra.length ? `${option.description} (${extra.join("; ")})` : option.description;
}

function argumentDescription(argument: Argument): string {
  const value = argument.defaultValueDescription ??
    shownDefault(argument.defaultValue, argument.description);
  return value === undefined ? argument.description : `${argument.description} (default: ${value})`;
}

/** Applies dvt's help layout to a command and every subcommand. */
export function configureHelp(command: Command): void {
  command.configureHelp({ optionDescription, argumentDescription });
  command.commands.forEach(configureHelp);
}

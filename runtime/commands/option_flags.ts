/**
 * What an option's `flags` string declares: `"-V, --version"`, `"--threads <n>"`, `"--no-jdbc"`.
 * The parser matches arguments against it and help_format.ts decides which defaults to show.
 *
 * @module
 */
import type { OptionSpec } from "./command_spec.ts";

/** An option's flags, taken apart. */
export interface OptionFlags {
  /** `-V`, when the option has a one-letter form. */
  short?: string;
  /** `--version`, `--no-jdbc`. */
  long?: string;
  /** Whether it takes a value (`<value>` in its flags); otherwise it is a switch. */
  takesValue: boolean;
  /** `--no-x`: sets `x` to false. */
  negate: boolean;
  /** The key of its value in the parsed options: `--full-refresh` -> `fullRefresh`, `--no-jdbc` -> `jdbc`. */
  key: string;
}

const camelCase = (name: string) =>
  name.replace(/-([a-z0-9])/g, (_, letter) => letter.toUpperCase());

/** Takes an option's flags apart. */
export function optionFlags(option: OptionSpec): OptionFlags {
  const words = option.flags.split(/[ ,|]+/).filter((word) => word);
  const short = words.find((word) => /^-[^-]$/.test(word));
  const long = words.find((word) => word.startsWith("--"));
  const negate = long?.startsWith("--no-") ?? false;
  const name = (long ?? short ?? "").replace(negate ? /^--no-/ : /^--?/, "");
  return { short, long, takesValue: option.flags.includes("<"), negate, key: camelCase(name) };
}

/**
 * Membership in an `as const` list, the one check for it: narrows a string read from a file or
 * the command line to the list's union type.
 *
 * @module
 */

/**
 * True when `value` is one of `list`'s members.
 *
 * @example
 * ```ts
 * import { isOneOf } from "./is_one_of.ts";
 * const COLOURS = ["red", "green"] as const;
 * const input: string = "green";
 * if (isOneOf(COLOURS, input)) {
 *   const colour: "red" | "green" = input;
 *   console.assert(colour === "green");
 * }
 * ```
 */
export function isOneOf<T extends string>(list: readonly T[], value: unknown): value is T {
  return (list as readonly unknown[]).includes(value);
}

/**
 * Ctrl-C during long work: restore the terminal (live progress lines hide the cursor), say what
 * state the work is left in, and exit 130 as shells expect after SIGINT.
 *
 * @module
 */
import { printDiagnostic } from "./output.ts";

/** ANSI: show the cursor again. */
const SHOW_CURSOR = "\x1b[?25h";

/**
 * Until disposed, SIGINT prints `message` on stderr and exits 130.
 *
 * @example
 * ```ts ignore
 * using _interrupt = exitOnInterrupt("interrupted — the previous extract is unchanged");
 * ```
 */
export function exitOnInterrupt(message: string): Disposable {
  const handler = () => {
    if (Deno.stderr.isTerminal()) {
      Deno.stderr.writeSync(new TextEncoder().encode(`${SHOW_CURSOR}\n`));
    }
    printDiagnostic(message);
    Deno.exit(130);
  };
  // Windows has no SIGINT listener API in Deno; Ctrl-C there ends the process as before.
  if (Deno.build.os === "windows") return { [Symbol.dispose]() {} };
  Deno.addSignalListener("SIGINT", handler);
  return { [Symbol.dispose]: () => Deno.removeSignalListener("SIGINT", handler) };
}

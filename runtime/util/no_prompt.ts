/**
 * dvt never lets Deno ask "Allow? [y/n/A]". Sandboxed connectors run with permissions denied,
 * and Deno prompts for a denied permission whenever stdin and stderr are terminals — the
 * prompt does not name the connector, and a "y" would grant it files or env vars its manifest
 * never asked for. Worker permissions cannot turn prompting off, only the process can
 * (`--no-prompt`, which every deno.json task passes, or `DENO_NO_PROMPT=1`). So when dvt runs on
 * a terminal without either, it runs itself again with `DENO_NO_PROMPT=1`.
 *
 * @module
 */
/** Whether Deno could prompt in this process. */
function mayPrompt(): boolean {
  if (Deno.env.get("DENO_NO_PROMPT")) return false;
  return Deno.stdin.isTerminal() && Deno.stderr.isTerminal();
}

function relaunchArgs(): string[] {
  // A compiled dvt is its own executable; under `deno run` the script needs its flags back.
  // (The file name by hand: node:path would load Deno's Node layer on every start, --help too.)
  const compiled = !/(^|[\\/])deno(\.exe)?$/.test(Deno.execPath());
  return compiled ? [...Deno.args] : [
    "run",
    "--no-prompt",
    "--allow-all",
    "--unstable-worker-options",
    Deno.mainModule,
    ...Deno.args,
  ];
}

/**
 * When Deno could prompt, runs dvt again with prompts off and returns its exit code; otherwise
 * returns undefined and the caller goes on.
 */
export async function relaunchWithoutPrompts(): Promise<number | undefined> {
  if (!mayPrompt()) return undefined;
  const child = new Deno.Command(Deno.execPath(), {
    args: relaunchArgs(),
    env: { DENO_NO_PROMPT: "1" },
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  // Ctrl-C reaches both processes (same terminal process group): the child decides, the parent
  // waits for its exit code. A SIGTERM sent to the parent alone is passed on.
  const ignore = () => {};
  const forward = () => child.kill("SIGTERM");
  Deno.addSignalListener("SIGINT", ignore);
  Deno.addSignalListener("SIGTERM", forward);
  try {
    return (await child.status).code;
  } finally {
    Deno.removeSignalListener("SIGINT", ignore);
    Deno.removeSignalListener("SIGTERM", forward);
  }
}

/** `dvt serve`: the command-line surface. The work lives in run_serve.ts, loaded lazily. */
import { Command, InvalidArgumentError } from "commander";
import { type ExitCodeSink, type GlobalOptions, parsePositiveInt } from "./options.ts";
import type { ServeCliOptions } from "./run_serve.ts";

/** Parses a port number (0 picks a free port). */
function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(`expected a port number (0-65535), got "${value}"`);
  }
  return port;
}

/** Builds the `serve` command. */
export function serveCommand(globals: () => GlobalOptions, exit: ExitCodeSink): Command {
  return new Command("serve")
    .description("Receive webhooks for stream sources and append them to their extracts")
    .argument("[source...]", "sources of dvt.yaml to serve (default: every one that can)")
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option("--port <n>", "port to listen on (0: any free port)", parsePort, 8787)
    .option("--project <file>", "project file (default: ./dvt.yaml)")
    .option(
      "--flush-events <n>",
      "fold into the extract once this many events are pending",
      parsePositiveInt,
      1000,
    )
    .option(
      "--flush-interval <ms>",
      "fold once the oldest pending event waited this long",
      parsePositiveInt,
      1000,
    )
    .option("--max-body <bytes>", "largest request body accepted", parsePositiveInt, 1048576)
    .option("--json", "log events as JSON lines on stderr, print the summary as JSON", false)
    .addHelpText(
      "after",
      `
Every source whose connector has the stream capability and a webhook: section is served at
POST /<source>. A delivery is acknowledged once it is in the write-ahead log and fsynced.
GET /health reports each source's counters. Ctrl-C (or SIGTERM) folds what is pending, then exits.

Examples:
  dvt serve                                   every source of dvt.yaml that receives webhooks
  dvt serve jira --port 9000                  one source, on port 9000
  dvt serve jira --flush-events 5000 --flush-interval 10000 --json`,
    )
    .action(async (sources: string[], options: ServeCliOptions) => {
      const { runServe } = await import("./run_serve.ts");
      exit(await runServe(sources, options, globals()));
    });
}

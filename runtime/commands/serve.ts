/** `dvt serve`: the command-line surface. The work lives in run_serve.ts, loaded lazily. */
import { type CommandSpec, InvalidArgumentError } from "./command_spec.ts";
import { parsePositiveInt } from "./options.ts";
import type { ServeCliOptions } from "./run_serve.ts";

/** Parses a port number (0 picks a free port). */
function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(`expected a port number (0-65535), got "${value}"`);
  }
  return port;
}

/** The `serve` command. */
export const serveCommand: CommandSpec = {
  name: "serve",
  description: "Receive webhooks for stream sources and append them to their extracts",
  arguments: [
    {
      name: "source",
      description: "sources of dvt.yaml to serve (default: every one that can)",
      variadic: true,
    },
  ],
  options: [
    { flags: "--host <address>", description: "address to listen on", default: "127.0.0.1" },
    {
      flags: "--port <n>",
      description: "port to listen on (0: any free port)",
      parse: parsePort,
      default: 8787,
    },
    { flags: "--project <file>", description: "project file (default: ./dvt.yaml)" },
    {
      flags: "--flush-events <n>",
      description: "fold into the extract once this many events are pending",
      parse: parsePositiveInt,
      default: 1000,
    },
    {
      flags: "--flush-interval <ms>",
      description: "fold once the oldest pending event waited this long",
      parse: parsePositiveInt,
      default: 1000,
    },
    {
      flags: "--max-body <bytes>",
      description: "largest request body accepted",
      parse: parsePositiveInt,
      default: 1048576,
    },
    {
      flags: "--json",
      description: "log events as JSON lines on stderr, print the summary as JSON",
      default: false,
    },
  ],
  helpAfter: `
Every source whose connector has the stream capability and a webhook: section is served at
POST /<source>. A delivery is acknowledged once it is in the write-ahead log and fsynced.
GET /health reports each source's counters. Ctrl-C (or SIGTERM) folds what is pending, then exits.

Examples:
  dvt serve                                   every source of dvt.yaml that receives webhooks
  dvt serve jira --port 9000                  one source, on port 9000
  dvt serve jira --flush-events 5000 --flush-interval 10000 --json`,
  run: async ({ rest: sources, options, globals }) => {
    const { runServe } = await import("./run_serve.ts");
    return runServe(sources, options as ServeCliOptions, globals);
  },
};

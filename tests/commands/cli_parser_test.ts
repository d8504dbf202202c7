import assert from "node:assert/strict";
import {
  CommandLineError,
  parseCommandLine,
  type ParseOutcome,
} from "../../runtime/commands/cli_parser.ts";
import { type CommandSpec, InvalidArgumentError } from "../../runtime/commands/command_spec.ts";
import { PROGRAM } from "../../runtime/commands/command_table.ts";
import { resolveLogLevel } from "../../runtime/commands/options.ts";
import { VERSION } from "../../runtime/version.ts";

function run(args: string[]): Extract<ParseOutcome, { kind: "run" }> {
  const outcome = parseCommandLine(PROGRAM, args);
  assert.equal(outcome.kind, "run", args.join(" "));
  return outcome as Extract<ParseOutcome, { kind: "run" }>;
}

function usageError(args: string[]): string {
  try {
    parseCommandLine(PROGRAM, args);
  } catch (error) {
    assert.ok(error instanceof CommandLineError, String(error));
    return error.message;
  }
  assert.fail(`dvt ${args.join(" ")} was accepted`);
}

function helpOf(args: string[]): { path: string; toStderr: boolean } {
  const outcome = parseCommandLine(PROGRAM, args);
  assert.equal(outcome.kind, "help", args.join(" "));
  const help = outcome as Extract<ParseOutcome, { kind: "help" }>;
  return { path: help.path.map((command) => command.name).join(" "), toStderr: help.toStderr };
}

Deno.test("options take values as `--x v` and `--x=v`, repeat, parse and keep defaults", () => {
  const { command, input } = run([
    "extract",
    "shop",
    "--set",
    "a=1",
    "--set=b=2",
    "--tables",
    "a, b,",
    "--threads=3",
    "--full-refresh",
  ]);
  assert.equal(command.name, "extract");
  assert.deepEqual(input.args, ["shop"]);
  const { set, tables, threads, fullRefresh, check, json, out } = input.options;
  assert.deepEqual({ set, tables, threads, fullRefresh, check, json, out }, {
    set: ["a=1", "b=2"],
    tables: ["a", "b"],
    threads: 3,
    fullRefresh: true,
    check: false,
    json: false,
    out: undefined,
  });
  // The log level is left for cli.ts to take from DVT_LOG_LEVEL (see resolveLogLevel).
  assert.deepEqual(input.globals, { debug: false });
});

Deno.test("global options count wherever they stand, before `--`", () => {
  const { input } = run(["extract", "x", "--debug", "--log-level=warn"]);
  assert.deepEqual(input.globals, { debug: true, logLevel: "warn" });
  assert.deepEqual(input.args, ["x"]);
  const literal = run(["extract", "--", "--debug"]);
  assert.deepEqual(literal.input.args, ["--debug"]);
  assert.equal(literal.input.globals.debug, false);
});

Deno.test("--no-x turns a default-on switch off; the last of --x/--no-x wins", () => {
  assert.deepEqual(
    [run(["sync"]).input.options.jdbc, run(["sync", "--no-jdbc"]).input.options.jdbc],
    [true, false],
  );
  assert.equal(run(["sync", "--no-jdbc", "--jdbc"]).input.options.jdbc, true);
});

Deno.test("an option value is the next argument whatever it looks like", () => {
  assert.equal(run(["extract", "--out", "--json"]).input.options.out, "--json");
  assert.match(usageError(["sync", "--threads", "-1"]), /argument '-1' is invalid/);
});

Deno.test("omitted arguments are undefined or their default; a negative number is an argument", () => {
  assert.deepEqual(run(["extract"]).input.args, [undefined]);
  assert.deepEqual(run(["connector", "build"]).input.args, ["."]);
  assert.deepEqual(run(["query", "-1"]).input.args, ["-1", undefined]);
});

Deno.test("a variadic last argument takes every remaining argument", () => {
  assert.deepEqual(run(["serve"]).input.rest, []);
  const { input } = run(["serve", "a", "--port", "0", "b", "--", "-c"]);
  assert.deepEqual([input.args, input.rest, input.options.port], [[], ["a", "b", "-c"], 0]);
});

Deno.test("bad usage says what is wrong in the words dvt always used", () => {
  assert.equal(
    usageError(["extract", "--threads", "zero"]),
    `option '--threads <n>' argument 'zero' is invalid. expected a positive integer, got "zero"`,
  );
  assert.equal(usageError(["extract", "--out"]), "option '--out <dir>' argument missing");
  assert.equal(
    usageError(["--log-level", "loud"]),
    "option '--log-level <level>' argument 'loud' is invalid. Allowed choices are debug, info, warn, error.",
  );
  assert.equal(usageError(["extrakt"]), "unknown command 'extrakt'\n(Did you mean extract?)");
  assert.equal(usageError(["connector", "tst"]), "unknown command 'tst'\n(Did you mean test?)");
  assert.equal(usageError(["extract", "--jsn"]), "unknown option '--jsn'\n(Did you mean --json?)");
  // Suggestions include the parents' options and --help; short options get none.
  assert.equal(
    usageError(["extract", "--debgu"]),
    "unknown option '--debgu'\n(Did you mean --debug?)",
  );
  assert.equal(
    usageError(["extract", "--hepl"]),
    "unknown option '--hepl'\n(Did you mean --help?)",
  );
  assert.equal(usageError(["extract", "-x"]), "unknown option '-x'");
  assert.equal(
    usageError(["extract", "--full-refresh=yes"]),
    "unknown option '--full-refresh=yes'",
  );
  assert.equal(usageError(["connector", "test"]), "missing required argument 'connector'");
  assert.equal(
    usageError(["extract", "a", "b"]),
    "too many arguments for 'extract'. Expected 1 argument but got 2: a, b.",
  );
  assert.equal(
    usageError(["sync", "x"]),
    "too many arguments for 'sync'. Expected 0 arguments but got 1: x.",
  );
});

Deno.test("help goes to the deepest command named before it; a bare group's to stderr", () => {
  assert.deepEqual(helpOf(["--help"]), { path: "dvt", toStderr: false });
  assert.deepEqual(helpOf(["--help", "extract"]), { path: "dvt", toStderr: false });
  assert.deepEqual(helpOf(["extract", "shop", "-h"]), { path: "dvt extract", toStderr: false });
  assert.deepEqual(helpOf(["extract", "--bogus", "--help"]), {
    path: "dvt extract",
    toStderr: false,
  });
  assert.deepEqual(helpOf(["help", "connector"]), { path: "dvt connector", toStderr: false });
  assert.deepEqual(helpOf(["connector", "help", "test"]), {
    path: "dvt connector test",
    toStderr: false,
  });
  assert.deepEqual(helpOf(["connector"]), { path: "dvt connector", toStderr: true });
  assert.deepEqual(helpOf(["help", "nope"]), { path: "dvt", toStderr: true });
  // An invalid value is reported even when help is asked for too.
  assert.match(usageError(["extract", "--help", "--threads", "0"]), /is invalid/);
});

Deno.test("--version and -V print the version from any level", () => {
  for (const args of [["--version"], ["-V"], ["extract", "-V"], ["--bogus", "--version"]]) {
    assert.deepEqual(parseCommandLine(PROGRAM, args), { kind: "print", text: VERSION });
  }
});

Deno.test("a parse function's other errors are not turned into usage errors", () => {
  const program: CommandSpec = {
    name: "t",
    description: "",
    subcommands: [{
      name: "go",
      description: "",
      options: [
        {
          flags: "--n <n>",
          description: "",
          parse: (value) => {
            if (value === "bad") throw new InvalidArgumentError("expected good");
            throw new RangeError("a bug");
          },
        },
      ],
      run: () => Promise.resolve(0),
    }],
  };
  assert.throws(() => parseCommandLine(program, ["go", "--n", "bad"]), CommandLineError);
  assert.throws(() => parseCommandLine(program, ["go", "--n", "x"]), RangeError);
});

Deno.test("resolveLogLevel() takes --log-level, else DVT_LOG_LEVEL, else info", () => {
  const given = run(["extract", "--log-level", "warn"]).input.globals;
  const omitted = run(["extract"]).input.globals;
  assert.deepEqual(resolveLogLevel(given, "debug"), {
    debug: false,
    logLevel: "warn",
    logLevelFrom: "--log-level",
  });
  assert.deepEqual(resolveLogLevel(omitted, "debug"), {
    debug: false,
    logLevel: "debug",
    logLevelFrom: "DVT_LOG_LEVEL",
  });
  assert.deepEqual(resolveLogLevel(omitted), {
    debug: false,
    logLevel: "info",
    logLevelFrom: "default",
  });
});

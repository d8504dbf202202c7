import assert from "node:assert/strict";
import type { CommandSpec } from "../../runtime/commands/command_spec.ts";
import { PROGRAM } from "../../runtime/commands/command_table.ts";
import { renderHelp } from "../../runtime/commands/help_format.ts";

const leaf: CommandSpec = {
  name: "build",
  description: "Bundle a connector into one JS file and print its integrity for publishing",
  arguments: [{
    name: "connector",
    description: "connector directory, its connector.yaml, or the name of one in ./connectors/",
    default: ".",
  }],
  options: [
    { flags: "--out <file>", description: "output file (default: <dir>/dist/<name>.js)" },
    { flags: "--caps <list>", description: "capabilities", default: ["read"] },
    { flags: "--set <k=v>", description: "repeatable", default: [] },
    { flags: "--json", description: "print the result as JSON", default: false },
  ],
  helpAfter: "\nExamples:\n  dvt tool build .",
};

Deno.test("help aligns terms, wraps descriptions at 80 columns and states each default once", () => {
  const group: CommandSpec = { name: "tool", description: "Tools", subcommands: [leaf] };
  assert.equal(
    renderHelp([PROGRAM, group, leaf]),
    `Usage: dvt tool build [options] [connector]

Bundle a connector into one JS file and print its integrity for publishing

Arguments:
  connector      connector directory, its connector.yaml, or the name of one in
                 ./connectors/ (default: ".")

Options:
  --out <file>   output file (default: <dir>/dist/<name>.js)
  --caps <list>  capabilities (default: ["read"])
  --set <k=v>    repeatable
  --json         print the result as JSON
  -h, --help     display help for command

Examples:
  dvt tool build .
`,
  );
});

Deno.test("a group lists its commands and a help command; the width follows the terminal", () => {
  const group: CommandSpec = { name: "tool", description: "Tools", subcommands: [leaf] };
  assert.equal(
    renderHelp([PROGRAM, group], 72),
    `Usage: dvt tool [options] [command]

Tools

Options:
  -h, --help                   display help for command

Commands:
  build [options] [connector]  Bundle a connector into one JS file and
                               print its integrity for publishing
  help [command]               display help for command
`,
  );
  // Under 40 columns left for descriptions, wrapping would only make it worse: none.
  assert.ok(
    renderHelp([PROGRAM, group], 60).includes(
      "[connector]  Bundle a connector into one JS file and print its integrity for publishing\n",
    ),
  );
});

Deno.test("the program's help shows the choices and default of --log-level", () => {
  assert.match(
    renderHelp([PROGRAM]),
    /--log-level <level> +minimum level of log lines \(default:\n +\$DVT_LOG_LEVEL, else info\) \(one of: debug,\n +info, warn, error\)/,
  );
});

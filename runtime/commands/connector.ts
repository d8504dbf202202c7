/** `dvt connector ...`: the command-line surface. The work lives in connector/*.ts, loaded lazily. */
import type { ArgumentSpec, CommandSpec, OptionSpec } from "./command_spec.ts";
import { collectKeyValue, parseList } from "./options.ts";
import type { ConnectorBuildOptions } from "./connector/build.ts";
import type { ConnectorTestOptions } from "./connector/contract.ts";
import type { ConnectorNewOptions } from "./connector/new.ts";
import type { ConnectorTargetOptions } from "./connector/target.ts";

const CONNECTOR_ARGUMENT: ArgumentSpec = {
  name: "connector",
  description: "builtin name, path to a connector dir/connector.yaml, or URL",
  required: true,
};

const TARGET_OPTIONS: OptionSpec[] = [
  { flags: "--config <file>", description: "YAML or JSON file with the connector's config" },
  {
    flags: "--set <key=value>",
    description: "set one config value (repeatable)",
    parse: collectKeyValue,
    default: [],
  },
  { flags: "--project <file>", description: "project file (default: ./dvt.yaml)" },
  { flags: "--json", description: "print the result as JSON", default: false },
];

const listCommand: CommandSpec = {
  name: "list",
  description: "List built-in and project connectors",
  options: [
    { flags: "--project <file>", description: "project file (default: ./dvt.yaml)" },
    { flags: "--json", description: "print the result as JSON", default: false },
  ],
  helpAfter: "\nExamples:\n  dvt connector list\n  dvt connector list --json",
  run: async ({ options, globals }) => {
    const { runConnectorList } = await import("./connector/list.ts");
    return runConnectorList(options as { project?: string; json: boolean }, globals);
  },
};

const discoverCommand: CommandSpec = {
  name: "discover",
  description: "Show a connector's tables with Arrow schemas, keys and capabilities",
  arguments: [CONNECTOR_ARGUMENT],
  options: TARGET_OPTIONS,
  helpAfter:
    "\nExamples:\n  dvt connector discover files --set 'paths=data/*.csv'\n  dvt connector discover ./connectors/hubspot --config hubspot.yaml --json",
  run: async ({ args: [connector], options, globals }) => {
    const { runConnectorDiscover } = await import("./connector/discover.ts");
    return runConnectorDiscover(connector!, options as ConnectorTargetOptions, globals);
  },
};

const testCommand: CommandSpec = {
  name: "test",
  description: "Run the health check and contract tests against a connector",
  arguments: [CONNECTOR_ARGUMENT],
  options: [
    ...TARGET_OPTIONS,
    { flags: "--junit <file>", description: "also write the results as JUnit XML" },
    {
      flags: "--tables <a,b>",
      description: "tables to test when the connector has no discover",
      parse: parseList,
    },
  ],
  helpAfter:
    "\nExamples:\n  dvt connector test ./connectors/hubspot\n  dvt connector test files --set 'paths=data/*.csv' --junit report.xml",
  run: async ({ args: [connector], options, globals }) => {
    const { runConnectorTest } = await import("./connector/contract.ts");
    return runConnectorTest(connector!, options as ConnectorTestOptions, globals);
  },
};

const newCommand: CommandSpec = {
  name: "new",
  description: "Scaffold a new connector that passes its contract tests",
  arguments: [
    {
      name: "name",
      description: "connector name: lower case letters, digits, _ and -",
      required: true,
    },
  ],
  options: [
    {
      flags: "--caps <list>",
      description: "capabilities: discover,read,stream,remote",
      parse: parseList,
      default: ["discover", "read"],
    },
    { flags: "--dir <dir>", description: "parent directory (default: ./connectors)" },
  ],
  helpAfter:
    "\nExamples:\n  dvt connector new hubspot\n  dvt connector new events --caps discover,read,stream --dir ./src",
  run: async ({ args: [name], options, globals }) => {
    const { runConnectorNew } = await import("./connector/new.ts");
    return runConnectorNew(name!, options as ConnectorNewOptions, globals);
  },
};

const buildCommand: CommandSpec = {
  name: "build",
  description: "Bundle a connector into one JS file and print its integrity for publishing",
  arguments: [
    {
      name: "connector",
      description: "connector directory, its connector.yaml, or the name of one in ./connectors/",
      default: ".",
    },
  ],
  options: [
    { flags: "--out <file>", description: "output file (default: <dir>/dist/<name>.js)" },
    { flags: "--json", description: "print the result as JSON", default: false },
  ],
  helpAfter:
    "\nExamples:\n  dvt connector build hubspot\n  dvt connector build ./connectors/hubspot\n  dvt connector build . --out public/hubspot-1.2.0.js",
  run: async ({ args: [dir], options, globals }) => {
    const { runConnectorBuild } = await import("./connector/build.ts");
    return runConnectorBuild(dir!, options as ConnectorBuildOptions, globals);
  },
};

/** The `connector` command group. */
export const connectorCommand: CommandSpec = {
  name: "connector",
  description: "List, inspect, test, scaffold and bundle connectors",
  subcommands: [listCommand, discoverCommand, testCommand, newCommand, buildCommand],
  helpAfter: `
Examples:
  dvt connector list                                   built-in and project connectors
  dvt connector new hubspot                            scaffold ./connectors/hubspot
  dvt connector test hubspot                           health check + contract tests
  dvt connector discover files --set 'paths=data/*.csv'
  dvt connector build hubspot                          bundle for publishing`,
};

/** `dvt connector ...`: the command-line surface. The work lives in connector/*.ts, loaded lazily. */
import { Command } from "commander";
import { collectKeyValue, type ExitCodeSink, type GlobalOptions, parseList } from "./options.ts";
import type { ConnectorBuildOptions } from "./connector/build.ts";
import type { ConnectorTestOptions } from "./connector/contract.ts";
import type { ConnectorNewOptions } from "./connector/new.ts";
import type { ConnectorTargetOptions } from "./connector/target.ts";

function withTargetOptions(command: Command): Command {
  return command
    .option("--config <file>", "YAML or JSON file with the connector's config")
    .option("--set <key=value>", "set one config value (repeatable)", collectKeyValue, [])
    .option("--project <file>", "project file (default: ./dvt.yaml)")
    .option("--json", "print the result as JSON", false);
}

/** Builds the `connector` command group. */
export function connectorCommand(globals: () => GlobalOptions, exit: ExitCodeSink): Command {
  const group = new Command("connector")
    .description("List, inspect, test, scaffold and bundle connectors")
    .addHelpText(
      "after",
      `
Examples:
  dvt connector list                                   built-in and project connectors
  dvt connector new hubspot                            scaffold ./connectors/hubspot
  dvt connector test hubspot                           health check + contract tests
  dvt connector discover files --set 'paths=data/*.csv'
  dvt connector build hubspot                          bundle for publishing`,
    );

  group.command("list")
    .description("List built-in and project connectors")
    .option("--project <file>", "project file (default: ./dvt.yaml)")
    .option("--json", "print the result as JSON", false)
    .addHelpText("after", "\nExamples:\n  dvt connector list\n  dvt connector list --json")
    .action(async (options: { project?: string; json: boolean }) => {
      const { runConnectorList } = await import("./connector/list.ts");
      exit(await runConnectorList(options, globals()));
    });

  withTargetOptions(
    group.command("discover")
      .description("Show a connector's tables with Arrow schemas, keys and capabilities")
      .argument("<connector>", "builtin name, path to a connector dir/connector.yaml, or URL"),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  dvt connector discover files --set 'paths=data/*.csv'\n  dvt connector discover ./connectors/hubspot --config hubspot.yaml --json",
    )
    .action(async (connector: string, options: ConnectorTargetOptions) => {
      const { runConnectorDiscover } = await import("./connector/discover.ts");
      exit(await runConnectorDiscover(connector, options, globals()));
    });

  withTargetOptions(
    group.command("test")
      .description("Run the health check and contract tests against a connector")
      .argument("<connector>", "builtin name, path to a connector dir/connector.yaml, or URL"),
  )
    .option("--junit <file>", "also write the results as JUnit XML")
    .option("--tables <a,b>", "tables to test when the connector has no discover", parseList)
    .addHelpText(
      "after",
      "\nExamples:\n  dvt connector test ./connectors/hubspot\n  dvt connector test files --set 'paths=data/*.csv' --junit report.xml",
    )
    .action(async (connector: string, options: ConnectorTestOptions) => {
      const { runConnectorTest } = await import("./connector/contract.ts");
      exit(await runConnectorTest(connector, options, globals()));
    });

  group.command("new")
    .description("Scaffold a new connector that passes its contract tests")
    .argument("<name>", "connector name: lower case letters, digits, _ and -")
    .option("--caps <list>", "capabilities: discover,read,stream,remote", parseList, [
      "discover",
      "read",
    ])
    .option("--dir <dir>", "parent directory (default: ./connectors)")
    .addHelpText(
      "after",
      "\nExamples:\n  dvt connector new hubspot\n  dvt connector new events --caps discover,read,stream --dir ./src",
    )
    .action(async (name: string, options: ConnectorNewOptions) => {
      const { runConnectorNew } = await import("./connector/new.ts");
      exit(await runConnectorNew(name, options, globals()));
    });

  group.command("build")
    .description("Bundle a connector into one JS file and print its integrity for publishing")
    .argument(
      "[connector]",
      "connector directory, its connector.yaml, or the name of one in ./connectors/",
      ".",
    )
    .option("--out <file>", "output file (default: <dir>/dist/<name>.js)")
    .option("--json", "print the result as JSON", false)
    .addHelpText(
      "after",
      "\nExamples:\n  dvt connector build hubspot\n  dvt connector build ./connectors/hubspot\n  dvt connector build . --out public/hubspot-1.2.0.js",
    )
    .action(async (dir: string, options: ConnectorBuildOptions) => {
      const { runConnectorBuild } = await import("./connector/build.ts");
      exit(await runConnectorBuild(dir, options, globals()));
    });

  return group;
}

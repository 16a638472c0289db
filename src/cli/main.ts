#!/usr/bin/env node
// The `toystore` command: the only place that reads argv and sets exit codes.
// Exit codes: 0 done, 1 runtime failure (one line on stderr), 2 usage error.

import { Command, CommanderError } from "commander";
import { OptionError } from "../options/schema.js";
import { registerBenchCommand } from "./bench-command.js";
import { registerCallCommand } from "./call-command.js";
import { CliFailure, UsageError } from "./cli-failure.js";
import { registerExperimentCommand } from "./experiment-command.js";
import { registerLoadCommand } from "./load-command.js";
import { registerReportCommand } from "./report-command.js";
import { registerServeCommand } from "./serve-command.js";

export function buildProgram(): Command {
  const program = new Command("toystore")
    .description("A toy store served over a TCP line protocol, gRPC and HTTP, with tools to measure it")
    .showHelpAfterError("(add --help for usage)")
    .exitOverride();
  registerServeCommand(program);
  registerCallCommand(program, "query");
  registerCallCommand(program, "buy");
  registerBenchCommand(program);
  registerLoadCommand(program);
  registerExperimentCommand(program);
  registerReportCommand(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successful exits; everything else is a usage error.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError || error instanceof OptionError) {
      console.error(`toystore: ${error.message} (add --help for usage)`);
      return 2;
    }
    if (error instanceof CliFailure) {
      console.error(`toystore: ${error.message}`);
      return 1;
    }
    console.error("toystore: internal error:", error);
    return 1;
  }
}

process.exit(await main(process.argv));

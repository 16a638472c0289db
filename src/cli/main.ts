#!/usr/bin/env node
// The `toystore` command: the only place that reads argv and sets exit codes.
// Exit codes: 0 done, 1 runtime failure (one line on stderr), 2 usage error.

import { Command } from "commander";
import { registerBenchCommand } from "./bench-command.js";
import { registerCallCommands } from "./call-command.js";
import { registerExperimentCommand } from "./experiment-command.js";
import { registerLoadCommand } from "./load-command.js";
import { registerReportCommand } from "./report-command.js";
import { runProgram } from "./run-program.js";
import { registerServeCommand } from "./serve-command.js";

export function buildProgram(): Command {
  const program = new Command("toystore")
    .description("A toy store served over a TCP line protocol, gRPC and HTTP, with tools to measure it")
    .showHelpAfterError("(add --help for usage)")
    .exitOverride();
  registerServeCommand(program);
  registerCallCommands(program);
  registerBenchCommand(program);
  registerLoadCommand(program);
  registerExperimentCommand(program);
  registerReportCommand(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

process.exit(await runProgram(buildProgram(), process.argv));

// Runs a parsed program and maps how it ended to an exit code: 0 done, 1 a
// runtime failure (one line on stderr), 2 a usage error. Shared by `toystore`
// and the scripts that drive one of its commands.

import { type Command, CommanderError } from "commander";
import { OptionError } from "../options/schema.js";
import { CliFailure, UsageError } from "./cli-failure.js";

export async function runProgram(program: Command, argv: readonly string[]): Promise<number> {
  try {
    await program.parseAsync([...argv]);
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

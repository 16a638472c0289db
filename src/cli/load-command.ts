// `toystore load`: N clients, each on its own connection and process, against
// a running server; the options are the load generator's own (load-options.ts).
// A session run (--session) whose orders do not check out exits 1.

import type { Command } from "commander";
import { resolveTarget, TARGET_OPTIONS } from "../client/target.js";
import { text } from "../options/schema.js";
import { formatLoadResults } from "../study/load/format-load.js";
import { LOAD_OPTIONS } from "../study/load/load-options.js";
import { orderCheckFailure } from "../study/load/order-check.js";
import { runLoad } from "../study/load/run-load.js";
import { CliFailure } from "./cli-failure.js";
import {
  abortOnSigint,
  type CommandIo,
  failure,
  OUTPUT_OPTIONS,
  PROCESS_IO,
  writeResult,
} from "./command-io.js";
import { addFlags, readFlags } from "./flags.js";

/** `--toy NAME`: the same as `--toys NAME`, kept for the single-toy case. */
const TOY = {
  toy: text("--toy", "always ask for this toy (same as --toys with one name)", null, { arg: "<name>" }),
};

export function registerLoadCommand(program: Command, io: CommandIo = PROCESS_IO): void {
  const command = program
    .command("load")
    .description(
      "run N clients, each on its own connection and process, against a running server; print latency statistics (--session: the labs' client, which also checks every order it bought)",
    );
  addFlags(command, TARGET_OPTIONS, LOAD_OPTIONS, TOY, OUTPUT_OPTIONS).action(
    async (given: Record<string, unknown>) => {
      const abort = abortOnSigint();
      try {
        const { toy } = readFlags(TOY, given);
        const options = { ...readFlags(LOAD_OPTIONS, given), ...(toy ? { toys: [toy] } : {}) };
        const results = await runLoad(
          { ...resolveTarget(readFlags(TARGET_OPTIONS, given)), ...options },
          { signal: abort.signal },
        );
        writeResult(io, readFlags(OUTPUT_OPTIONS, given).json === true, results, () =>
          formatLoadResults(results),
        );
        // A session's orders that do not check out fail the run, after its results are printed.
        const failed = results.session === undefined ? undefined : orderCheckFailure(results.session.orders);
        if (failed !== undefined) throw new CliFailure(`session check failed: ${failed}`);
      } catch (error) {
        throw failure(error);
      } finally {
        abort.dispose();
      }
    },
  );
}

// Runs the load generator against a server that is already listening:
//   node --import tsx bench/run.ts --transport socket --port 7000 --connections 50 --pipeline 1
// (`toystore bench` will do the same from the project CLI.)

import { Command } from "commander";
import { addBenchFlags, type BenchFlags, benchOptionsFromFlags } from "../src/bench/cli-options.js";
import { formatBenchResult } from "../src/bench/format.js";
import { runBench } from "../src/bench/run-bench.js";

const command = addBenchFlags(
  new Command("bench/run.ts").description("closed-loop load against a running server"),
);
command.parse();
const flags = command.opts<BenchFlags>();
const port = flags.port ?? command.error("--port is required (the server must already be listening)");
const result = await runBench(benchOptionsFromFlags(flags, port));
process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatBenchResult(result)}\n`);

// `toystore bench`: throughput and latency against a running server (--port),
// or against a server it starts itself with --work-ms 0 and a catalog whose
// stock never runs out.

import type { Command } from "commander";
import { type ServerProcess, startToystore, unlimitedCatalog } from "../measure/server.js";
import { addBenchFlags, type BenchFlags, benchOptionsFromFlags } from "../throughput/cli-options.js";
import { formatBenchResult } from "../throughput/format.js";
import { runBench } from "../throughput/run-bench.js";
import { CliFailure } from "./cli-failure.js";

export function registerBenchCommand(program: Command): void {
  const command = program
    .command("bench")
    .description(
      "measure throughput and latency (closed loop, several generator processes); " +
        "without --port, starts a server itself (--work-ms 0, unlimited stock)",
    );
  addBenchFlags(command).action(async (flags: BenchFlags) => {
    let server: ServerProcess | undefined;
    try {
      let port = flags.port;
      if (port === undefined) {
        server = await startToystore({
          transports: [flags.transport],
          flags: { workMs: 0, maxConnections: 100_000 },
          catalog: unlimitedCatalog(flags.name),
        });
        port = server.port;
        if (!flags.json) console.error(`started a server (pid ${server.pid}) on ${server.host}:${port}`);
      }
      const result = await runBench(benchOptionsFromFlags(flags, port));
      process.stdout.write(
        flags.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatBenchResult(result)}\n`,
      );
    } catch (error) {
      throw new CliFailure(`bench failed: ${(error as Error).message}`);
    } finally {
      await server?.stop();
    }
  });
}

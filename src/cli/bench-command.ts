// `toystore bench`: throughput and latency against a running server (when a
// port is given), or against a server it starts itself (work 0, a stock no
// run can exhaust). The options are the throughput engine's own.

import type { Command } from "commander";
import { PORT_KEYS, resolveTarget, TARGET_OPTIONS } from "../client/target.js";
import { formatHostPort } from "../net/host-port.js";
import type { ServerProcess } from "../study/measure/server.js";
import { startToystore, unlimitedCatalog } from "../study/measure/toystore-launch.js";
import { formatBenchResult } from "../study/throughput/format.js";
import { BENCH_OPTIONS, resolveBenchOptions } from "../study/throughput/options.js";
import { runBench } from "../study/throughput/run-bench.js";
import { type CommandIo, failure, OUTPUT_OPTIONS, PROCESS_IO, writeResult } from "./command-io.js";
import { addFlags, readFlags } from "./flags.js";

/** Where bench connects: the target flags but --failover-ms, since bench never fails over. */
const { failoverMs: _noFailover, ...TARGET_FLAGS } = TARGET_OPTIONS;
const BENCH_TARGET_OPTIONS = {
  ...TARGET_FLAGS,
  servers: {
    ...TARGET_FLAGS.servers,
    help: "servers to load, host[:port],...: the load split evenly over them, each with generator processes of its own, no failover (the port defaults to the transport's port flag; replaces --host)",
  },
};

export function registerBenchCommand(program: Command, io: CommandIo = PROCESS_IO): void {
  const command = program
    .command("bench")
    .description(
      "measure throughput and latency (closed loop, several generator processes); " +
        "without --socket-port, --grpc-port, --http-port or --servers, starts a server itself (--work-ms 0, unlimited stock); " +
        "with --servers, spreads the load evenly over them, each server driven by processes of its own",
    );
  addFlags(command, BENCH_TARGET_OPTIONS, BENCH_OPTIONS, OUTPUT_OPTIONS).action(
    async (given: Record<string, unknown>) => {
      let server: ServerProcess | undefined;
      try {
        const json = readFlags(OUTPUT_OPTIONS, given).json === true;
        const options = readFlags(BENCH_OPTIONS, given);
        // Its generators drive raw connections at full speed: a server that fails is an error to see.
        let target = resolveTarget(readFlags(BENCH_TARGET_OPTIONS, given));
        // Every option checked before a server is started for them.
        resolveBenchOptions({ ...target, ...options });
        // With --servers the servers are running already: bench starts none of its own.
        if (target.servers === undefined && PORT_KEYS.every((key) => given[key] === undefined)) {
          server = await startToystore({
            transports: [target.transport],
            flags: { workMs: 0, maxConnections: 100_000 },
            catalog: unlimitedCatalog([options.name ?? BENCH_OPTIONS.name.default]),
          });
          target = { ...target, host: server.host, port: server.port };
          if (!json)
            io.stderr.write(
              `started a server (pid ${server.pid}) on ${formatHostPort(server.host, server.port)}\n`,
            );
        }
        const result = await runBench({ ...target, ...options });
        writeResult(io, json, result, () => `${formatBenchResult(result)}\n`);
      } catch (error) {
        throw failure(error);
      } finally {
        await server?.stop();
      }
    },
  );
}

// `toystore bench`: throughput and latency against a running server (--port),
// or against a server it starts itself with --work-ms 0 and a catalog whose
// stock never runs out.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { resolveEntry } from "../measure/entry-point.js";
import { type ServerProcess, startServerProcess } from "../measure/server-process.js";
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
    let dir: string | undefined;
    try {
      let port = flags.port;
      if (port === undefined) {
        dir = await mkdtemp(join(tmpdir(), "toystore-bench-"));
        const catalog = join(dir, "catalog.json");
        // Buys must never sell out during a run: a stock no benchmark can exhaust.
        await writeFile(catalog, JSON.stringify([{ name: flags.name, price: "19.99", stock: 1e15 }]));
        // This CLI again, as a child: compiled, or the source through tsx.
        const self = resolveEntry("cli/main");
        server = await startServerProcess({
          command: process.execPath,
          args: [
            ...self.execArgv,
            self.file,
            "serve",
            "--transport",
            flags.transport,
            "--socket-port",
            "0",
            "--grpc-port",
            "0",
            "--work-ms",
            "0",
            "--catalog",
            catalog,
            "--max-connections",
            "100000",
          ],
          readyText: flags.transport,
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
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    }
  });
}

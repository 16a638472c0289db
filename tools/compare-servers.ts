// The servers of the comparison: ours (unlimited stock, work 0), the
// baselines, the Python grpcio reference server and Redis, each started once
// on a free port by the toolkit's launcher; one that fails is left out.

import net from "node:net";
import { join } from "node:path";
import { PACKAGE_ROOT, tsxExecArgv } from "../src/study/measure/entry-point.js";
import { type ServerProcess, startServerProcess } from "../src/study/measure/server.js";
import { startToystore, unlimitedCatalog } from "../src/study/measure/toystore-launch.js";
import type { BenchTransport } from "../src/study/throughput/options.js";
import type { CompareFlags } from "./compare.js";
import { OURS, PYTHON, type Scenario } from "./compare-report.js";

/** Starts each scenario's servers once, into `servers`; a server that fails is left out with a note. */
export async function startServers(
  scenarios: readonly Scenario[],
  flags: CompareFlags,
  servers: Map<string, ServerProcess>,
): Promise<Map<string, string>> {
  const unavailable = new Map<string, string>();
  for (const scenario of scenarios) {
    for (const { server } of scenario.entries) {
      const key = `${scenario.transport}:${server}`;
      if (servers.has(key) || unavailable.has(key)) continue;
      try {
        servers.set(key, await startEntryServer(server, scenario.transport, flags));
      } catch (error) {
        unavailable.set(key, (error as Error).message);
        process.stderr.write(`note: ${key} unavailable, left out: ${(error as Error).message}\n`);
      }
    }
  }
  return unavailable;
}

/** Starts one server of the comparison; ours serves the transport asked, with unlimited stock. */
async function startEntryServer(id: string, transport: BenchTransport, flags: CompareFlags) {
  const node = (script: string, args: string[] = []) =>
    startServerProcess({ command: process.execPath, args: [...tsxExecArgv(), baseline(script), ...args] });
  switch (id) {
    case OURS:
      return startToystore({
        transports: [transport],
        flags: { workMs: 0 },
        catalog: unlimitedCatalog(),
        entry: { file: flags.oursEntry, execArgv: [], runtime: "compiled" },
      });
    case "line-baseline":
      return node("line-baseline.ts", ["--port", "0"]);
    case "grpc-baseline":
      return node("grpc-baseline.ts", ["--port", "0"]);
    case PYTHON:
      // Without grpcio the script exits at once: the server is then left out with a note.
      return startServerProcess({
        command: flags.python,
        args: [baseline("python-grpc-reference.py"), "--port", "0"],
      });
    case "redis":
      return startRedis();
    default:
      throw new Error(`unknown server ${id}`);
  }
}

const baseline = (file: string) => join(PACKAGE_ROOT, "tools", "baselines", file);

/**
 * Redis has no port 0: reserve a free port, then wait for its own ready line.
 * With `aofDir`, every write is appended to a file there and synced before its
 * reply (appendfsync always): the durable anchor.
 */
export async function startRedis(aofDir?: string): Promise<ServerProcess> {
  const port = await new Promise<number>((resolve, reject) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.once("error", reject);
  });
  return startServerProcess({
    command: "redis-server",
    args: [
      ...["--port", String(port), "--bind", "127.0.0.1", "--save", ""],
      ...(aofDir === undefined
        ? ["--appendonly", "no"]
        : ["--appendonly", "yes", "--appendfsync", "always", "--dir", aofDir]),
    ],
    readyLine: { pattern: /Ready to accept connections/, port },
  });
}

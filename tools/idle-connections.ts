// Memory per idle connection: opens N idle socket connections to a server and
// reports how much its resident set (VmRSS) grew, per connection.
//
//   node --import tsx tools/idle-connections.ts                 # starts our server (dist/)
//   node --import tsx tools/idle-connections.ts --server line-baseline
//   node --import tsx tools/idle-connections.ts --port 7070 --pid 1234   # a server already running
//
// File descriptors: this process and the server each need N + a few. Node
// raises its soft RLIMIT_NOFILE to the hard limit at start-up, so only the hard
// limit matters; if it is too low, run from a shell with a raised one:
//   ulimit -n 20000 && node --import tsx tools/idle-connections.ts    (as root, or: prlimit)

import { readFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { Command } from "commander";
import { parseArgv } from "../src/cli/flags.js";
import { choice, integer, type Schema, text, toggle } from "../src/options/schema.js";
import { PACKAGE_ROOT, tsxExecArgv } from "../src/study/measure/entry-point.js";
import { readMemory } from "../src/study/measure/proc.js";
import { type ServerProcess, startServerProcess } from "../src/study/measure/server.js";
import { startToystore } from "../src/study/measure/toystore-launch.js";

/** Descriptors this process needs besides the connections (stdio, the event loop, ...). */
const FD_HEADROOM = 64;
/** Connections checked for liveness after the measurement: enough to notice, cheap to do. */
const LIVENESS_SAMPLE = 100;
const LIVENESS_TIMEOUT_MS = 5_000;
const CONNECT_TIMEOUT_MS = 10_000;

interface IdleFlags {
  readonly connections: number;
  readonly batch: number;
  readonly settleMs: number;
  readonly server: "ours" | "line-baseline";
  readonly oursEntry: string;
  /** A server already listening (with its pid), instead of one started here; 0: none. */
  readonly port: number;
  readonly pid: number;
  readonly json: boolean;
}

const IDLE_OPTIONS: Schema<IdleFlags> = {
  connections: integer("--connections", "idle connections to open", 10_000, 1, 1_000_000),
  batch: integer("--batch", "connections opened at once (stays under the listen backlog)", 200, 1, 100_000),
  settleMs: integer("--settle-ms", "wait before each RSS reading", 2_000, 0, 600_000),
  server: choice<IdleFlags["server"]>("--server", "server to start when --port is not given", "ours", [
    "ours",
    "line-baseline",
  ]),
  oursEntry: text("--ours-entry", "our CLI entry point", join(PACKAGE_ROOT, "dist/cli/main.js"), {
    arg: "<path>",
  }),
  port: integer("--port", "measure a server already listening here (needs --pid; 0: start one)", 0, 0, 65535),
  pid: integer("--pid", "that server's process id, for its RSS", 0, 0, 2 ** 31 - 1),
  json: toggle("--json", "print the result as JSON"),
};

function parseFlags(): IdleFlags {
  const command = new Command("tools/idle-connections.ts").description(
    "server RSS per idle socket connection",
  );
  const flags = parseArgv(command, IDLE_OPTIONS);
  if ((flags.port === 0) !== (flags.pid === 0))
    command.error("--port and --pid go together", { exitCode: 2 });
  return flags;
}

/** A process's resident memory now and at its peak, kB; throws when it cannot be read. */
async function memoryKb(pid: number): Promise<{ rss: number; hwm: number }> {
  const memory = await readMemory(pid);
  if (memory === undefined) throw new Error(`cannot read /proc/${pid}/status`);
  return { rss: memory.rss / 1024, hwm: memory.hwm / 1024 };
}

/** The soft limit on open files of this process (already raised to the hard one by Node). */
function openFileLimit(): number {
  const limits = readFileSync("/proc/self/limits", "utf8");
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
  return match === null || match[1] === "unlimited" ? Number.POSITIVE_INFINITY : Number(match[1]);
}

function startServer(flags: IdleFlags): Promise<ServerProcess> {
  if (flags.server === "line-baseline") {
    const script = join(PACKAGE_ROOT, "tools", "baselines", "line-baseline.ts");
    return startServerProcess({ command: process.execPath, args: [...tsxExecArgv(), script, "--port", "0"] });
  }
  return startToystore({
    transports: ["socket"],
    flags: { workMs: 0, maxConnections: flags.connections + 10_000, idleTimeoutMs: 0 },
    entry: { file: flags.oursEntry, execArgv: [], runtime: "compiled" },
  });
}

function connectOne(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => socket.destroy(new Error("connect timeout")));
    socket.once("connect", () => {
      socket.setTimeout(0);
      socket.off("error", reject);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}

/** Opens `count` connections, `batch` at a time; counts the ones refused or dropped later. */
async function openConnections(port: number, count: number, batch: number) {
  const sockets: net.Socket[] = [];
  let failed = 0;
  let closedByServer = 0;
  for (let opened = 0; opened < count; opened += batch) {
    const size = Math.min(batch, count - opened);
    const results = await Promise.allSettled(Array.from({ length: size }, () => connectOne(port)));
    for (const result of results) {
      if (result.status === "rejected") {
        failed++;
        continue;
      }
      const socket = result.value;
      // An idle connection the server closes (limit, timeout) no longer counts as held.
      socket.once("close", () => closedByServer++);
      socket.on("error", () => undefined);
      sockets.push(socket);
    }
  }
  return { sockets, failed, closedByServer: () => closedByServer };
}

/** Sends one Query on a few connections: held connections must still be served. */
async function checkLiveness(sockets: net.Socket[]): Promise<{ asked: number; answered: number }> {
  const sample = sockets.filter((socket) => !socket.destroyed).slice(0, LIVENESS_SAMPLE);
  const answers = sample.map(
    (socket) =>
      new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), LIVENESS_TIMEOUT_MS);
        socket.once("data", () => {
          clearTimeout(timer);
          resolve(true);
        });
        socket.write("Query: Tux\n");
      }),
  );
  const results = await Promise.all(answers);
  return { asked: sample.length, answered: results.filter(Boolean).length };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const flags = parseFlags();
  const limit = openFileLimit();
  if (limit < flags.connections + FD_HEADROOM) {
    throw new Error(
      `open-file limit ${limit} is below ${flags.connections + FD_HEADROOM}: raise it (ulimit -n ${flags.connections + 1024}) and rerun`,
    );
  }
  const started = flags.port === 0 ? await startServer(flags) : undefined;
  const port = started?.port ?? flags.port;
  const pid = started?.pid ?? flags.pid;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  let sockets: net.Socket[] = [];
  try {
    await sleep(flags.settleMs);
    const rssBeforeKb = (await memoryKb(pid)).rss;
    log(`server pid ${pid} on port ${port}: RSS ${rssBeforeKb} kB; opening ${flags.connections} connections`);
    const openedAt = performance.now();
    const opened = await openConnections(port, flags.connections, flags.batch);
    sockets = opened.sockets;
    const openMs = Math.round(performance.now() - openedAt);
    await sleep(flags.settleMs);
    const { rss: rssAfterKb, hwm: serverPeakRssKb } = await memoryKb(pid);
    const held = sockets.length - opened.closedByServer();
    const liveness = await checkLiveness(sockets);
    const result = {
      tool: "toystore-idle-connections",
      server: started ? flags.server : `pid ${pid}`,
      requested: flags.connections,
      held,
      refused: opened.failed,
      closedByServer: opened.closedByServer(),
      openMs,
      rssBeforeKb,
      rssAfterKb,
      rssPerConnectionKb: held > 0 ? Math.round(((rssAfterKb - rssBeforeKb) / held) * 100) / 100 : undefined,
      serverPeakRssKb,
      liveness,
    };
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      const lines = [
        `${result.server}: held ${held} of ${flags.connections} idle connections` +
          ` (refused ${result.refused}, closed by server ${result.closedByServer}; opened in ${openMs} ms)`,
        `  RSS ${rssBeforeKb} kB -> ${rssAfterKb} kB: ${result.rssPerConnectionKb ?? "-"} kB per connection` +
          ` (peak ${result.serverPeakRssKb} kB)`,
        `  afterwards ${liveness.answered} of ${liveness.asked} sampled connections answered a Query`,
      ];
      process.stdout.write(`${lines.join("\n")}\n`);
    }
  } finally {
    for (const socket of sockets) socket.destroy();
    await started?.stop();
  }
}

await main();

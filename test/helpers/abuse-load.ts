// Load for the shutdown tests: buy loops that count what was acknowledged and
// how each loop ended, and a `toystore serve` child process started on free
// ports and stopped by its PID.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { StoreClient } from "../../src/client/store-client.js";
import { isStoreError } from "../../src/errors.js";

/** What a group of buy loops saw. */
export interface BuyTally {
  /** Buys acknowledged as bought, per toy. */
  readonly acked: Map<string, number>;
  /** Buys answered sold out or not found (acknowledged, nothing sold). */
  unsold: number;
  /** How each loop ended: a StoreError code, or "done" (stopped or its count reached). */
  readonly endings: Map<string, number>;
}

export function newTally(): BuyTally {
  return { acked: new Map(), unsold: 0, endings: new Map() };
}

export function totalAcked(tally: BuyTally): number {
  let sum = 0;
  for (const n of tally.acked.values()) sum += n;
  return sum;
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/**
 * Runs `loops` concurrent buy loops on one client (so several requests are in
 * flight on its connection), cycling through `toys`. A loop ends at its first
 * error (a shutting-down server ends them all), when `stop()` returns true, or
 * after `maxPerLoop` buys. Resolves when every loop has ended.
 */
export async function runBuyLoops(
  client: StoreClient,
  toys: readonly string[],
  loops: number,
  tally: BuyTally,
  stop: () => boolean,
  maxPerLoop = 100_000,
): Promise<void> {
  await Promise.all(
    Array.from({ length: loops }, async (_, loop) => {
      for (let i = 0; i < maxPerLoop && !stop(); i++) {
        const toy = toys[(loop + i) % toys.length]!;
        try {
          const result = await client.buy(toy);
          if (result.kind === "bought") bump(tally.acked, toy);
          else tally.unsold++;
        } catch (error) {
          bump(tally.endings, isStoreError(error) ? error.code : `thrown: ${String(error)}`);
          return;
        }
      }
      bump(tally.endings, "done");
    }),
  );
}

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const LISTENING = /^(socket|grpc) listening on [^\s]+:(\d+)$/;

/** A `toystore serve` child process, listening. */
export interface ServeChild {
  readonly pid: number;
  readonly socketPort: number;
  readonly grpcPort: number;
  /** Every line it printed so far (stdout and stderr). */
  readonly output: string[];
  /** Resolves with how it exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal to this PID. */
  signal(signal: NodeJS.Signals): void;
  /** Kills it if it still runs and removes its catalog file. */
  dispose(): Promise<void>;
}

/**
 * Starts `toystore serve` from the source (through tsx) on free ports with a
 * catalog of `toys` (name -> stock, price 1.00), and resolves once both
 * transports listen.
 */
export async function startServeChild(
  toys: Record<string, number>,
  flags: string[] = [],
): Promise<ServeChild> {
  const dir = await mkdtemp(path.join(tmpdir(), "toystore-shutdown-"));
  const catalog = path.join(dir, "catalog.json");
  await writeFile(
    catalog,
    JSON.stringify(Object.entries(toys).map(([name, stock]) => ({ name, price: "1.00", stock }))),
  );
  const child: ChildProcess = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      path.join(REPO_ROOT, "src/cli/main.ts"),
      "serve",
      "--socket-port",
      "0",
      "--grpc-port",
      "0",
      "--catalog",
      catalog,
      ...flags,
    ],
    { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  const output: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const ports = new Map<string, number>();
  const listening = new Promise<void>((resolve, reject) => {
    const onLine = (line: string) => {
      output.push(line);
      const match = LISTENING.exec(line);
      if (match) ports.set(match[1]!, Number(match[2]));
      if (ports.size === 2) resolve();
    };
    createInterface({ input: child.stdout! }).on("line", onLine);
    createInterface({ input: child.stderr! }).on("line", onLine);
    void exited.then(({ code, signal }) =>
      reject(new Error(`serve exited (${code ?? signal}) before listening:\n${output.join("\n")}`)),
    );
  });
  const dispose = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await listening;
  } catch (error) {
    await dispose();
    throw error;
  }
  return {
    pid: child.pid!,
    socketPort: ports.get("socket")!,
    grpcPort: ports.get("grpc")!,
    output,
    exited,
    signal: (signal) => child.kill(signal),
    dispose,
  };
}

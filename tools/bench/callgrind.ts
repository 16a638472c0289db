// --callgrind: our servers and the Node baselines run under valgrind's
// callgrind, and each measured run reports the instructions the server
// executed per request. An instruction count does not move with the
// machine's noise, so two builds (or ours and a baseline) compare to a few
// per cent where req/s swing by tens. Valgrind slows the server some fifty
// times: the req/s of such a run mean nothing, the instructions do.
//
// The counters are zeroed just before the measured run and dumped just after
// (callgrind_control -z, -d), so start-up and the warm-up are left out.

import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { findExecutable } from "./command-generators.js";

const run = promisify(execFile);
/** callgrind_control asks the server through vgdb; a busy valgrind answers within seconds. */
const CONTROL_TIMEOUT_MS = 30_000;
/** A Node server under valgrind takes half a minute or more to start on a loaded machine. */
export const CALLGRIND_READY_TIMEOUT_MS = 300_000;

/** Why --callgrind cannot run here, naming the package to install; undefined when it can. */
export function callgrindMissing(): string | undefined {
  return findExecutable("valgrind") === undefined || findExecutable("callgrind_control") === undefined
    ? "--callgrind needs valgrind and callgrind_control, which are not installed: apt-get install valgrind"
    : undefined;
}

/**
 * The argv a server runs under, its profiles written to `dir`. Valgrind runs
 * the program in its own process, so the server's PID is valgrind's.
 * --smc-check=all-non-file: V8 rewrites the machine code it generated, which
 * valgrind must notice; --trace-children=no: tsx's esbuild and the like run natively.
 */
export function callgrindPrefix(dir: string): string[] {
  return [
    "valgrind",
    "--tool=callgrind",
    "--trace-children=no",
    "--smc-check=all-non-file",
    `--callgrind-out-file=${join(dir, "callgrind.out.%p")}`,
  ];
}

/** Zeroes the server's counters: what it executed before is left out of the next dump. */
export async function zeroInstructions(pid: number): Promise<void> {
  await run("callgrind_control", ["-z", String(pid)], { timeout: CONTROL_TIMEOUT_MS });
}

/** Dumps the server's counters and returns the instructions executed since they were zeroed. */
export async function dumpInstructions(pid: number, dir: string): Promise<number> {
  await run("callgrind_control", ["-d", String(pid)], { timeout: CONTROL_TIMEOUT_MS });
  // Each dump is a file of its own, callgrind.out.PID.N: the newest is this one.
  const pattern = new RegExp(`^callgrind\\.out\\.${pid}\\.(\\d+)$`);
  const dumps = (await readdir(dir))
    .flatMap((name) => {
      const match = pattern.exec(name);
      return match === null ? [] : [{ name, n: Number(match[1]) }];
    })
    .sort((a, b) => b.n - a.n);
  if (dumps.length === 0) throw new Error(`callgrind wrote no dump for pid ${pid} in ${dir}`);
  const instructions = parseCallgrindTotal(await readFile(join(dir, dumps[0]!.name), "utf8"));
  if (instructions === undefined) throw new Error(`callgrind's dump ${dumps[0]!.name} has no totals line`);
  return instructions;
}

/** The instructions (Ir) of a callgrind dump: its "totals:" line, else its "summary:" line. */
export function parseCallgrindTotal(dump: string): number | undefined {
  const line = /^totals:\s+(\d+)/m.exec(dump) ?? /^summary:\s+(\d+)/m.exec(dump);
  return line === null ? undefined : Number(line[1]);
}

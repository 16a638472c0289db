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

/** How long a dump may take to appear: valgrind writes it when the server next runs, after vgdb's request. */
const DUMP_WAIT_MS = 15_000;
const DUMP_POLL_MS = 100;

/** The numbers N of the dumps callgrind.out.PID.N in `dir`. */
async function dumpNumbers(pid: number, dir: string): Promise<number[]> {
  const pattern = new RegExp(`^callgrind\\.out\\.${pid}\\.(\\d+)$`);
  return (await readdir(dir)).flatMap((name) => {
    const match = pattern.exec(name);
    return match === null ? [] : [Number(match[1])];
  });
}

/**
 * Dumps the server's counters and returns the instructions executed since
 * they were zeroed. callgrind_control returns once the request is sent; the
 * dump, a file of its own (callgrind.out.PID.N, N counting up), is complete
 * once its totals line is written, so it is waited for.
 */
export async function dumpInstructions(pid: number, dir: string): Promise<number> {
  const before = Math.max(0, ...(await dumpNumbers(pid, dir)));
  const control = await run("callgrind_control", ["-d", String(pid)], { timeout: CONTROL_TIMEOUT_MS });
  const deadline = Date.now() + DUMP_WAIT_MS;
  for (;;) {
    const newest = Math.max(0, ...(await dumpNumbers(pid, dir)));
    if (newest > before) {
      const text = await readFile(join(dir, `callgrind.out.${pid}.${newest}`), "utf8");
      const instructions = /^totals:/m.test(text) ? parseCallgrindTotal(text) : undefined;
      if (instructions !== undefined) return instructions;
    }
    if (Date.now() > deadline)
      throw new Error(
        `callgrind wrote no dump for pid ${pid} within ${DUMP_WAIT_MS} ms (callgrind_control: ${control.stdout.trim().replaceAll("\n", " ")}; ${dir} holds ${(await readdir(dir)).join(", ")})`,
      );
    await new Promise((resolve) => setTimeout(resolve, DUMP_POLL_MS));
  }
}

/** The instructions (Ir) of a callgrind dump: its "totals:" line, else its "summary:" line. */
export function parseCallgrindTotal(dump: string): number | undefined {
  const line = /^totals:\s+(\d+)/m.exec(dump) ?? /^summary:\s+(\d+)/m.exec(dump);
  return line === null ? undefined : Number(line[1]);
}

// CPU time of processes, read from /proc/PID/stat (Linux): what a server
// spends per request, and what a generator run as a child process spent.
//
// CPU time is a steadier figure than req/s on a shared machine: a server
// that is descheduled for a while serves fewer requests in the window, but
// each request it serves still costs the same CPU.

import { execFileSync } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";

/** The fields of /proc/PID/stat the runner reads, in clock ticks. */
export interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  /** utime + stime: this process's own CPU (every thread of it). */
  readonly ownTicks: number;
  /** cutime + cstime: CPU of its children that exited and were waited for. */
  readonly childTicks: number;
}

/**
 * Parses one /proc/PID/stat line. The command name (field 2) is in parentheses
 * and may hold spaces or parentheses itself, so fields are counted from the last ")".
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return undefined;
  // After ")": state (field 3), ppid (4), ..., utime (14), stime (15), cutime (16), cstime (17).
  const fields = text.slice(close + 2).split(" ");
  const at = (field: number) => Number(fields[field - 3]);
  const stat = {
    pid: Number(text.slice(0, open).trim()),
    ppid: at(4),
    ownTicks: at(14) + at(15),
    childTicks: at(16) + at(17),
  };
  return Object.values(stat).every(Number.isFinite) ? stat : undefined;
}

let ticksPerSecond: number | undefined;

/** Clock ticks per second (`getconf CLK_TCK`, 100 on every Linux this runs on). */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

async function readStat(pid: number | "self"): Promise<ProcStat | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  return text === undefined ? undefined : parseProcStat(text);
}

/**
 * Every tick spent by the process tree under `root`: each live process's own
 * CPU plus what its exited children spent. That covers `serve --workers N`
 * (a primary and its workers) and PostgreSQL (a postmaster whose backends
 * come and go), as well as a single-process server.
 */
export function treeTicks(root: number, stats: readonly ProcStat[]): number {
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  let ticks = 0;
  const pending = stats.filter((stat) => stat.pid === root);
  for (let stat = pending.pop(); stat !== undefined; stat = pending.pop()) {
    ticks += stat.ownTicks + stat.childTicks;
    pending.push(...(children.get(stat.pid) ?? []));
  }
  return ticks;
}

/** CPU ms the process tree under `pid` has used so far; undefined when it is gone or off Linux. */
export async function processTreeCpuMs(pid: number): Promise<number | undefined> {
  const root = await readStat(pid);
  if (root === undefined) return undefined;
  const names = await readdir("/proc").catch(() => [] as string[]);
  const stats = await Promise.all(
    names.filter((name) => /^\d+$/.test(name)).map((name) => readStat(Number(name))),
  );
  const ticks = treeTicks(
    pid,
    stats.filter((stat) => stat !== undefined),
  );
  return (ticks * 1000) / clockTicks();
}

/**
 * CPU ms used so far by this process's exited children (cutime + cstime of
 * /proc/self/stat): read before and after a generator run as a child
 * process, the difference is the generator's CPU. Undefined off Linux.
 */
export async function exitedChildrenCpuMs(): Promise<number | undefined> {
  const self = await readStat("self");
  return self === undefined ? undefined : (self.childTicks * 1000) / clockTicks();
}

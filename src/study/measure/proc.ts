// What Linux's /proc says about a process: its memory, its name and state,
// its children. The tools watch the servers they start through it (memory
// per connection, PostgreSQL's processes exiting); elsewhere than Linux each
// answer is "unknown".

import { readdir, readFile } from "node:fs/promises";

/** Resident memory of a process now and at its peak (VmRSS, VmHWM from /proc), bytes; undefined when unknown. */
export async function readMemory(pid: number): Promise<{ rss: number; hwm: number } | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
    return { rss: kb("VmRSS") * 1024, hwm: kb("VmHWM") * 1024 };
  } catch {
    return undefined;
  }
}

/** A PID's name and state ("Z": a zombie) from /proc; undefined once it is reaped. */
export async function processState(pid: number): Promise<{ comm: string; state: string } | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  const end = text.lastIndexOf(")");
  return end > 0 ? { comm: text.slice(text.indexOf("(") + 1, end), state: text.charAt(end + 2) } : undefined;
}

/** Exited, even if not yet reaped: here PID 1 reaps orphans only every few seconds. */
export const hasExited = async (pid: number): Promise<boolean> =>
  "ZX".includes((await processState(pid))?.state ?? "X");

/** The PIDs whose parent is `parent`, now. */
export async function childPids(parent: number): Promise<number[]> {
  const pids = (await readdir("/proc")).filter((name) => /^\d+$/.test(name)).map(Number);
  const stats = await Promise.all(pids.map((pid) => readFile(`/proc/${pid}/stat`, "utf8").catch(() => "")));
  const ppid = (text = ""): number => Number(text.slice(text.lastIndexOf(")") + 4).split(" ")[0]);
  return pids.filter((_, i) => ppid(stats[i]) === parent);
}

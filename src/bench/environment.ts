// The machine a benchmark ran on, recorded with every result.

import { execFileSync } from "node:child_process";
import { cpus, loadavg, platform, release } from "node:os";

export interface BenchEnvironment {
  readonly node: string;
  readonly platform: string;
  readonly cpuModel: string;
  readonly cpuCount: number;
  /** 1-minute load average at the start: a busy machine shows here. */
  readonly loadAverage: number;
  /** The commit of the working tree, or "unknown" outside a git checkout. */
  readonly commit: string;
}

export function describeEnvironment(): BenchEnvironment {
  const list = cpus();
  return {
    node: process.version,
    platform: `${platform()} ${release()}`,
    cpuModel: list[0]?.model ?? "unknown",
    cpuCount: list.length,
    loadAverage: loadavg()[0] ?? 0,
    commit: readCommit(),
  };
}

function readCommit(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8", stdio: "pipe" }).trim();
  } catch {
    return "unknown";
  }
}

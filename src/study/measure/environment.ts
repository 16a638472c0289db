// The machine and checkout a measurement ran on, recorded with every result
// (bench, load run, experiment).

import { execFileSync } from "node:child_process";
import os from "node:os";
import { PACKAGE_ROOT } from "./entry-point.js";

/** Where the numbers were taken. */
export interface Environment {
  readonly node: string;
  readonly platform: string;
  readonly osRelease: string;
  readonly arch: string;
  readonly cpuModel: string;
  /** Logical cores the OS reports. */
  readonly cpuCores: number;
  /** 1-minute load average when collected: a busy machine shows here (0 where the OS has none). */
  readonly loadAverage: number;
  readonly totalMemoryBytes: number;
  /** ISO 8601, when the environment was collected (the run's start). */
  readonly date: string;
  /** HEAD of the checkout the code ran from; null outside a git checkout. */
  readonly gitCommit: string | null;
  /** Whether the checkout had uncommitted changes; null when unknown. */
  readonly gitDirty: boolean | null;
}

/**
 * Describes this machine and the checkout at `cwd` (default: this package's).
 * Git is asked read-only (rev-parse, status); without git or outside a
 * checkout the commit fields are null.
 */
export function collectEnvironment(cwd: string = PACKAGE_ROOT): Environment {
  const cpus = os.cpus();
  const gitCommit = git(["rev-parse", "HEAD"], cwd);
  const status = gitCommit === null ? null : git(["status", "--porcelain", "--untracked-files=no"], cwd);
  return {
    node: process.version,
    platform: process.platform,
    osRelease: os.release(),
    arch: process.arch,
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    cpuCores: cpus.length,
    loadAverage: os.loadavg()[0] ?? 0,
    totalMemoryBytes: os.totalmem(),
    date: new Date().toISOString(),
    gitCommit,
    gitDirty: status === null ? null : status.length > 0,
  };
}

function git(args: readonly string[], cwd: string): string | null {
  try {
    return execFileSync("git", args, {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 5000,
    }).trim();
  } catch {
    return null;
  }
}

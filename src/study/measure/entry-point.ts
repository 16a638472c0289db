// How to start one of this package's modules as a child Node process: the
// compiled JavaScript in dist/ when it is there and up to date, the TypeScript
// source through tsx otherwise. Used for the fleet processes of the load generator and the benchmark, and for
// the server the experiment and `toystore bench` start.

import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PACKAGE_ROOT } from "../../package-root.js";

/** A module to run with `fork(file, args, { execArgv })` or `spawn(process.execPath, [...execArgv, file])`. */
export interface NodeEntry {
  readonly file: string;
  readonly execArgv: readonly string[];
  /** "compiled" (dist/*.js) or "source" (src/*.ts through tsx): recorded, since tsx costs ~0.4 s per start-up. */
  readonly runtime: "compiled" | "source";
}

const here = fileURLToPath(import.meta.url);

export { PACKAGE_ROOT };

const runningCompiled = here.endsWith(".js");

/**
 * Node flags that run TypeScript: tsx's loader, by absolute URL so the child
 * finds it whatever its working directory. A function, not a constant: tsx is
 * a development dependency, absent where only dist/ is installed.
 */
export function tsxExecArgv(): string[] {
  return ["--import", import.meta.resolve("tsx")];
}

/**
 * Resolves `modulePath` (relative to src/ and dist/, without extension, e.g.
 * "study/load/load-process" or "cli/main").
 *
 * Compiled code always starts compiled siblings. Source code (tests, tsx)
 * starts dist/ only if dist/ is at least as new as every .ts file under src/:
 * a stale build would silently measure old code, so it falls back to tsx,
 * whose start-up cost is paid before the start barrier and so is never measured.
 */
export function resolveEntry(modulePath: string): NodeEntry {
  const compiled = join(PACKAGE_ROOT, "dist", `${modulePath}.js`);
  if (runningCompiled) return { file: compiled, execArgv: [], runtime: "compiled" };
  if (existsSync(compiled) && statSync(compiled).mtimeMs >= newestSourceMtimeMs()) {
    return { file: compiled, execArgv: [], runtime: "compiled" };
  }
  return { file: join(PACKAGE_ROOT, "src", `${modulePath}.ts`), execArgv: tsxExecArgv(), runtime: "source" };
}

let newestSource: number | undefined;

/** The latest modification time among the compiled sources (src/**\/*.ts), computed once per process. */
function newestSourceMtimeMs(): number {
  if (newestSource !== undefined) return newestSource;
  let newest = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      // Unit tests beside the code are not compiled, so they do not make dist/ stale.
      else if (entry.name.endsWith(".ts") && !/(\.test|-test-helpers)\.ts$/.test(entry.name))
        newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  walk(join(PACKAGE_ROOT, "src"));
  newestSource = newest;
  return newest;
}

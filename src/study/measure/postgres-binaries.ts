// Where PostgreSQL (and Patroni, for clusters with standbys) is installed
// here, and who runs it: initdb and postgres refuse to run as root, so as
// root every PostgreSQL tool runs as the `postgres` OS user. Answers "why not" in one line when either is missing,
// so that the tests and tools can say it instead of failing later.

import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";

/** Whether this process runs as root, and so must run PostgreSQL's tools as another user. */
export const isRoot = (): boolean => process.getuid?.() === 0;

/** The `postgres` OS user's ids, from /etc/passwd; undefined when there is none. */
export function postgresUser(): { uid: number; gid: number } | undefined {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("postgres:"));
  const [, , uid, gid] = line?.split(":") ?? [];
  return uid && gid ? { uid: Number(uid), gid: Number(gid) } : undefined;
}

/** The newest installed bin directory holding initdb and pg_ctl, or why there is none. */
export function postgresBinaries(): { readonly bin: string } | { readonly missing: string } {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+(\.\d+)?$/.test(v)) : [];
  const candidates = versions.sort((a, b) => Number(b) - Number(a)).map((v) => join(root, v, "bin"));
  try {
    candidates.push(execFileSync("pg_config", ["--bindir"], { encoding: "utf8", stdio: "pipe" }).trim());
  } catch {
    // No pg_config on PATH: the Debian layout above is the only place left.
  }
  const bin = candidates.find((d) => existsSync(join(d, "initdb")) && existsSync(join(d, "pg_ctl")));
  if (bin === undefined)
    return {
      missing: "PostgreSQL's binaries (initdb, pg_ctl) are not installed: apt-get install postgresql",
    };
  if (isRoot() && postgresUser() === undefined)
    return { missing: "running as root, but there is no `postgres` OS user to run PostgreSQL as" };
  return { bin };
}

/** Why Patroni (with its Raft store) or PostgreSQL cannot run a cluster here, in one line; undefined when both can. */
export function patroniMissing(): string | undefined {
  const found = postgresBinaries();
  if ("missing" in found) return found.missing;
  // Debian's packages: Patroni, and the Raft library its built-in store needs.
  if (!existsSync("/usr/bin/patroni") || !existsSync("/usr/lib/python3/dist-packages/pysyncobj"))
    return "Patroni is not installed: apt-get install --no-install-recommends patroni python3-pysyncobj";
  return undefined;
}

/** A port free on 127.0.0.1 now (bound and closed); another process may take it before it is used. */
export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = net.createServer().once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? done(address.port) : fail(new Error("no port")),
      );
    });
  });
}

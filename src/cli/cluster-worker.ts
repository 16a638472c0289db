// The worker's side of `toystore serve --workers N` (the primary is
// serve-cluster.ts): a worker runs the ordinary serve code, with two changes
// made here. It leaves out the catalog when another worker has stored it
// already, and its ready lines go to the primary, over cluster IPC, instead
// of the output: only the primary prints them, once every worker listens.

import type { Logger } from "../observability/logger.js";
import { JOINS_ENV, type Listening, type ReadyMessage } from "./cluster-messages.js";

/** In a worker: the serve settings, without the catalog file when the first worker has stored it already. */
export function workerSettings<S extends { readonly catalog: string | null }>(serve: S): S {
  return process.env[JOINS_ENV] === "1" ? { ...serve, catalog: null } : serve;
}

/** serve's ready line, as src/cli/serve-transports.ts logs it: "socket listening on 127.0.0.1:7070", "original-socket listening on ...". */
const LISTENING_LINE = /^([\w-]+) listening on (\S+:(\d+))$/;

/**
 * In a worker: the serve command's logger, except that its ready lines
 * ("<transport> listening on HOST:PORT") are not printed (only the primary
 * prints those, once every worker listens). Once every transport in
 * `transports` has listened, the worker logs "worker ready" (fields pid, ports)
 * and sends the primary its addresses.
 */
export function workerLogger(log: Logger, transports: readonly string[]): Logger {
  const listening: Listening[] = [];
  const info = (...args: unknown[]): void => {
    const match = args.length === 1 && typeof args[0] === "string" ? LISTENING_LINE.exec(args[0]) : null;
    if (match === null) {
      Reflect.apply(log.info, log, args);
      return;
    }
    listening.push({ transport: match[1]!, address: match[2]!, port: Number(match[3]) });
    log.debug({ transport: match[1], address: match[2] }, "worker listening");
    if (!transports.every((name) => listening.some((l) => l.transport === name))) return;
    // From now on a second signal (the terminal's SIGINT, then the primary's SIGTERM) must not
    // kill the worker mid-drain: the first one starts the drain, the primary bounds how long it takes.
    process.on("SIGINT", ignore);
    process.on("SIGTERM", ignore);
    log.info({ ports: Object.fromEntries(listening.map((l) => [l.transport, l.port])) }, "worker ready");
    const message: ReadyMessage = { type: "toystore:ready", listening };
    process.send?.(message);
  };
  return new Proxy(log, {
    get(target, key) {
      if (key === "info") return info;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function ignore(): void {}

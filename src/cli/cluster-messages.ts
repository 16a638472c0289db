// What the primary and the workers of `toystore serve --workers N` tell each
// other (serve-cluster.ts is the primary, cluster-worker.ts a worker): the
// environment a worker is forked with, and the one IPC message it sends back.

/**
 * "1" in a worker that starts after the first one was ready: the store already
 * holds the catalog, so the worker serves it instead of refusing --catalog.
 */
export const JOINS_ENV = "TOYSTORE_WORKER_JOINS";

/** The one IPC message: a worker listens on every transport it serves. */
export interface ReadyMessage {
  readonly type: "toystore:ready";
  /** In the order the worker started listening: socket, grpc, http. */
  readonly listening: readonly Listening[];
}

/** Where one of a worker's transports listens. */
export interface Listening {
  readonly transport: string;
  /** HOST:PORT as the ready line writes it ("[::1]:7070" for IPv6). */
  readonly address: string;
  readonly port: number;
}

/** Whether an IPC message from a worker is its ready message. */
export function isReadyMessage(message: unknown): message is ReadyMessage {
  return (
    typeof message === "object" &&
    message !== null &&
    (message as { type?: unknown }).type === "toystore:ready" &&
    Array.isArray((message as { listening?: unknown }).listening)
  );
}

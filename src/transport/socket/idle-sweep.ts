// Idle connections, found by one timer for the whole server rather than one
// per socket. Node's socket.setTimeout re-arms its timer on every read and
// every write: measured here with callgrind at 50 connections x 1 request,
// about 9,000 instructions a request, over a third of what a query costs the
// server. Here a read or a write only sets the connection's `active` flag,
// and a sweep every quarter of the timeout closes a connection that showed
// none for a whole timeout (so it goes between 1 and 1.25 timeouts idle).

/** What the sweep needs of a connection. */
export interface Sweepable {
  /** Set by the connection on every read and write; cleared by the sweep. */
  active: boolean;
  /** When the sweep last found it active (performance.now()); -1 before the first sweep. */
  idleSince: number;
  /** It showed no traffic for the idle timeout. */
  onIdle(): void;
}

/** Starts sweeping `connections` every `idleTimeoutMs / 4`; returns the function that stops it. */
export function startIdleSweep(connections: Iterable<Sweepable>, idleTimeoutMs: number): () => void {
  const timer = setInterval(
    () => {
      const now = performance.now();
      for (const connection of connections) {
        if (connection.active || connection.idleSince < 0) {
          connection.active = false;
          connection.idleSince = now;
        } else if (now - connection.idleSince >= idleTimeoutMs) {
          // Called again after another whole timeout if it is still idle then.
          connection.idleSince = now;
          connection.onIdle();
        }
      }
    },
    Math.max(1, idleTimeoutMs / 4),
  );
  timer.unref();
  return () => clearInterval(timer);
}

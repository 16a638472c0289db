// What a socket server sets and reads of each of its connections: the limits
// it gives them, the counters they add to, and what one holds now.

import type { WatchdogLimits } from "./watchdog.js";

/** What the server allows each connection; the time limits are the Watchdog's. */
export interface ConnectionLimits extends WatchdogLimits {
  /** Longest request line in bytes, not counting its line end. */
  readonly maxLineBytes: number;
  /** Requests read but not yet answered before the connection stops reading. */
  readonly maxInFlight: number;
  /** Requests of the connection in the worker pool at once (running or queued); the rest wait in the connection. */
  readonly maxAdmitted: number;
}

/** The counter every socket protocol's server keeps over its connections (see StreamConnection). */
export interface StreamCounters {
  writeStalls: number;
}

/** Counters the line protocol's server keeps over all its connections (read by SocketServerHandle.stats). */
export interface ConnectionCounters extends StreamCounters {
  lineTooLong: number;
  lineTimeouts: number;
}

/** What one connection holds now, in requests and bytes. */
export interface ConnectionState {
  readonly inFlight: number;
  /** Replies written but not yet taken by the kernel (socket.writableLength). */
  readonly bufferedOutBytes: number;
  /** Input held: an unfinished line, plus bytes read but not yet decoded while the connection is full. */
  readonly bufferedInBytes: number;
}

// A process's load once connected, and the one way every engine (socket,
// HTTP, gRPC) makes it from its closed loops: run() starts every loop, then
// runs the warm-up and the measured window.

import type { ThroughputPlan } from "./options.js";
import type { ThroughputRecorder } from "./recorder.js";

/** A process's load once connected: started on the parent's signal, so all processes start together. */
export interface PreparedLoad {
  /** Runs warm-up and the measured window. */
  run(): Promise<void>;
  /** Closes its connections (after the run, or instead of it). */
  close(): void;
}

/** One closed loop of a load: a connection, or a call kept in flight. */
export interface LoadLoop {
  /** Sends its first requests; each reply then sends the next. */
  start(): void;
  /** Sends no more (and closes its connection, if it owns one). */
  stop(): void;
}

/**
 * The load of `loops`, once connected: run() starts them all and measures the
 * plan's window with `recorder`; close() stops them, then calls
 * `closeConnections` for what the loops share (channels, clients).
 */
export function loadOfLoops(
  plan: ThroughputPlan,
  recorder: ThroughputRecorder,
  loops: readonly LoadLoop[],
  closeConnections: () => void = () => {},
): PreparedLoad {
  return {
    async run() {
      for (const loop of loops) loop.start();
      await recorder.runWindow(plan.warmupMs, plan.durationMs);
    },
    close() {
      for (const loop of loops) loop.stop();
      closeConnections();
    },
  };
}

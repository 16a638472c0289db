// The hook every transport records its answered requests through: one clock
// and one call per request, whatever the operation (see transport-recorder.ts for what it costs).

import type { OpName } from "../service/operations/index.js";

/** A transport's hook for its answered requests. */
export interface RequestRecorder {
  /** Once per answered request: its operation, the result's kind or the error's code, and now() when it began. */
  done(op: OpName, outcome: string, startedAt: number): void;
  /**
   * The clock every transport times requests with, in ms: performance.now()
   * read at most once per callback of the event loop (a clock read costs
   * about 90 ns here, a request about 3 µs), so a duration is exact to within
   * the callback's own run.
   */
  now(): number;
}

// The messages between the load generator's parent process and its worker
// processes, over the fork IPC channel (JSON):
//
//   parent -> worker   plan      which clients to run, with which options
//   worker -> parent   ready     every client is connected
//   parent -> worker   start     the barrier opens: send now
//   worker -> parent   result    each client's encoded histogram and counts
//   parent -> worker   stop      end early (the run was aborted)
//   worker -> parent   failed    the worker could not connect or crashed

import type { LoadOptions } from "./load-options.js";
import type { Counts, StopReason } from "./results.js";

/** What one worker process runs. */
export interface WorkerPlan {
  /** 0-based number of this worker among the run's processes. */
  readonly process: number;
  /** 0-based numbers of the clients this worker runs, each on its own connection. */
  readonly clients: readonly number[];
  readonly options: LoadOptions;
  /** Module whose `connect` opens clients (file URL); null = the project's src/client/connect. */
  readonly connectModule: string | null;
}

/** One client's measurements, as plain data. */
export interface EncodedClientTally {
  readonly client: number;
  readonly process: number;
  readonly count: number;
  /** Exact sum of the recorded latencies, microseconds. */
  readonly sumMicros: number;
  /** HDR histogram of the latencies, microseconds (measure/latency-histogram encodeHistogram). */
  readonly histogram: string;
  readonly errors: Counts;
  readonly outcomes: Counts;
  readonly elapsedMs: number;
  readonly stopReason: StopReason;
}

export type ParentMessage =
  | { readonly type: "plan"; readonly plan: WorkerPlan }
  | { readonly type: "start" }
  | { readonly type: "stop" };

export type WorkerMessage =
  | { readonly type: "ready" }
  | { readonly type: "result"; readonly clients: readonly EncodedClientTally[] }
  | { readonly type: "failed"; readonly code: string; readonly message: string };

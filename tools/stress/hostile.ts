// The hostile sessions: what every case shares, and the runner. A case
// returns undefined when the server behaved as promised, or a sentence saying
// what it did instead (an anomaly: the run fails). Each session picks a case
// at random among those that fit the time left, runs it under a hard time
// cap, and picks again.

import type { Rng } from "../../src/study/measure/random.js";
import { withTimeout } from "../../src/study/measure/with-timeout.js";

/** The server limits the cases expect (the ones the run set, or the defaults). */
export interface ServerLimits {
  readonly maxLineBytes: number;
  readonly lineTimeoutMs: number;
  readonly writeStallTimeoutMs: number;
  readonly lingerMs: number;
  readonly grpcMaxMessageBytes: number;
  readonly grpcMaxConcurrentStreams: number;
}

export interface HostileContext {
  readonly socketPort: number;
  readonly grpcPort: number;
  readonly rng: Rng;
  readonly limits: ServerLimits;
  /** Hostile buys of the decoy toy: sent (the server may or may not have run them) and seen acknowledged. */
  readonly decoy: { sent: number; acked: number };
  /** Counts bytes sent, for the report. */
  sent(bytes: number): void;
}

export interface HostileCase {
  readonly name: string;
  /** The time it needs at least (it waits for a server timeout): it starts only if that fits the time left. Default 0. */
  readonly minMs?: (limits: ServerLimits) => number;
  /** The longest it may take against these limits; past it (and a margin) it is reported as hung. Default 15 s. */
  readonly maxMs?: (limits: ServerLimits) => number;
  run(ctx: HostileContext): Promise<string | undefined>;
}

export interface HostileTally {
  /** Per case: runs, runs where the server did something other than promised, the first few of those. */
  readonly cases: Record<string, { tried: number; anomalies: number; readonly samples: string[] }>;
  bytesSent: number;
  readonly decoy: { sent: number; acked: number };
}

/** The cases to pick from, `sessions` at once, none started after `deadline` (a performance.now() time). */
export type HostileRun = Pick<HostileContext, "socketPort" | "grpcPort" | "limits"> & {
  readonly cases: readonly HostileCase[];
  readonly sessions: number;
  readonly deadline: number;
};

// A case that overruns its own bound by this much is reported as hung.
const HANG_MARGIN_MS = 10_000;
// No case starts in the last second.
const MIN_LEFT_MS = 1000;

export async function runHostile(run: HostileRun, rng: Rng): Promise<HostileTally> {
  const tally: HostileTally = {
    cases: Object.fromEntries(run.cases.map((c) => [c.name, { tried: 0, anomalies: 0, samples: [] }])),
    bytesSent: 0,
    decoy: { sent: 0, acked: 0 },
  };
  const session = async (own: Rng) => {
    const ctx: HostileContext = {
      ...run,
      rng: own,
      decoy: tally.decoy,
      sent: (bytes) => {
        tally.bytesSent += bytes;
      },
    };
    for (;;) {
      const left = run.deadline - performance.now();
      // A case starts only if the time it needs fits; it may then overrun the
      // deadline by up to its cap, which bounds the whole run.
      const fitting = run.cases.filter((c) => (c.minMs?.(run.limits) ?? 0) + MIN_LEFT_MS <= left);
      if (fitting.length === 0) return;
      const chosen = own.pick(fitting);
      const caseTally = tally.cases[chosen.name]!;
      caseTally.tried++;
      const capMs = (chosen.maxMs?.(run.limits) ?? 15_000) + HANG_MARGIN_MS;
      let anomaly: string | undefined;
      try {
        anomaly = await withTimeout(chosen.run(ctx), capMs, `did not finish within ${capMs} ms`);
      } catch (error) {
        anomaly = `failed: ${error instanceof Error ? error.message : String(error)}`;
      }
      if (anomaly === undefined) continue;
      caseTally.anomalies++;
      if (caseTally.samples.length < 3) caseTally.samples.push(anomaly);
    }
  };
  await Promise.all(Array.from({ length: run.sessions }, () => session(rng.fork())));
  return tally;
}

// Runs hostile sessions: each worker picks a case at random (among those
// that fit the time left), runs it under a hard time cap, and picks again.

import type { Rng } from "../../src/measure/random.js";
import type { HostileCase, HostileContext, ServerLimits } from "./hostile.js";

export interface CaseTally {
  tried: number;
  /** Runs where the server did something other than promised. */
  anomalies: number;
  /** The first few anomalies, for the report. */
  readonly samples: string[];
}

export interface HostileTally {
  readonly cases: Map<string, CaseTally>;
  bytesSent: number;
  readonly decoy: { sent: number; acked: number };
}

export function newHostileTally(cases: readonly HostileCase[]): HostileTally {
  return {
    cases: new Map(cases.map((c) => [c.name, { tried: 0, anomalies: 0, samples: [] }])),
    bytesSent: 0,
    decoy: { sent: 0, acked: 0 },
  };
}

export interface HostileRun {
  readonly cases: readonly HostileCase[];
  readonly workers: number;
  readonly socketPort: number;
  readonly grpcPort: number;
  readonly limits: ServerLimits;
  /** performance.now() after which no case starts and none may still run. */
  readonly deadline: number;
  readonly tally: HostileTally;
}

// A case that overruns its own bound by this much is reported as hung.
const HANG_MARGIN_MS = 10_000;
// No case starts in the last second.
const MIN_LEFT_MS = 1000;

function withCap(promise: Promise<string | undefined>, capMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const cap = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`did not finish within ${capMs} ms`), capMs);
  });
  return Promise.race([promise, cap]).finally(() => clearTimeout(timer));
}

export async function runHostile(run: HostileRun, rng: Rng): Promise<void> {
  const { tally } = run;
  await Promise.all(
    Array.from({ length: run.workers }, async () => {
      const own = rng.fork();
      const ctx: HostileContext = {
        socketPort: run.socketPort,
        grpcPort: run.grpcPort,
        rng: own,
        limits: run.limits,
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
        const caseTally = tally.cases.get(chosen.name)!;
        caseTally.tried++;
        let anomaly: string | undefined;
        try {
          anomaly = await withCap(chosen.run(ctx), chosen.maxMs(run.limits) + HANG_MARGIN_MS);
        } catch (error) {
          anomaly = `threw: ${error instanceof Error ? error.message : String(error)}`;
        }
        if (anomaly !== undefined) {
          caseTally.anomalies++;
          if (caseTally.samples.length < 3) caseTally.samples.push(anomaly);
        }
      }
    }),
  );
}

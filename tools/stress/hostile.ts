// What every hostile case shares: its shape, what it may use, and what it
// reports. A case returns undefined when the server behaved as promised, or a
// sentence saying what it did instead (an anomaly: the run fails).

import type { Rng } from "../../src/measure/random.js";

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
  readonly transport: "socket" | "grpc";
  /** The time it needs at least (it waits for a server timeout); the runner starts it only if that fits the time left. Default 0. */
  minMs?(limits: ServerLimits): number;
  /** The longest it may take against these limits; past it (and a margin) the runner reports it as hung. */
  maxMs(limits: ServerLimits): number;
  run(ctx: HostileContext): Promise<string | undefined>;
}

/** A reply line of the socket protocol v1 (any of its forms). */
export function isReplyLine(line: string): boolean {
  return (
    line === "-1" ||
    line === "0" ||
    line === "1" ||
    /^\d+\.\d\d \d+$/.test(line) ||
    (line.startsWith("ERR ") && line.length > 4)
  );
}

/** Describes the first line of `got` that differs from `expected` (undefined if none). */
export function firstDifference(got: readonly string[], expected: readonly string[]): string | undefined {
  for (let i = 0; i < expected.length; i++) {
    if (got[i] !== expected[i]) {
      return `reply ${i + 1} of ${expected.length}: expected ${JSON.stringify(expected[i])}, got ${JSON.stringify(got[i]?.slice(0, 120))}`;
    }
  }
  if (got.length > expected.length) return `${got.length - expected.length} replies more than requests`;
  return undefined;
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

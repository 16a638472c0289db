// Load for the shutdown tests: buy loops that count what was acknowledged and
// how each loop ended, and a `toystore serve` child process (the toolkit's
// launcher: free ports, stopped by its PID).

import type { StoreClient } from "../../src/client/store-client.js";
import { isStoreError } from "../../src/errors.js";
import type { ServerProcess } from "../../src/study/measure/server.js";
import { type ServeFlagValues, startToystore } from "../../src/study/measure/toystore-launch.js";

/** What a group of buy loops saw. */
export interface BuyTally {
  /** Buys acknowledged as bought, per toy. */
  readonly acked: Map<string, number>;
  /** Buys answered sold out or not found (acknowledged, nothing sold). */
  unsold: number;
  /** How each loop ended: a StoreError code, or "done" (stopped or its count reached). */
  readonly endings: Map<string, number>;
}

export function newTally(): BuyTally {
  return { acked: new Map(), unsold: 0, endings: new Map() };
}

export function totalAcked(tally: BuyTally): number {
  let sum = 0;
  for (const n of tally.acked.values()) sum += n;
  return sum;
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/**
 * Runs `loops` concurrent buy loops on one client (so several requests are in
 * flight on its connection), cycling through `toys`. A loop ends at its first
 * error (a shutting-down server ends them all), when `stop()` returns true, or
 * after `maxPerLoop` buys. Resolves when every loop has ended.
 */
export async function runBuyLoops(
  client: StoreClient,
  toys: readonly string[],
  loops: number,
  tally: BuyTally,
  stop: () => boolean,
  maxPerLoop = 100_000,
): Promise<void> {
  await Promise.all(
    Array.from({ length: loops }, async (_, loop) => {
      for (let i = 0; i < maxPerLoop && !stop(); i++) {
        const toy = toys[(loop + i) % toys.length]!;
        try {
          const result = await client.buy(toy);
          if (result.kind === "bought") bump(tally.acked, toy);
          else tally.unsold++;
        } catch (error) {
          bump(tally.endings, isStoreError(error) ? error.code : `thrown: ${String(error)}`);
          return;
        }
      }
      bump(tally.endings, "done");
    }),
  );
}

/**
 * Starts `toystore serve` from the source on free ports with a catalog of
 * `toys` (name -> stock, price 1.00), and resolves once both transports listen.
 */
export function startServeChild(
  toys: Record<string, number>,
  flags: ServeFlagValues = {},
): Promise<ServerProcess> {
  return startToystore({
    flags,
    catalog: Object.entries(toys).map(([name, stock]) => ({ name, price: "1.00", stock })),
  });
}

// Chooses what each request of a client asks for: the op (query, buy, or a
// seeded draw for "mix") and the toy (uniform over the list), repeatably.

import { Rng } from "../measure/random.js";
import type { LoadOp, LoadToyChoice, Op } from "./load-options.js";

/** One request to send. Reused between calls: read it before asking for the next. */
export interface PickedRequest {
  op: Op;
  name: string;
}

/** Hands out requests; `next()` allocates nothing, so it stays off the measured path's garbage. */
export interface RequestPicker {
  next(): PickedRequest;
}

export interface RequestPickerOptions {
  readonly op: LoadOp;
  readonly buyRatio: number;
  readonly toys: readonly string[];
  /** "uniform": each request draws its toy; "per-client": client i always asks for toy i (mod the list). */
  readonly toyChoice: LoadToyChoice;
  /** Any integer; equal seeds give equal sequences. */
  readonly seed: number;
}

/** A picker drawing from a seeded generator (measure/random.ts), so a run can be replayed. */
export function createRequestPicker(options: RequestPickerOptions, client: number): RequestPicker {
  const rng = new Rng(options.seed + client);
  const { buyRatio } = options;
  const toys =
    options.toyChoice === "per-client" ? [options.toys[client % options.toys.length]!] : options.toys;
  const fixedOp: Op | undefined = options.op === "mix" ? undefined : options.op;
  const picked: PickedRequest = { op: fixedOp ?? "query", name: toys[0] ?? "" };
  return {
    next() {
      picked.op = fixedOp ?? (rng.next() < buyRatio ? "buy" : "query");
      picked.name = toys.length === 1 ? picked.name : toys[Math.floor(rng.next() * toys.length)]!;
      return picked;
    },
  };
}

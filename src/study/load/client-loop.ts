// One client's run: the closed loop (send, wait for the reply, send again) or
// the open loop (send on a fixed schedule, whatever the replies), measuring
// every request with the monotonic clock into an HDR histogram.

import { setTimeout as sleep } from "node:timers/promises";
import type { BuyResult, QueryResult } from "../../catalog/toy.js";
import type { BuyOptions, CallOptions, StoreClient } from "../../client/store-client.js";
import { errorCode } from "../../errors.js";
import {
  createLatencyHistogram,
  type LatencyHistogram,
  recordLatencyMicros,
} from "../measure/latency-histogram.js";
import type { Counts, StopReason } from "../measure/results.js";
import type { LoadOptions } from "./load-options.js";
import { createRequestPicker, type PickedRequest, type RequestPicker } from "./request-picker.js";

/** What one client measured. Live objects: the load process encodes them for the parent. */
export interface ClientTally {
  readonly histogram: LatencyHistogram;
  /** Latencies recorded, and their exact sum in microseconds (for an exact mean). */
  count: number;
  sumMicros: number;
  readonly errors: Counts;
  readonly outcomes: Counts;
  /** Length of the measured phase, ms. */
  elapsedMs: number;
  stopReason: StopReason;
  /** How often the client moved to another server (a client with --servers). */
  failovers: number;
}

/** The options a client loop reads. */
export type ClientLoopOptions = Pick<
  LoadOptions,
  | "clients"
  | "requests"
  | "durationMs"
  | "warmupMs"
  | "op"
  | "buyRatio"
  | "quantity"
  | "toys"
  | "toyChoice"
  | "ratePerSecond"
  | "maxInFlight"
  | "timeoutMs"
  | "seed"
>;

/** A fresh, empty tally. */
export function createClientTally(): ClientTally {
  return {
    histogram: createLatencyHistogram(),
    count: 0,
    sumMicros: 0,
    errors: {},
    outcomes: {},
    elapsedMs: 0,
    stopReason: "completed",
    failovers: 0,
  };
}

/**
 * Runs client number `index` (0-based) to the end of its run and returns what
 * it measured. Never rejects: failed requests are counted by error code and
 * left out of the latencies; a lost connection ("unavailable") ends the
 * client early with stop reason "connection_lost", unless it reconnects by
 * itself (a FailoverClient). `signal` ends it early too.
 */
export async function runClient(
  client: StoreClient,
  index: number,
  options: ClientLoopOptions,
  signal?: AbortSignal,
): Promise<ClientTally> {
  const tally = createClientTally();
  const picker = createRequestPicker(options, index);
  const callOptions: CallOptions | undefined =
    options.timeoutMs === null ? undefined : { timeoutMs: options.timeoutMs };
  // A plain buy unless told otherwise: it asks as the original design's clients do.
  const buyOptions: BuyOptions | undefined =
    options.quantity === 1 ? callOptions : { ...callOptions, quantity: options.quantity };
  const run = { client, picker, callOptions, buyOptions, tally, signal, lost: false };
  if (options.ratePerSecond === null) await runClosedLoop(run, options);
  else await runOpenLoop(run, options, options.ratePerSecond, index);
  tally.failovers = client.failovers ?? 0;
  if (run.lost) tally.stopReason = "connection_lost";
  else if (signal?.aborted) tally.stopReason = "aborted";
  return tally;
}

interface Run {
  readonly client: StoreClient;
  readonly picker: RequestPicker;
  readonly callOptions: CallOptions | undefined;
  readonly buyOptions: BuyOptions | undefined;
  readonly tally: ClientTally;
  readonly signal: AbortSignal | undefined;
  /** Set once the connection is gone: every further request would fail at once. */
  lost: boolean;
}

/**
 * Closed loop, as the original design's clients: one request at a time. The clock is read
 * right before the call and right after its promise settles; nothing else
 * (no logging, no allocation but the call's own) sits between the two reads.
 */
async function runClosedLoop(run: Run, options: ClientLoopOptions): Promise<void> {
  if (options.warmupMs > 0) {
    const warmupEnd = performance.now() + options.warmupMs;
    while (performance.now() < warmupEnd && !stopped(run)) {
      await send(run, run.picker.next(), performance.now(), false);
    }
  }
  const start = performance.now();
  const end = options.durationMs === null ? Number.POSITIVE_INFINITY : start + options.durationMs;
  let sent = 0;
  for (;;) {
    if (stopped(run)) break;
    if (options.durationMs === null ? sent >= options.requests : performance.now() >= end) {
      run.tally.stopReason = options.durationMs === null ? "completed" : "duration";
      break;
    }
    sent++;
    const request = run.picker.next();
    await send(run, request, performance.now(), true);
  }
  run.tally.elapsedMs = performance.now() - start;
}

/**
 * Open loop at `ratePerSecond` over all clients: this client sends every
 * clients/rate seconds, its schedule offset by index/rate so the clients
 * interleave. Each latency is measured from the request's intended send time,
 * not from when it actually left: if the timer fires late, the event loop
 * stalls or `maxInFlight` makes the schedule wait, that delay is charged to
 * the requests that suffered it. This is the coordinated-omission correction
 * of wrk2: a stalled server cannot hide its stall by slowing the sender down.
 */
async function runOpenLoop(
  run: Run,
  options: ClientLoopOptions,
  ratePerSecond: number,
  index: number,
): Promise<void> {
  const intervalMs = (1000 * options.clients) / ratePerSecond;
  const offsetMs = (1000 * index) / ratePerSecond;
  const origin = performance.now();
  const measureFrom = origin + options.warmupMs;
  const end = options.durationMs === null ? Number.POSITIVE_INFINITY : measureFrom + options.durationMs;
  let inFlight = 0;
  let lastDone = measureFrom;
  let wake: (() => void) | null = null;
  let measuredSent = 0;
  for (let k = 0; ; k++) {
    const intended = origin + offsetMs + k * intervalMs;
    const measured = intended >= measureFrom;
    if (measured && (options.durationMs === null ? measuredSent >= options.requests : intended >= end)) {
      run.tally.stopReason = options.durationMs === null ? "completed" : "duration";
      break;
    }
    if (stopped(run)) break;
    // Timers fire late, never early (Node rounds up to whole milliseconds):
    // at high rates each wake-up sends every request already due, in a burst,
    // each charged with its own lateness.
    const delay = intended - performance.now();
    if (delay > 0) await sleep(delay);
    while (inFlight >= options.maxInFlight) await new Promise<void>((resolve) => (wake = resolve));
    if (measured) measuredSent++;
    inFlight++;
    void send(run, run.picker.next(), intended, measured).then(() => {
      inFlight--;
      if (measured) lastDone = performance.now();
      const waiter = wake;
      wake = null;
      waiter?.();
    });
  }
  while (inFlight > 0) await new Promise<void>((resolve) => (wake = resolve));
  run.tally.elapsedMs = Math.max(0, lastDone - measureFrom);
}

/**
 * Sends one request and, when `measured`, records its latency from `sentAt`
 * and its outcome or error code. Never rejects.
 */
async function send(run: Run, request: PickedRequest, sentAt: number, measured: boolean): Promise<void> {
  const { client, tally } = run;
  try {
    // The picker reuses its object: read op and name before any await.
    const pending: Promise<QueryResult | BuyResult> =
      request.op === "query"
        ? client.query(request.name, run.callOptions)
        : client.buy(request.name, run.buyOptions);
    const result = await pending;
    const micros = (performance.now() - sentAt) * 1000;
    if (!measured) return;
    recordLatencyMicros(tally.histogram, micros);
    tally.count++;
    tally.sumMicros += micros;
    tally.outcomes[result.kind] = (tally.outcomes[result.kind] ?? 0) + 1;
  } catch (error) {
    const code = errorCode(error);
    // A client that reconnects by itself (--servers) goes on; any other is done.
    if (code === "unavailable" && client.reconnects !== true) run.lost = true;
    if (measured) tally.errors[code] = (tally.errors[code] ?? 0) + 1;
  }
}

function stopped(run: Run): boolean {
  return run.lost || run.signal?.aborted === true;
}

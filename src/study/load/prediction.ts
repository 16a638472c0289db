// The queueing-theory prediction for the harness's own schedule: the exact
// expected mean latency of a cell, and the parallelism c that a cell's server
// offers to its requests.
//
// The model. N clients start together behind a barrier; each sends R requests
// one after the other (no think time: a closed system). The server runs at most
// c requests at once, queues the rest FIFO, and every request holds its slot
// for exactly S (the simulated work, done inside the lock). Network and codec
// costs are taken as zero: they are what the measurement adds on top.
//
// Steady state. Little's law for the closed system: N requests are always in
// the system, and with N >= c the server completes c requests every S, so
// throughput X = c / S and the mean response time is T = N / X = S * N / c.
// With N <= c nobody waits: T = S. Hence T = S * max(1, N / c).
//
// The transient. The barrier makes the first round different: all N requests
// arrive at t = 0, so client i (in arrival order) waits ceil(i / c) * S instead
// of S * N / c. From the second round on, when N is a multiple of c, requests
// leave and re-enter the queue in whole batches of c, so every later request
// takes exactly S * N / c. Averaged over R requests:
//
//     T = S * ( mean over i = 1..N of ceil(i / c)  +  (R - 1) * N / c ) / R
//
// which tends to the steady state as R grows. When N is not a multiple of c the
// batches interleave and no short closed form holds, so `predictMeanLatencyMs`
// replays the schedule exactly instead (a few hundred events at most).

import type { Transport } from "../../client/store-client.js";
import type { LockKind } from "../../concurrency/section-lock.js";
import type { Op } from "./load-options.js";

/** One schedule to predict: N clients x R requests against c servers of service time S. */
export interface ScheduleParameters {
  /** N: clients started together behind the barrier; a positive integer. */
  readonly clients: number;
  /** R: sequential requests per client; a positive integer. */
  readonly requests: number;
  /** c: requests the server runs at once; a positive integer. */
  readonly parallelism: number;
  /** S: service time of one request, in milliseconds; non-negative. */
  readonly serviceMs: number;
}

/** Steady-state mean response time of the closed system, S * max(1, N / c) (Little's law). */
export function steadyStateMeanMs(
  p: Pick<ScheduleParameters, "clients" | "parallelism" | "serviceMs">,
): number {
  return p.serviceMs * Math.max(1, p.clients / p.parallelism);
}

/**
 * The closed form of the exact mean, valid when N <= c (it returns S) or when
 * N is a multiple of c. Returns undefined for any other N.
 */
export function closedFormMeanMs(p: ScheduleParameters): number | undefined {
  validate(p);
  const { clients: n, requests: r, parallelism: c, serviceMs: s } = p;
  if (n <= c) return s;
  if (n % c !== 0) return undefined;
  let firstRound = 0;
  for (let i = 1; i <= n; i++) firstRound += Math.ceil(i / c);
  return (s * (firstRound / n + ((r - 1) * n) / c)) / r;
}

/**
 * Replays the schedule request by request and returns the exact mean latency
 * in milliseconds. A FIFO multi-server queue serves requests in arrival order,
 * each on the server that frees up first (the Kiefer-Wolfowitz recursion), and
 * a client's next request arrives the instant its previous one completes.
 * Time is counted in units of S, so every instant is an integer and the
 * replay is exact. Requests that arrive at the same instant queue in the order
 * their predecessors were dispatched, as the replies leave a real server:
 * breaking ties by client number instead would let low-numbered clients
 * overtake the others every round, finish early, and leave the rest a
 * lighter tail, which biases the mean downwards.
 */
export function simulateMeanLatencyMs(p: ScheduleParameters): number {
  validate(p);
  const { clients: n, requests: r, parallelism: c, serviceMs: s } = p;
  const arrival = new Array<number>(n).fill(0);
  // Barrier order: client i is the i-th in the queue at t = 0.
  const order = Array.from({ length: n }, (_, i) => i);
  const remaining = new Array<number>(n).fill(r);
  const serverFree = new Array<number>(c).fill(0);
  let totalUnits = 0;
  for (let served = 0; served < n * r; served++) {
    const client = nextInQueue(arrival, order, remaining);
    const server = indexOfMin(serverFree);
    const start = Math.max(arrival[client]!, serverFree[server]!);
    const finish = start + 1;
    serverFree[server] = finish;
    totalUnits += finish - arrival[client]!;
    arrival[client] = finish;
    order[client] = n + served;
    remaining[client]!--;
  }
  return (s * totalUnits) / (n * r);
}

/** The exact expected mean latency, in ms, of the harness's schedule: the closed form where it applies, else the replay. */
export function predictMeanLatencyMs(p: ScheduleParameters): number {
  return closedFormMeanMs(p) ?? simulateMeanLatencyMs(p);
}

/** What decides how many requests of a cell's server run side by side. */
export interface ParallelismParameters {
  readonly transport: Transport;
  readonly lock: LockKind;
  readonly op: Op;
  /** Whether every client asks for the same toy or each for its own (matters to per-toy locks only). */
  readonly toyChoice: ToyChoice;
  /** Workers in the socket server's pool (the original design's 5). */
  readonly socketPoolSize: number;
  /** Handlers the gRPC server runs at once (the original design's 10). */
  readonly grpcMaxConcurrency: number;
  /** Requests the HTTP server runs at once (`--http-max-concurrency`, 10 by default as for gRPC). */
  readonly httpMaxConcurrency: number;
}

/** The transport's admission limit: the socket server's pool, the gRPC or HTTP server's concurrency. */
export function admittedFor(p: Omit<ParallelismParameters, "lock" | "op" | "toyChoice">): number {
  switch (p.transport) {
    case "socket":
      return p.socketPoolSize;
    case "grpc":
      return p.grpcMaxConcurrency;
    case "http":
      return p.httpMaxConcurrency;
    // The original design's socket protocol has a pool of its own, sized by the same --pool-size.
    case "original-socket":
      return p.socketPoolSize;
  }
}

/**
 * c for a cell. The simulated work runs inside the lock, so whatever the lock
 * serializes is served one at a time: under the mutex every request, under the
 * read-write lock every buy (a writer excludes everyone), under per-toy locks
 * every buy of one toy. Whatever the lock lets run side by side (queries under
 * a read-write lock; buys of different toys under per-toy locks; everything
 * when nothing is locked) is bounded by the transport's admission limit
 * instead: the socket server's worker pool, or the gRPC or HTTP server's
 * concurrency limit.
 * (A request waiting for a lock holds its pool worker, so the lock's order and
 * the pool's are one FIFO, and c stays a single number per cell.)
 */
export function parallelismFor(p: ParallelismParameters): number {
  return lockSerializes(p) ? 1 : admittedFor(p);
}

/** Whether the lock runs a cell's requests one at a time, whatever the transport admits. */
export function lockSerializes(p: Pick<ParallelismParameters, "lock" | "op" | "toyChoice">): boolean {
  switch (p.lock) {
    case "mutex":
      return true;
    case "rwlock":
      return p.op === "buy";
    case "per-toy":
      return p.op === "buy" && p.toyChoice === "same";
    case "atomic":
      return false;
  }
}

/** What queueing theory expects of a cell (what forecastCell answers). */
export interface CellPrediction {
  /** c: requests the server runs side by side for this cell. */
  readonly parallelism: number;
  /** The exact expected mean for the harness's schedule, ms. */
  readonly meanMs: number;
  /** The steady-state mean S * max(1, N / c), ms: what a long run tends to. */
  readonly steadyStateMs: number;
}

/**
 * A cell whose clients are spread over `servers` servers of one shared store,
 * client i on server i mod `servers` (what `load --servers` does). What the
 * lock serializes is one queue across all of them, since the lock is the
 * store's (rows in PostgreSQL): c = 1 over every client. What it lets run
 * side by side queues at each server, at that server's admission limit, so
 * each server is its own schedule, and the mean is over every client's
 * requests (c is then reported as the total, servers x admitted). One server
 * is the plain schedule.
 */
export function forecastCell(
  p: ParallelismParameters & Omit<ScheduleParameters, "parallelism"> & { readonly servers?: number },
): CellPrediction {
  const servers = p.servers ?? 1;
  if (!Number.isInteger(servers) || servers < 1)
    throw new RangeError(`servers must be a positive integer, got ${servers}`);
  const { clients, requests, serviceMs } = p;
  if (servers === 1 || lockSerializes(p)) {
    const schedule = { clients, requests, serviceMs, parallelism: parallelismFor(p) };
    return {
      parallelism: schedule.parallelism,
      meanMs: predictMeanLatencyMs(schedule),
      steadyStateMs: steadyStateMeanMs(schedule),
    };
  }
  const admitted = admittedFor(p);
  let meanSum = 0;
  let steadySum = 0;
  for (let server = 0; server < servers; server++) {
    const n = Math.floor(clients / servers) + (server < clients % servers ? 1 : 0);
    if (n === 0) continue;
    const schedule = { clients: n, requests, serviceMs, parallelism: admitted };
    meanSum += n * predictMeanLatencyMs(schedule);
    steadySum += n * steadyStateMeanMs(schedule);
  }
  return { parallelism: servers * admitted, meanMs: meanSum / clients, steadyStateMs: steadySum / clients };
}

/**
 * How the clients of a cell pick their toys: "same" (every client the same
 * toy), "distinct" (client i its own toy), "uniform" (each request a toy drawn
 * at random from the list: the Toy Store study's own choice, where the lock is
 * the catalog's and the toy does not matter).
 */
export type ToyChoice = "same" | "distinct" | "uniform";

function validate(p: ScheduleParameters): void {
  for (const key of ["clients", "requests", "parallelism"] as const) {
    if (!Number.isInteger(p[key]) || p[key] < 1) {
      throw new RangeError(`${key} must be a positive integer, got ${p[key]}`);
    }
  }
  if (!Number.isFinite(p.serviceMs) || p.serviceMs < 0) {
    throw new RangeError(`serviceMs must be a non-negative number, got ${p.serviceMs}`);
  }
}

/** The client with requests left whose next request arrives first; on ties, the one dispatched first. */
function nextInQueue(
  arrival: readonly number[],
  order: readonly number[],
  remaining: readonly number[],
): number {
  let best = -1;
  for (let i = 0; i < arrival.length; i++) {
    if (remaining[i]! <= 0) continue;
    if (
      best < 0 ||
      arrival[i]! < arrival[best]! ||
      (arrival[i] === arrival[best] && order[i]! < order[best]!)
    ) {
      best = i;
    }
  }
  return best;
}

function indexOfMin(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! < values[best]!) best = i;
  return best;
}

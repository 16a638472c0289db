// Socket load: C connections, each a closed loop keeping P requests in flight.
//
// Written on node:net directly, not on the StoreClient, because the generator
// must cost much less than the server it measures: requests are pre-encoded
// bytes written P at a time, replies are counted by scanning for "\n" bytes
// without building strings, and per-connection state lives in typed arrays.

import net from "node:net";
import { formatHostPort } from "../../net/host-port.js";
import type { BenchOp, ThroughputPlan } from "./options.js";
import { type LoadLoop, loadOfLoops, type PreparedLoad } from "./prepared-load.js";
import type { ThroughputRecorder } from "./recorder.js";

const NEWLINE = 0x0a;
/** Reply lines starting with this byte are protocol errors ("ERR ..."). */
const ERROR_FIRST_BYTE = 0x45;

/** The request lines one connection cycles through. */
export function requestLines(op: BenchOp, name: string): string[] {
  if (op === "query") return [`Query: ${name}\n`];
  if (op === "buy") return [`Buy: ${name}\n`];
  return [`Query: ${name}\n`, `Buy: ${name}\n`];
}

/**
 * The request cycle laid out once in one buffer, long enough that any run of
 * up to `pipeline` requests starting anywhere in the cycle is one subarray:
 * sending k requests is a slice, never a copy. (The HTTP engine's too.)
 */
export class RequestTape {
  readonly #bytes: Buffer;
  readonly #offsets: number[];
  readonly #cycle: number;

  constructor(lines: string[], pipeline: number) {
    this.#cycle = lines.length;
    const count = pipeline + lines.length;
    this.#offsets = [0];
    const parts: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      const part = Buffer.from(lines[i % lines.length]!);
      parts.push(part);
      this.#offsets.push(this.#offsets[i]! + part.length);
    }
    this.#bytes = Buffer.concat(parts);
  }

  /** The bytes of `count` requests starting at cycle position `at`. */
  slice(at: number, count: number): Buffer {
    return this.#bytes.subarray(this.#offsets[at]!, this.#offsets[at + count]!);
  }

  next(at: number, count: number): number {
    return (at + count) % this.#cycle;
  }
}

/** Opens the plan's connections; rejects if any cannot connect. */
export function prepareSocketLoad(plan: ThroughputPlan, recorder: ThroughputRecorder): Promise<PreparedLoad> {
  const tape = new RequestTape(requestLines(plan.op, plan.name), plan.depth);
  return prepareLoops(plan, recorder, (socket) => new ConnectionLoop(socket, tape, plan.depth, recorder));
}

/** Time to open one connection before the run gives up. */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Opens the plan's connections, each a closed loop made by `loop`, and the
 * run that starts them all and measures the window. If any connection cannot
 * be opened, the others are closed and it rejects.
 */
export async function prepareLoops(
  plan: ThroughputPlan,
  recorder: ThroughputRecorder,
  loop: (socket: net.Socket) => ClosedLoop,
): Promise<PreparedLoad> {
  const opened = await Promise.allSettled(
    Array.from({ length: plan.loops }, () => connect(plan.host, plan.port)),
  );
  const sockets = opened.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const failed = opened.find((result) => result.status === "rejected");
  if (failed !== undefined) {
    for (const socket of sockets) socket.destroy();
    throw failed.reason;
  }
  return loadOfLoops(plan, recorder, sockets.map(loop));
}

function connect(host: string, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connect to ${formatHostPort(host, port)} timed out after ${CONNECT_TIMEOUT_MS} ms`));
    }, CONNECT_TIMEOUT_MS);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.off("error", onError);
      resolve(socket);
    });
    const onError = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    socket.once("error", onError);
  });
}

/**
 * What every closed-loop connection of the engine shares: the request tape it
 * sends, the send times of what is in flight (a ring, oldest at `head`), and
 * what a lost connection costs. A subclass reads the replies (`onData`) and
 * sends one more request per reply.
 */
export abstract class ClosedLoop implements LoadLoop {
  protected readonly socket: net.Socket;
  protected readonly tape: RequestTape;
  protected readonly recorder: ThroughputRecorder;
  /** Send times (performance.now(), ms) of the requests in flight, oldest at `head`. */
  protected readonly sentAt: Float64Array;
  protected head = 0;
  protected inFlight = 0;
  /** Position in the request cycle of the next request to send. */
  protected cycleAt = 0;
  protected stopped = false;

  constructor(socket: net.Socket, tape: RequestTape, pipeline: number, recorder: ThroughputRecorder) {
    this.socket = socket;
    this.tape = tape;
    this.recorder = recorder;
    this.sentAt = new Float64Array(pipeline);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", () => this.lost());
    socket.on("close", () => this.lost());
  }

  protected abstract onData(chunk: Buffer): void;

  start(): void {
    this.send(this.sentAt.length);
  }

  stop(): void {
    this.stopped = true;
    this.socket.destroy();
  }

  protected send(count: number): void {
    const now = performance.now();
    const size = this.sentAt.length;
    for (let i = 0, at = (this.head + this.inFlight) % size; i < count; i++, at = (at + 1) % size) {
      this.sentAt[at] = now;
    }
    this.inFlight += count;
    this.socket.write(this.tape.slice(this.cycleAt, count));
    this.cycleAt = this.tape.next(this.cycleAt, count);
  }

  /** A connection the server dropped: its requests in flight are lost. */
  protected lost(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.recorder.measuring) this.recorder.errors += this.inFlight;
    this.recorder.lostConnections++;
  }
}

/** One socket connection's closed loop: every reply line sends one more request. */
class ConnectionLoop extends ClosedLoop {
  /** First byte of the reply line being read, or -1 before it has arrived. */
  #lineFirstByte = -1;

  protected onData(chunk: Buffer): void {
    const now = performance.now();
    const recorder = this.recorder;
    const measuring = recorder.measuring;
    const size = this.sentAt.length;
    let replies = 0;
    // Replies sent in one write share a send time: record each run of equal times once.
    let runSentAt = -1;
    let runCount = 0;
    let pos = 0;
    for (;;) {
      if (this.#lineFirstByte === -1 && pos < chunk.length) this.#lineFirstByte = chunk[pos]!;
      const newline = chunk.indexOf(NEWLINE, pos);
      if (newline === -1) break;
      if (this.#lineFirstByte === ERROR_FIRST_BYTE && measuring) recorder.errors++;
      this.#lineFirstByte = -1;
      pos = newline + 1;
      // A line nobody asked for (a misbehaving server) must not desynchronize the send times.
      if (replies === this.inFlight) {
        if (measuring) recorder.errors++;
        continue;
      }
      replies++;
      const sentAt = this.sentAt[this.head]!;
      this.head = (this.head + 1) % size;
      if (sentAt === runSentAt) {
        runCount++;
      } else {
        if (runCount > 0 && measuring) recorder.record(now - runSentAt, runCount);
        runSentAt = sentAt;
        runCount = 1;
      }
    }
    if (runCount > 0 && measuring) recorder.record(now - runSentAt, runCount);
    if (replies === 0) return;
    this.inFlight -= replies;
    if (!this.stopped) this.send(replies);
  }
}

// gRPC load: N calls kept in flight (closed loops), spread over a few client
// channels, each its own HTTP/2 connection.
//
// Requests are serialized once with the project's proto and sent as bytes;
// responses are not decoded (a status error is what counts as a failure).
// That keeps protobuf work off the generator so it measures the server.

import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { formatHostPort } from "../../net/host-port.js";
import {
  PROTO_LOADER_OPTIONS,
  PROTO_PATH,
  TOYSTORE_SERVICE_NAME as SERVICE_NAME,
} from "../../transport/grpc/contract.js";
import type { ThroughputPlan } from "./options.js";
import { type LoadLoop, loadOfLoops, type PreparedLoad } from "./prepared-load.js";
import type { ThroughputRecorder } from "./recorder.js";

/** How long a channel may take to connect before the run fails. */
const CONNECT_TIMEOUT_MS = 5_000;

const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  // A local subchannel pool per client: otherwise clients with the same target
  // and options share one HTTP/2 connection.
  "grpc.use_local_subchannel_pool": 1,
  // Retries wrap every call in a buffering layer, channelz tracks every call:
  // both cost generator CPU per call and neither is wanted in a benchmark.
  "grpc.enable_retries": 0,
  "grpc.enable_channelz": 0,
};

interface EncodedCall {
  readonly path: string;
  readonly request: Buffer;
}

const passBytes = (bytes: Buffer): Buffer => bytes;

/** The calls one loop cycles through, pre-encoded. */
function encodeCalls(plan: ThroughputPlan): EncodedCall[] {
  const definition = protoLoader.loadSync(PROTO_PATH, PROTO_LOADER_OPTIONS);
  const service = definition[SERVICE_NAME] as grpc.ServiceDefinition;
  const encode = (method: "Query" | "Buy"): EncodedCall => {
    const call = service[method];
    if (call === undefined) throw new Error(`${SERVICE_NAME} has no method ${method}`);
    return { path: call.path, request: call.requestSerialize({ name: plan.name }) };
  };
  if (plan.op === "query") return [encode("Query")];
  if (plan.op === "buy") return [encode("Buy")];
  return [encode("Query"), encode("Buy")];
}

/** Opens the plan's channels; rejects if any does not connect in time. */
export async function prepareGrpcLoad(
  plan: ThroughputPlan,
  recorder: ThroughputRecorder,
): Promise<PreparedLoad> {
  const calls = encodeCalls(plan);
  const channelCount = Math.min(plan.depth, plan.loops);
  const target = formatHostPort(plan.host, plan.port);
  const clients = Array.from(
    { length: channelCount },
    () => new grpc.Client(target, grpc.credentials.createInsecure(), CHANNEL_OPTIONS),
  );
  try {
    await Promise.all(clients.map(waitForReady));
  } catch (error) {
    for (const client of clients) client.close();
    throw error;
  }
  const loops = Array.from(
    { length: plan.loops },
    (_, i) => new CallLoop(clients[i % channelCount]!, calls, i, recorder),
  );
  return loadOfLoops(plan, recorder, loops, () => {
    for (const client of clients) client.close();
  });
}

function waitForReady(client: grpc.Client): Promise<void> {
  return new Promise((resolve, reject) => {
    client.waitForReady(Date.now() + CONNECT_TIMEOUT_MS, (error) => (error ? reject(error) : resolve()));
  });
}

/**
 * One call in flight at a time, the next sent from the previous one's
 * callback. The callback is bound once per loop, not created per call.
 */
class CallLoop implements LoadLoop {
  #stopped = false;
  readonly #client: grpc.Client;
  readonly #calls: EncodedCall[];
  readonly #recorder: ThroughputRecorder;
  #next: number;
  #sentAt = 0;

  constructor(client: grpc.Client, calls: EncodedCall[], start: number, recorder: ThroughputRecorder) {
    this.#client = client;
    this.#calls = calls;
    // Mixed loads start half the loops on Buy, so both methods run from the first call.
    this.#next = start % calls.length;
    this.#recorder = recorder;
  }

  start(): void {
    this.#call();
  }

  stop(): void {
    this.#stopped = true;
  }

  #call(): void {
    const call = this.#calls[this.#next]!;
    this.#next = (this.#next + 1) % this.#calls.length;
    this.#sentAt = performance.now();
    this.#client.makeUnaryRequest(call.path, passBytes, passBytes, call.request, this.#onReply);
  }

  readonly #onReply = (error: grpc.ServiceError | null): void => {
    const recorder = this.#recorder;
    if (recorder.measuring) {
      // Failed calls count as requests too (as ERR replies do on the socket), and as errors.
      recorder.record(performance.now() - this.#sentAt, 1);
      if (error) recorder.errors++;
    }
    if (!this.#stopped) this.#call();
  };
}

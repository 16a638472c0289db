// The undici engine of the HTTP load: each request dispatched through one
// undici Client per connection (no response streams, bodies dropped). Kept to
// check that the net engine (http-load.ts) costs the generator less CPU per
// request, which is the point of it (see `--http-engine`).

import { Client, type Dispatcher } from "undici";
import { formatHostPort } from "../../net/host-port.js";
import { CONNECT_TIMEOUT_MS, httpRequests, isFailure } from "./http-load.js";
import type { ThroughputPlan } from "./options.js";
import { type LoadLoop, loadOfLoops, type PreparedLoad } from "./prepared-load.js";
import type { ThroughputRecorder } from "./recorder.js";

/** The undici engine: one undici Client per connection, bodies dropped. */
export async function prepareUndiciLoad(
  plan: ThroughputPlan,
  recorder: ThroughputRecorder,
): Promise<PreparedLoad> {
  const origin = `http://${formatHostPort(plan.host, plan.port)}`;
  const requests = httpRequests(plan.op, plan.name);
  const clients = Array.from(
    { length: plan.loops },
    () => new Client(origin, { pipelining: plan.depth, connectTimeout: CONNECT_TIMEOUT_MS }),
  );
  try {
    // One untimed query each opens every connection before the barrier.
    await Promise.all(
      clients.map(async (client) => {
        const response = await client.request({ method: "GET", path: requests[0]!.path });
        await response.body.dump();
      }),
    );
  } catch (error) {
    await Promise.all(clients.map((client) => client.destroy()));
    throw error;
  }
  const loops = clients.map((client, i) => new UndiciLoop(client, requests, i, plan.depth, recorder));
  return loadOfLoops(plan, recorder, loops, () => {
    for (const client of clients) void client.destroy();
  });
}

/** One undici Client kept `depth` requests busy; each request's handler is reused for the next. */
class UndiciLoop implements LoadLoop {
  stopped = false;
  readonly #client: Client;
  readonly #requests: readonly Dispatcher.DispatchOptions[];
  readonly #depth: number;
  readonly recorder: ThroughputRecorder;
  #next: number;

  constructor(
    client: Client,
    requests: readonly { method: "GET" | "POST"; path: string }[],
    start: number,
    depth: number,
    recorder: ThroughputRecorder,
  ) {
    this.#client = client;
    this.#requests = requests.map(({ method, path }) => ({ method, path }));
    this.#next = start % requests.length;
    this.#depth = depth;
    this.recorder = recorder;
  }

  start(): void {
    for (let i = 0; i < this.#depth; i++) this.send(new UndiciCall(this));
  }

  stop(): void {
    this.stopped = true;
  }

  send(call: UndiciCall): void {
    const request = this.#requests[this.#next]!;
    this.#next = (this.#next + 1) % this.#requests.length;
    call.sentAt = performance.now();
    this.#client.dispatch(request, call);
  }

  lost(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.recorder.lostConnections++;
  }
}

class UndiciCall implements Dispatcher.DispatchHandler {
  sentAt = 0;
  #status = 0;
  readonly #loop: UndiciLoop;

  constructor(loop: UndiciLoop) {
    this.#loop = loop;
  }

  onRequestStart(): void {}

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.#status = statusCode;
  }

  onResponseData(): void {}

  onResponseEnd(): void {
    const loop = this.#loop;
    const recorder = loop.recorder;
    if (recorder.measuring) {
      recorder.record(performance.now() - this.sentAt, 1);
      if (isFailure(this.#status)) recorder.errors++;
    }
    if (!loop.stopped) loop.send(this);
  }

  onResponseError(): void {
    const loop = this.#loop;
    if (loop.stopped) return;
    if (loop.recorder.measuring) loop.recorder.errors++;
    loop.lost();
  }
}

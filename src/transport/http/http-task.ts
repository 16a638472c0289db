// One HTTP API request on its way through the worker pool and the
// StoreService: the pool's task, the service's request and its result sink in
// one object, as the other transports do. It answers the response once.

import type { ServerResponse } from "node:http";
import {
  formatPrice,
  normalizeName,
  type Op,
  type StoreRequest,
  type StoreResult,
} from "../../catalog/toy.js";
import type { PoolTask } from "../../concurrency/worker-pool.js";
import type { StoreError } from "../../errors.js";
import type { ResultSink, StoreService } from "../../service/store-service.js";
import type { BoughtJson, ToyJson } from "./api.js";
import { problem, problemOf, sendProblem } from "./problem.js";

/** Display names and prices by normalized name: what a sold-out answer (which carries neither) is shown with. */
export class ToyDirectory {
  readonly #toys = new Map<string, { name: string; priceCents: number }>();
  // Names as written, so the common exact-case request skips normalization (NFC is not cheap).
  readonly #exact = new Map<string, { name: string; priceCents: number }>();

  set(name: string, priceCents: number): void {
    const toy = { name, priceCents };
    this.#toys.set(normalizeName(name), toy);
    this.#exact.set(name, toy);
  }

  get(name: string): { readonly name: string; readonly priceCents: number } | undefined {
    return this.#exact.get(name) ?? this.#toys.get(normalizeName(name));
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export function toyJson(name: string, priceCents: number, stock: number): ToyJson {
  return { name, price: formatPrice(priceCents), priceCents, stock };
}

/** Told of each answered request (see observability/metrics.ts). */
export interface RequestRecorder {
  done(op: Op, outcome: string, startedAt: number): void;
}

export class HttpTask implements PoolTask, StoreRequest, ResultSink {
  #done: (() => void) | undefined;
  readonly #startedAt = performance.now();

  constructor(
    readonly op: Op,
    readonly name: string,
    readonly res: ServerResponse,
    readonly service: StoreService,
    readonly directory: ToyDirectory,
    readonly recorder: RequestRecorder | undefined,
    readonly requestKey?: string | undefined,
  ) {}

  run(done: () => void): void {
    // The client left while this waited: nobody would see the outcome, so a buy must not sell.
    if (this.res.destroyed || this.res.writableEnded) {
      done();
      return;
    }
    this.#done = done;
    this.service.execute(this, this);
  }

  decided(): void {
    const done = this.#done;
    this.#done = undefined;
    done?.();
  }

  complete(result: StoreResult): void {
    this.decided();
    this.recorder?.done(this.op, result.kind, this.#startedAt);
    if (this.res.destroyed) return;
    const known = this.directory.get(this.name);
    const name = known?.name ?? this.name.trim();
    switch (result.kind) {
      case "not_found":
        sendProblem(this.res, problem(404, "not_found", `no toy named "${name}"`));
        return;
      case "sold_out":
        if (this.op === "query") sendJson(this.res, 200, toyJson(name, known?.priceCents ?? 0, 0));
        else sendProblem(this.res, problem(409, "sold_out", `${name} is sold out`));
        return;
      case "in_stock":
        sendJson(this.res, 200, toyJson(name, result.priceCents, result.stock));
        return;
      case "bought": {
        const priceCents = known?.priceCents ?? 0;
        const body: BoughtJson = {
          toy: name,
          price: formatPrice(priceCents),
          priceCents,
          stockLeft: result.stockLeft ?? 0,
          ...(result.orderId === undefined ? {} : { orderId: result.orderId }),
        };
        sendJson(this.res, 200, body);
      }
    }
  }

  fail(error: StoreError): void {
    this.decided();
    this.recorder?.done(this.op, error.code, this.#startedAt);
    if (!this.res.destroyed) sendProblem(this.res, problemOf(error));
  }
}

// One client connection of the line protocol: the socket protocols' shared
// connection (StreamConnection: backpressure, write stall, lingering close,
// idle handling) with lines as its framing (LineIntake), each line parsed
// into a request (Slot), and the line protocol's closing replies.

import type { Socket } from "node:net";
import type { WorkerPool } from "../../concurrency/worker-pool.js";
import { StoreError } from "../../errors.js";
import type { DecodedLine } from "../../protocol/line-decoder.js";
import { encodeError, LINE_TIMEOUT_REPLY } from "../../protocol/replies.js";
import { parseRequest } from "../../protocol/requests.js";
import type { StoreService } from "../../service/store-service.js";
import type { ConnectionCounters, ConnectionLimits } from "./connection-limits.js";
import { LineIntake } from "./line-intake.js";
import { answered, Slot } from "./slot.js";
import { StreamConnection } from "./stream-connection.js";

export type { ConnectionCounters, ConnectionLimits, ConnectionState } from "./connection-limits.js";

const LINE_TOO_LONG_REPLY = encodeError(new StoreError("line_too_long", "line too long"));

/**
 * A line protocol connection. What it holds is bounded as StreamConnection
 * says; its input holds at most one unfinished line (maxLineBytes), which must
 * end within lineTimeoutMs. Each reply is followed by "\n".
 */
export class Connection extends StreamConnection {
  protected readonly input: LineIntake;
  readonly #counters: ConnectionCounters;

  constructor(
    socket: Socket,
    service: StoreService,
    pool: WorkerPool,
    limits: ConnectionLimits,
    counters: ConnectionCounters,
    onClosed: (connection: StreamConnection) => void,
  ) {
    super(socket, service, pool, limits, counters, "\n", onClosed);
    this.#counters = counters;
    this.input = new LineIntake(limits.maxLineBytes, (line) => this.#accept(line));
  }

  protected inputTooLong(): void {
    this.#counters.lineTooLong++;
    this.refuseRest(LINE_TOO_LONG_REPLY);
  }

  protected override lineTimedOut(): void {
    this.#counters.lineTimeouts++;
    this.refuseRest(LINE_TIMEOUT_REPLY);
  }

  // The line protocol's work per request: parse, then a slot in the reply
  // order and, unless the line was malformed, in the pool.
  #accept(line: DecodedLine): void {
    const parsed = parseRequest(line);
    if (parsed instanceof StoreError) {
      this.replies.push(answered(encodeError(parsed)));
      return;
    }
    const slot = new Slot(this, parsed);
    this.replies.push(slot);
    this.admission.add(slot);
  }
}

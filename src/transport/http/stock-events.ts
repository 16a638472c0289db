// GET /api/events: Server-Sent Events, one `stock` event per stored sale or
// restock, from any transport. A reader that does not keep up is dropped: an
// event stream never holds more than a bounded backlog for a client.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { StoreService } from "../../service/store-service.js";
import type { StockEventJson } from "./api.js";

/** How often an idle stream gets a comment line, so proxies and clients see it alive. */
const HEARTBEAT_MS = 15_000;

/** The open event streams, fed by the service's stock watchers. */
export class StockEvents {
  readonly #streams = new Set<ServerResponse>();
  readonly #stopWatching: () => void;
  readonly #heartbeat: NodeJS.Timeout;

  constructor(
    service: StoreService,
    readonly limits: { readonly maxStreams: number; readonly maxBacklogBytes: number },
  ) {
    this.#stopWatching = service.watchStock((name, stock) => this.#send(name, stock));
    this.#heartbeat = setInterval(() => this.#write(": ping\n\n"), HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  get streams(): number {
    return this.#streams.size;
  }

  /** Starts an event stream on `res`; false (nothing written) when there are too many already. */
  attach(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.#streams.size >= this.limits.maxStreams) return false;
    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    res.write("retry: 2000\n\n");
    this.#streams.add(res);
    const forget = (): void => {
      this.#streams.delete(res);
    };
    req.socket.setTimeout(0);
    res.on("close", forget);
    return true;
  }

  /** Ends every stream (shutdown). */
  close(): void {
    this.#stopWatching();
    clearInterval(this.#heartbeat);
    for (const res of this.#streams) res.end();
    this.#streams.clear();
  }

  /** `name` is the display name the store gave the sale or restock. */
  #send(name: string, stock: number): void {
    if (this.#streams.size === 0) return;
    const event: StockEventJson = { name, stock };
    this.#write(`event: stock\ndata: ${JSON.stringify(event)}\n\n`);
  }

  #write(text: string): void {
    for (const res of this.#streams) {
      // A reader this far behind is dropped rather than buffered for.
      if (res.writableLength > this.limits.maxBacklogBytes) {
        this.#streams.delete(res);
        res.destroy();
        continue;
      }
      res.write(text);
    }
  }
}

// GET /api/events: Server-Sent Events. Each stream starts with a `snapshot`
// event (every toy's stock, read through the service's list operation), then
// one `stock` event per stored sale or restock: from any transport and, on a
// store with a feed, through any server of the store. A stream is answered only
// once the service hears every change (a store's feed listens), so each
// change committed after the response began is in it as a `stock` event.
// When the service says changes may have been missed (the listening
// connection was lost and is back), every stream gets a fresh snapshot. A
// reader that does not keep up is dropped: a stream never holds more than a
// bounded backlog.
//
// Why a snapshot can be trusted: the stock events of the changes committed
// after the list was read may arrive before its answer. So a stream waiting
// for its snapshot holds the events that arrive meanwhile and sends them
// after it: they are every change since the list was asked for, in commit
// order, so the last one of each toy is its stock now, and a toy with none
// has the snapshot's. A resync drops what was held: a gap lies behind it.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { Toy } from "../../catalog/toy.js";
import type { StoreService } from "../../service/store-service.js";
import type { SnapshotEventJson, StockEventJson } from "./api.js";
import { problem } from "./problem.js";
import { sendProblem } from "./reply.js";

/** How often an idle stream gets a comment line, so proxies and clients see it alive. */
const HEARTBEAT_MS = 15_000;
/** How long after a failed read of the snapshot (the database away) the next is tried. */
const SNAPSHOT_RETRY_MS = 1000;

/** One stream: whether it is answered yet, and the events held while it waits for its snapshot, if it does. */
interface Stream {
  opened: boolean;
  held: string[] | undefined;
  heldBytes: number;
}

/** The open event streams, fed by the service's stock watchers while there is at least one. */
export class StockEvents {
  readonly #service: StoreService;
  readonly #streams = new Map<ServerResponse, Stream>();
  /** Streams waiting for a snapshot that no read in flight will give them. */
  readonly #waiting = new Set<ServerResponse>();
  #reading = false;
  #retry: NodeJS.Timeout | undefined;
  #stopWatching: (() => void) | undefined;
  #closed = false;
  readonly #heartbeat: NodeJS.Timeout;

  constructor(
    service: StoreService,
    readonly limits: { readonly maxStreams: number; readonly maxBacklogBytes: number },
  ) {
    this.#service = service;
    this.#heartbeat = setInterval(() => this.#writeAll(": ping\n\n"), HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  get streams(): number {
    return this.#streams.size;
  }

  /**
   * Takes `res` as an event stream, answered at once if the service hears
   * every change, else once it does again (resync); false (nothing written)
   * when there are too many already, or closed.
   */
  attach(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.#closed || this.#streams.size >= this.limits.maxStreams) return false;
    this.#streams.set(res, { opened: false, held: [], heldBytes: 0 });
    req.socket.setTimeout(0);
    res.on("close", () => this.#forget(res));
    // Watched only while someone reads: a shared store then listens only as long.
    this.#stopWatching ??= this.#service.watchStock((name, stock) => this.#send(name, stock), {
      resync: () => this.#resync(),
    });
    if (this.#service.watchingLive) {
      this.#open(res);
      this.#read();
    }
    return true;
  }

  /** Ends every stream (shutdown). */
  close(): void {
    this.#closed = true;
    this.#stopWatching?.();
    this.#stopWatching = undefined;
    clearInterval(this.#heartbeat);
    clearTimeout(this.#retry);
    for (const [res, stream] of this.#streams) {
      if (stream.opened) res.end();
      else sendProblem(res, problem("shutting_down", "shutting down"));
    }
    this.#streams.clear();
    this.#waiting.clear();
  }

  /** Answers a stream; it waits for its snapshot. */
  #open(res: ServerResponse): void {
    const stream = this.#streams.get(res);
    if (stream === undefined || stream.opened) return;
    stream.opened = true;
    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    res.write("retry: 2000\n\n");
    this.#waiting.add(res);
  }

  #forget(res: ServerResponse): void {
    this.#streams.delete(res);
    this.#waiting.delete(res);
    if (this.#streams.size > 0) return;
    this.#stopWatching?.();
    this.#stopWatching = undefined;
  }

  /** `name` is the display name the store gave the sale or restock. */
  #send(name: string, stock: number): void {
    const event: StockEventJson = { name, stock };
    const text = `event: stock\ndata: ${JSON.stringify(event)}\n\n`;
    for (const [res, stream] of this.#streams) {
      // A stream not answered yet gets its snapshot after this.
      if (!stream.opened) continue;
      if (stream.held === undefined) this.#write(res, text);
      else if (this.#fits(res, stream)) {
        stream.held.push(text);
        stream.heldBytes += text.length;
      }
    }
  }

  /**
   * The service hears every change again: every stream waits for a fresh
   * snapshot (what one held came before a gap, and is dropped), and those
   * not answered yet are.
   */
  #resync(): void {
    for (const [res, stream] of this.#streams) {
      if (!stream.opened) {
        this.#open(res);
        continue;
      }
      stream.held = [];
      stream.heldBytes = 0;
      this.#waiting.add(res);
    }
    this.#read();
  }

  /** Reads one snapshot for every waiting stream, unless a read or a retry is under way. */
  #read(): void {
    if (this.#reading || this.#retry !== undefined || this.#waiting.size === 0 || this.#closed) return;
    this.#reading = true;
    const batch = [...this.#waiting];
    this.#waiting.clear();
    this.#service.list().then(
      (toys) => {
        this.#reading = false;
        this.#deliver(batch, toys);
        this.#read();
      },
      () => {
        // The store is away: the streams keep waiting (and holding), and the read is tried again.
        this.#reading = false;
        for (const res of batch) if (this.#streams.has(res)) this.#waiting.add(res);
        this.#retry = setTimeout(() => {
          this.#retry = undefined;
          this.#read();
        }, SNAPSHOT_RETRY_MS);
        this.#retry.unref();
      },
    );
  }

  /** The snapshot, then what each stream held meanwhile; a stream resynced since waits for the next. */
  #deliver(batch: readonly ServerResponse[], toys: readonly Toy[]): void {
    const event: SnapshotEventJson = { stock: Object.fromEntries(toys.map((toy) => [toy.name, toy.stock])) };
    const text = `event: snapshot\ndata: ${JSON.stringify(event)}\n\n`;
    for (const res of batch) {
      const stream = this.#streams.get(res);
      if (stream?.held === undefined || this.#waiting.has(res)) continue;
      const held = stream.held;
      stream.held = undefined;
      stream.heldBytes = 0;
      this.#write(res, text + held.join(""));
    }
  }

  #writeAll(text: string): void {
    for (const [res, stream] of this.#streams) if (stream.opened) this.#write(res, text);
  }

  #write(res: ServerResponse, text: string): void {
    const stream = this.#streams.get(res);
    if (stream !== undefined && this.#fits(res, stream)) res.write(text);
  }

  /** Whether `res` may take more; a reader this far behind is dropped rather than buffered for. */
  #fits(res: ServerResponse, stream: Stream): boolean {
    if (res.writableLength + stream.heldBytes <= this.limits.maxBacklogBytes) return true;
    this.#forget(res);
    res.destroy();
    return false;
  }
}

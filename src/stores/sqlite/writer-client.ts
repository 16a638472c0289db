// The main thread's end of the sqlite writer thread: starts it, sends it
// requests, matches each reply to its request, and once the thread has died
// answers every request, waiting or new, with why.

import { Worker } from "node:worker_threads";
import type {
  CommitMessage,
  OrderMessage,
  WriterData,
  WriterReply,
  WriterRequest,
} from "./writer-protocol.js";

/** A request to the writer, without its sequence number. */
export type WriterMessage = CommitMessage | OrderMessage | { readonly kind: "close" };

export class WriterClient {
  readonly #worker: Worker;
  #seq = 0;
  readonly #waiting = new Map<number, (reply: WriterReply) => void>();
  /** Set once the thread has died: every later request fails with it. */
  #broken: Error | undefined;

  /**
   * Starts the thread on the file at `path` and waits until it holds the
   * file; rejects with SQLite's error (its `code` kept) if it cannot.
   */
  static async start(path: string): Promise<WriterClient> {
    const worker = startWorker({ path });
    const ready = await new Promise<WriterReply | Error>((resolve) => {
      worker.once("message", resolve);
      worker.once("error", resolve);
    });
    if (ready instanceof Error || !ready.ok) {
      await worker.terminate();
      throw ready instanceof Error ? ready : Object.assign(new Error(ready.error), { code: ready.code });
    }
    return new WriterClient(worker);
  }

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on("message", (reply: WriterReply) => {
      const resolve = this.#waiting.get(reply.seq);
      this.#waiting.delete(reply.seq);
      resolve?.(reply);
    });
    const die = (error: Error): void => {
      this.#broken ??= error;
      for (const resolve of this.#waiting.values()) resolve(this.#brokenReply());
      this.#waiting.clear();
    };
    worker.on("error", die);
    worker.on("exit", (code) => die(new Error(`exit code ${code}`)));
  }

  /** Whether the thread has died. */
  get broken(): boolean {
    return this.#broken !== undefined;
  }

  /** Sends one request; resolves with its reply (never rejects: a failure is a reply with ok false). */
  send(request: WriterMessage): Promise<WriterReply> {
    if (this.#broken !== undefined) return Promise.resolve(this.#brokenReply());
    const seq = ++this.#seq;
    return new Promise((resolve) => {
      this.#waiting.set(seq, resolve);
      this.#worker.postMessage({ seq, ...request } satisfies WriterRequest);
    });
  }

  /** Stops the thread (after a "close" request, it has closed the file). */
  async terminate(): Promise<void> {
    await this.#worker.terminate();
  }

  #brokenReply(): WriterReply {
    return { seq: -1, ok: false, error: `the writer thread stopped: ${this.#broken?.message}` };
  }
}

/**
 * The writer thread. Compiled, it is the .js next to this file. Run from
 * source, a worker does not inherit the tsx loader (Node 20 does not pass
 * --import hooks to workers), so the worker registers it, then loads the .ts.
 */
function startWorker(data: WriterData): Worker {
  if (!import.meta.url.endsWith(".ts"))
    return new Worker(new URL("./writer.js", import.meta.url), { workerData: data });
  const source = JSON.stringify(new URL("./writer.ts", import.meta.url).href);
  return new Worker(
    `import("tsx/esm/api").then(({ register }) => { register(); return import(${source}); });`,
    { eval: true, workerData: data },
  );
}

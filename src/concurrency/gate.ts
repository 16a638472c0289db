// A gate in front of a pool of resources (the database connections): at most
// `permits` callers pass at once; the others wait in arrival order, each at
// most `waitMs`, and at most `maxWaiting` of them at once. A caller past
// either bound is refused with a GateRefusal saying which, so nobody waits
// unbounded and the waiters' memory stays bounded.

export interface GateOptions {
  /** Callers inside at once. */
  readonly permits: number;
  /** Callers waiting at once; one more is refused at once ("full"). */
  readonly maxWaiting: number;
  /** The longest a caller waits for a permit before it is refused ("timeout"); 0: never waits. */
  readonly waitMs: number;
}

/** Why a caller did not pass: it waited `waitMs` ("timeout"), the queue was full ("full"), or the gate was closed ("closed"). */
export type GateRefusalKind = "timeout" | "full" | "closed";

export class GateRefusal extends Error {
  override readonly name = "GateRefusal";
  constructor(
    readonly kind: GateRefusalKind,
    message: string,
  ) {
    super(message);
  }
}

interface Waiter {
  readonly pass: () => void;
  readonly refuse: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

export class Gate {
  readonly permits: number;
  readonly maxWaiting: number;
  readonly waitMs: number;
  #free: number;
  /** In arrival order; a Set, so that a waiter whose time ran out leaves from the middle in O(1). */
  readonly #waiting = new Set<Waiter>();
  #closed: Error | undefined;

  constructor(options: GateOptions) {
    const { permits, maxWaiting, waitMs } = options;
    if (!Number.isSafeInteger(permits) || permits < 1)
      throw new RangeError(`permits must be >= 1, got ${permits}`);
    if (!Number.isSafeInteger(maxWaiting) || maxWaiting < 0)
      throw new RangeError(`maxWaiting must be >= 0, got ${maxWaiting}`);
    if (!Number.isFinite(waitMs) || waitMs < 0) throw new RangeError(`waitMs must be >= 0, got ${waitMs}`);
    this.permits = permits;
    this.maxWaiting = maxWaiting;
    this.waitMs = waitMs;
    this.#free = permits;
  }

  /** Callers inside now. */
  get busy(): number {
    return this.permits - this.#free;
  }

  /** Callers waiting now. */
  get waiting(): number {
    return this.#waiting.size;
  }

  /**
   * Runs `task` once a permit is free and gives the permit back when it
   * settles. Rejects with a GateRefusal, `task` never started, if no permit
   * came within `waitMs`, too many callers were waiting, or the gate is closed.
   */
  run<T>(task: () => PromiseLike<T>): Promise<T> {
    if (this.#closed !== undefined) return Promise.reject(this.#closed);
    // Free permits and nobody ahead: in at once, no timer.
    if (this.#free > 0 && this.#waiting.size === 0) {
      this.#free--;
      return this.#holding(task);
    }
    if (this.#waiting.size >= this.maxWaiting || this.waitMs === 0)
      return Promise.reject(
        this.#waiting.size >= this.maxWaiting
          ? new GateRefusal("full", `all ${this.permits} busy and ${this.#waiting.size} waiting`)
          : this.#timedOut(),
      );
    return new Promise<void>((pass, refuse) => {
      const waiter: Waiter = { pass, refuse, timer: undefined };
      waiter.timer = setTimeout(() => {
        this.#waiting.delete(waiter);
        refuse(this.#timedOut());
      }, this.waitMs);
      this.#waiting.add(waiter);
    }).then(() => this.#holding(task));
  }

  /** Refuses every caller waiting now with `error` (those inside keep their permits). */
  refuseWaiting(error: Error): void {
    const waiting = [...this.#waiting];
    this.#waiting.clear();
    for (const waiter of waiting) {
      clearTimeout(waiter.timer);
      waiter.refuse(error);
    }
  }

  /** From now on every caller is refused ("closed"), those waiting too. Idempotent. */
  close(): void {
    this.#closed ??= new GateRefusal("closed", "closed");
    this.refuseWaiting(this.#closed);
  }

  #timedOut(): GateRefusal {
    return new GateRefusal("timeout", `all ${this.permits} busy for ${this.waitMs} ms`);
  }

  /** Runs `task` holding a permit, which goes back (to the first waiter, if any) once it settles. */
  #holding<T>(task: () => PromiseLike<T>): Promise<T> {
    let running: Promise<T>;
    try {
      running = Promise.resolve(task());
    } catch (error) {
      running = Promise.reject(error);
    }
    return running.finally(() => this.#release());
  }

  #release(): void {
    for (const waiter of this.#waiting) {
      // The permit passes straight to the first waiter: nobody arriving now can take it first.
      this.#waiting.delete(waiter);
      clearTimeout(waiter.timer);
      waiter.pass();
      return;
    }
    this.#free++;
  }
}

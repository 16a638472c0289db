// Whether a store's database answers: a check every `intervalMs` (one at a
// time, each bounded by `timeoutMs`), and at once when asked (a request just
// lost its connection). The store fails requests fast while the check fails,
// and the server turns its gRPC health NOT_SERVING and /readyz 503; the first
// check that passes again turns them back. The timer is unref'd: a probe
// never keeps a process alive.

export interface HealthProbeOptions {
  /** One check: resolves if the database answers, rejects with why not. */
  readonly check: () => Promise<void>;
  /** Called when a check ran past `timeoutMs`: it is abandoned, so whatever it used must be reset. */
  readonly onTimeout?: () => void;
  /** Why a check failed, in a user's words. */
  readonly describe: (error: unknown) => string;
  /** Told each change, with why when it turned unhealthy. */
  readonly onChange: (healthy: boolean, reason: string | undefined) => void;
  /** Between the end of one check and the start of the next. */
  readonly intervalMs: number;
  /** A check that takes longer fails. */
  readonly timeoutMs: number;
}

export class HealthProbe {
  readonly #options: HealthProbeOptions;
  #healthy = true;
  #reason: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #closed = false;

  /** Healthy until a check says otherwise; no check runs before start() or checkNow(). */
  constructor(options: HealthProbeOptions) {
    this.#options = options;
  }

  get healthy(): boolean {
    return this.#healthy;
  }

  /** Why the last check failed; undefined while healthy. */
  get reason(): string | undefined {
    return this.#reason;
  }

  /** Checks every intervalMs from now on. */
  start(): void {
    this.#schedule(this.#options.intervalMs);
  }

  /** Checks now, unless a check is running (then resolves when it ends). */
  checkNow(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#running ??= this.#checkOnce().finally(() => {
      this.#running = undefined;
      this.#schedule(this.#options.intervalMs);
    });
    return this.#running;
  }

  /** Stops checking; a check running ends unheard. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #schedule(delayMs: number): void {
    clearTimeout(this.#timer);
    if (this.#closed) return;
    this.#timer = setTimeout(() => void this.checkNow(), delayMs);
    this.#timer.unref();
  }

  async #checkOnce(): Promise<void> {
    const { check, timeoutMs } = this.#options;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    let failure: string | undefined;
    try {
      const checked = check().then(() => "ok" as const);
      // An abandoned check must not reject unheard.
      checked.catch(() => {});
      if ((await Promise.race([checked, timedOut])) === "timeout") {
        failure = `no answer within ${timeoutMs} ms`;
        this.#options.onTimeout?.();
      }
    } catch (error) {
      failure = this.#options.describe(error);
    } finally {
      clearTimeout(timer);
    }
    if (this.#closed) return;
    this.#set(failure === undefined, failure);
  }

  #set(healthy: boolean, reason: string | undefined): void {
    const changed = healthy !== this.#healthy;
    this.#healthy = healthy;
    this.#reason = healthy ? undefined : reason;
    if (changed) this.#options.onChange(healthy, this.#reason);
  }
}

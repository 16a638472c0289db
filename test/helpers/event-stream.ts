// A plain HTTP reader of a Server-Sent Events stream (GET /api/events) for
// tests: every event as it comes (comments and `retry:` skipped), and a wait
// for what a test expects, bounded, that says what came when it times out.

import assert from "node:assert/strict";

/** One event: its type (`message` when the stream names none) and its data. */
export interface StreamEvent {
  readonly event: string;
  readonly data: string;
}

export interface EventStreamReader {
  /** Every event so far, in order. */
  readonly events: readonly StreamEvent[];
  /** Whether the server ended the stream (or it failed). */
  readonly ended: boolean;
  /** Resolves once `done(events)` holds; rejects after `timeoutMs`, with what came. */
  waitFor(what: string, done: (events: readonly StreamEvent[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): void;
}

/** The stock a `snapshot` event gives each toy. */
export function snapshotOf(event: StreamEvent): Record<string, number> {
  assert.equal(event.event, "snapshot");
  return (JSON.parse(event.data) as { stock: Record<string, number> }).stock;
}

/** Opens `url` once the server answers (it answers an event stream only once it hears every change). */
export async function openEventStream(url: string, timeoutMs = 10_000): Promise<EventStreamReader> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, { signal: controller.signal });
  } finally {
    clearTimeout(timer);
  }
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "text/event-stream");
  const events: StreamEvent[] = [];
  const waiters = new Set<() => void>();
  let ended = false;
  const wake = (): void => {
    for (const waiter of waiters) waiter();
  };
  void (async () => {
    const decoder = new TextDecoder();
    let text = "";
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        text += decoder.decode(chunk, { stream: true });
        for (let end = text.indexOf("\n\n"); end >= 0; end = text.indexOf("\n\n")) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          let event = "message";
          const data: string[] = [];
          for (const line of block.split("\n")) {
            if (line.startsWith("event: ")) event = line.slice(7);
            else if (line.startsWith("data: ")) data.push(line.slice(6));
          }
          if (data.length > 0) events.push({ event, data: data.join("\n") });
        }
        wake();
      }
    } catch {
      // aborted, or the connection failed: `ended` says so
    }
    ended = true;
    wake();
  })();
  return {
    events,
    get ended() {
      return ended;
    },
    waitFor(what, done, waitMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!done(events)) return;
          finish();
          resolve();
        };
        const timer = setTimeout(() => {
          finish();
          reject(
            new Error(
              `no ${what} in the event stream (ended: ${ended}); it sent:\n${JSON.stringify(events)}`,
            ),
          );
        }, waitMs);
        const finish = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close() {
      controller.abort();
    },
  };
}

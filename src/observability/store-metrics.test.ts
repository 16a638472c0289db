// StoreMetrics: what the exposition says after requests are recorded, the
// gauges read at scrape time, and the figures of stats().

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { coarseNow } from "./clock.js";
import { StoreMetrics } from "./store-metrics.js";

/** The value of one sample line of the exposition (`name{labels} value`), or undefined if absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/**
 * Asserts toystore_requests_total of one transport: `expected` maps "op
 * outcome" to the count the exposition shows (undefined: no such series).
 */
function assertRequests(text: string, transport: string, expected: Record<string, number | undefined>): void {
  for (const [key, count] of Object.entries(expected)) {
    const [op, outcome] = key.split(" ");
    const series = `toystore_requests_total{transport="${transport}",op="${op}",outcome="${outcome}"}`;
    assert.equal(sample(text, series), count, series);
  }
}

/** Asserts toystore_request_duration_seconds_count of one transport: `expected` maps each op to its count. */
function assertDurationCounts(text: string, transport: string, expected: Record<string, number>): void {
  for (const [op, count] of Object.entries(expected)) {
    const series = `toystore_request_duration_seconds_count{transport="${transport}",op="${op}"}`;
    assert.equal(sample(text, series), count, series);
  }
}

/** A startedAt `ms` milliseconds ago on the recorders' clock, as a transport takes it with recorder.now(). */
const ago = (ms: number): number => coarseNow() - ms;

describe("StoreMetrics", () => {
  it("counts requests by transport, op and outcome, with their durations", async () => {
    const metrics = new StoreMetrics();
    const socket = metrics.recorder("socket");
    const grpc = metrics.recorder("grpc");
    for (let i = 0; i < 3; i++) socket.done("buy", "bought", ago(0));
    socket.done("query", "in_stock", ago(0));
    socket.done("query", "bad_request", ago(0));
    grpc.done("buy", "sold_out", ago(0));
    grpc.done("query", "busy", ago(0));
    const text = await metrics.text();

    assertRequests(text, "socket", { "buy bought": 3, "query in_stock": 1, "query bad_request": 1 });
    assertRequests(text, "grpc", { "buy sold_out": 1, "query busy": 1 });
    // The business outcomes are there from the start, at 0; an error code only once it happened.
    assertRequests(text, "grpc", { "buy not_found": 0 });
    assertRequests(text, "socket", { "query busy": undefined });
    assert.match(text, /^# TYPE toystore_requests_total counter$/m);

    assert.match(text, /^# TYPE toystore_request_duration_seconds histogram$/m);
    assertDurationCounts(text, "socket", { buy: 3, query: 2 });
    assert.equal(
      sample(text, 'toystore_request_duration_seconds_bucket{transport="socket",op="buy",le="+Inf"}'),
      3,
    );
    assert.equal(
      sample(text, 'toystore_request_duration_seconds_bucket{transport="socket",op="buy",le="10"}'),
      3,
    );
    // The default process metrics are on this registry too.
    assert.match(text, /^process_cpu_user_seconds_total /m);
    assert.match(text, /^nodejs_eventloop_lag_seconds /m);
    assert.equal(metrics.contentType, "text/plain; version=0.0.4; charset=utf-8");
  });

  it("counts every operation of the table under its own op label, with no change here", async () => {
    const metrics = new StoreMetrics();
    const socket = metrics.recorder("socket");
    const http = metrics.recorder("http");
    socket.done("order", "order", ago(0));
    socket.done("order", "order", ago(0));
    socket.done("order", "not_found", ago(0));
    socket.done("list", "list", ago(0));
    socket.done("restock", "restocked", ago(0));
    http.done("list", "busy", ago(0));
    const text = await metrics.text();

    assertRequests(text, "socket", {
      "order order": 2,
      "order not_found": 1,
      "list list": 1,
      "restock restocked": 1,
    });
    assertRequests(text, "http", { "list busy": 1 });
    // Each op's business outcomes show at 0 from the start, as query's and buy's do.
    assertRequests(text, "http", { "list list": 0, "order not_found": 0, "query in_stock": 0 });
    // The ops' counts are their own: none leaks into query's or buy's.
    assertRequests(text, "socket", { "query in_stock": 0 });
    assertDurationCounts(text, "socket", { order: 3, list: 1, query: 0 });
    assert.equal(
      sample(text, 'toystore_request_duration_seconds_bucket{transport="http",op="list",le="+Inf"}'),
      1,
    );
  });

  it("counts every op in stats(): the rate and the p99 are of all the transport's requests", () => {
    const metrics = new StoreMetrics();
    const grpc = metrics.recorder("grpc");
    // 98 lists of 3 ms, 2 orders of 30 ms: the 99th is one of the orders, in (25 ms, 50 ms].
    for (let i = 0; i < 98; i++) grpc.done("list", "list", ago(3));
    for (let i = 0; i < 2; i++) grpc.done("order", "order", ago(30));
    const s = metrics.stats().transports.grpc!;
    assert.ok(s.requestsPerSecond > 0, `rps ${s.requestsPerSecond}`);
    assert.ok(s.p99Ms !== null && s.p99Ms > 25 && s.p99Ms <= 50, `p99 ${s.p99Ms}`);
  });

  it("writes the families in order, each once, separated by a blank line", async () => {
    const metrics = new StoreMetrics();
    metrics.recorder("socket").done("query", "in_stock", ago(0));
    const text = await metrics.text();
    const families = [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!);
    assert.deepEqual(families.slice(0, 7), [
      "toystore_requests_total",
      "toystore_pool_busy",
      "toystore_pool_queued",
      "toystore_open_connections",
      "toystore_request_duration_seconds",
      "toystore_lock_wait_seconds",
      "toystore_commit_batch_size",
    ]);
    assert.ok(families.includes("process_cpu_user_seconds_total"));
    assert.equal(new Set(families).size, families.length);
    assert.ok(text.endsWith("\n") && !text.endsWith("\n\n"));
    for (const block of text.trimEnd().split("\n\n")) assert.match(block, /^# HELP \S+ .+\n# TYPE /);
  });

  it("puts each duration in its bucket, cumulatively, and sums them in seconds", async () => {
    const metrics = new StoreMetrics();
    const http = metrics.recorder("http");
    http.done("query", "in_stock", ago(2.6)); // in (2.5 ms, 5 ms]
    http.done("query", "in_stock", ago(26)); // in (25 ms, 50 ms]
    const text = await metrics.text();
    const bucket = (le: string) =>
      sample(text, `toystore_request_duration_seconds_bucket{transport="http",op="query",le="${le}"}`);
    assert.equal(bucket("0.0025"), 0);
    assert.equal(bucket("0.005"), 1);
    assert.equal(bucket("0.025"), 1);
    assert.equal(bucket("0.05"), 2);
    assert.equal(bucket("+Inf"), 2);
    const sum = sample(text, 'toystore_request_duration_seconds_sum{transport="http",op="query"}')!;
    assert.ok(sum >= 0.0285 && sum < 0.05, `sum ${sum}`);
  });

  it("reads the clock once per callback: now() holds until the next microtask checkpoint", async () => {
    const recorder = new StoreMetrics().recorder("socket");
    const first = recorder.now();
    const busyUntil = performance.now() + 2;
    while (performance.now() < busyUntil) {
      // spin: time passes within this callback
    }
    assert.equal(recorder.now(), first);
    await new Promise((resolve) => setTimeout(resolve, 2));
    const later = recorder.now();
    assert.ok(later >= first + 2, `${later} vs ${first}`);
    assert.ok(Math.abs(later - performance.now()) < 50);
  });

  it("returns one recorder per transport", async () => {
    const metrics = new StoreMetrics();
    assert.equal(metrics.recorder("socket"), metrics.recorder("socket"));
    metrics.recorder("socket").done("buy", "bought", ago(0));
    metrics.recorder("socket").done("buy", "bought", ago(0));
    assertRequests(await metrics.text(), "socket", { "buy bought": 2 });
  });

  it("folds outcomes beyond the first 32 of an op into 'other'", async () => {
    const metrics = new StoreMetrics();
    const socket = metrics.recorder("socket");
    for (let i = 0; i < 40; i++) socket.done("query", `code_${i}`, ago(0));
    const text = await metrics.text();
    const series = text
      .split("\n")
      .filter((l) => l.startsWith('toystore_requests_total{transport="socket",op="query"'));
    assert.equal(series.length, 32 + 1);
    // 3 business outcomes shown from the start, 29 codes, then 11 in "other".
    assertRequests(text, "socket", { "query other": 11 });
  });

  it("reads the pools and the connection counts when scraped", async () => {
    const metrics = new StoreMetrics();
    let busy = 2;
    let queued = 7;
    let open = 3;
    metrics.watchPool("socket", { stats: () => ({ busy, queued }) });
    metrics.watchConnections("socket", () => open);
    metrics.watchPool("grpc", { stats: () => ({ busy: 1, queued: 0 }) });
    let text = await metrics.text();
    assert.equal(sample(text, 'toystore_pool_busy{transport="socket"}'), 2);
    assert.equal(sample(text, 'toystore_pool_queued{transport="socket"}'), 7);
    assert.equal(sample(text, 'toystore_open_connections{transport="socket"}'), 3);
    assert.equal(sample(text, 'toystore_pool_busy{transport="grpc"}'), 1);
    busy = 5;
    queued = 0;
    open = 9;
    text = await metrics.text();
    assert.equal(sample(text, 'toystore_pool_busy{transport="socket"}'), 5);
    assert.equal(sample(text, 'toystore_pool_queued{transport="socket"}'), 0);
    assert.equal(sample(text, 'toystore_open_connections{transport="socket"}'), 9);
  });

  it("records lock waits and commit batches", async () => {
    const metrics = new StoreMetrics();
    metrics.observeLockWait(0.02); // 20 µs
    metrics.observeLockWait(4);
    metrics.observeCommitBatch("sqlite", 3);
    metrics.observeCommitBatch("sqlite", 100);
    metrics.observeCommitBatch("postgres", 1);
    const text = await metrics.text();
    assert.equal(sample(text, 'toystore_lock_wait_seconds_bucket{le="0.00001"}'), 0);
    assert.equal(sample(text, 'toystore_lock_wait_seconds_bucket{le="0.000025"}'), 1);
    assert.equal(sample(text, 'toystore_lock_wait_seconds_bucket{le="0.005"}'), 2);
    assert.equal(sample(text, "toystore_lock_wait_seconds_count"), 2);
    assert.ok(Math.abs(sample(text, "toystore_lock_wait_seconds_sum")! - 0.00402) < 1e-9);
    assert.equal(sample(text, 'toystore_commit_batch_size_bucket{store="sqlite",le="2"}'), 0);
    assert.equal(sample(text, 'toystore_commit_batch_size_bucket{store="sqlite",le="4"}'), 1);
    assert.equal(sample(text, 'toystore_commit_batch_size_bucket{store="sqlite",le="128"}'), 2);
    assert.equal(sample(text, 'toystore_commit_batch_size_sum{store="sqlite"}'), 103);
    assert.equal(sample(text, 'toystore_commit_batch_size_count{store="postgres"}'), 1);
  });

  it("stats(): the transports recorded or watched, with a rate, a p99 and the pool", () => {
    const metrics = new StoreMetrics();
    assert.deepEqual(metrics.stats(), { transports: {} });
    metrics.watchPool("grpc", { stats: () => ({ busy: 4, queued: 2 }) });
    const socket = metrics.recorder("socket");
    assert.deepEqual(metrics.stats().transports.socket, {
      requestsPerSecond: 0,
      p99Ms: null,
      busy: 0,
      queued: 0,
    });
    // 98 requests of 3 ms, 2 of 30 ms: the 99th is one of the 30 ms ones, in (25 ms, 50 ms].
    for (let i = 0; i < 98; i++) socket.done("query", "in_stock", ago(3));
    for (let i = 0; i < 2; i++) socket.done("buy", "bought", ago(30));
    const stats = metrics.stats();
    assert.deepEqual(Object.keys(stats.transports), ["socket", "grpc"]);
    const s = stats.transports.socket!;
    assert.ok(s.requestsPerSecond > 0, `rps ${s.requestsPerSecond}`);
    assert.ok(s.p99Ms !== null && s.p99Ms > 25 && s.p99Ms <= 50, `p99 ${s.p99Ms}`);
    assert.deepEqual(stats.transports.grpc, { requestsPerSecond: 0, p99Ms: null, busy: 4, queued: 2 });
  });

  it("stats(): the p99 of fast requests is within the first bucket, under 0.1 ms", () => {
    const metrics = new StoreMetrics();
    const socket = metrics.recorder("socket");
    for (let i = 0; i < 1000; i++) socket.done("query", "in_stock", ago(0));
    const p99 = metrics.stats().transports.socket!.p99Ms!;
    assert.ok(p99 > 0 && p99 <= 0.1, `p99 ${p99}`);
  });

  it("stats(): requestsPerSecond counts about the last 5 s", async () => {
    const metrics = new StoreMetrics();
    const socket = metrics.recorder("socket");
    // Wait a little so the window (time since the recorder began) is measurable.
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (let i = 0; i < 100; i++) socket.done("query", "in_stock", ago(0));
    const rps = metrics.stats().transports.socket!.requestsPerSecond;
    // 100 requests over the ~50 ms the recorder has existed (timers may fire a ms early; later on a loaded machine).
    assert.ok(rps > 0 && rps <= 100 / 0.045, `rps ${rps}`);
  });
});
